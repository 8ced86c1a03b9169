// A titled asciichart, fitted to exactly the box it is given.
import {Box, Text} from 'ink';
import React, {memo, useMemo} from 'react';
import {fitChart, type SegmentKind} from '../../layout/chart-fit.js';
import {tone, type ColorName} from '../../layout/symbols.js';
import {Line} from '../line/index.js';

export interface ChartProps {
	title: string;
	/** Colour of the title when something is over a threshold; the title text must say so too. */
	titleColor?: ColorName;
	values: readonly number[];
	threshold?: number | null;
	width: number;
	/** Lines, the title included. */
	height: number;
	expectedPoints?: number;
	lineColor?: ColorName;
	color: boolean;
}

function ChartView({title, titleColor, values, threshold, width, height, expectedPoints, lineColor, color}: ChartProps) {
	const lines = useMemo(
		() => fitChart({values, threshold, width, height: height - 1, expectedPoints}),
		[values, threshold, width, height, expectedPoints],
	);
	const segmentColor: Record<SegmentKind, ColorName | undefined> = {
		axis: 'gray',
		data: lineColor ?? 'cyan',
		threshold: 'red',
		blank: undefined,
		note: 'gray',
	};

	if (height <= 0) return null;
	return (
		<Box flexDirection="column" width={width} height={height}>
			{/* One cell short, so side-by-side titles never run into each other. */}
			<Box width={Math.max(1, width - 1)} height={1}>
				<Line bold color={tone(color, titleColor)}>
					{title}
				</Line>
			</Box>
			{lines.map((line, row) => (
				// Rows of a fixed-size chart: the index is the identity.
				<Line key={row}>
					{line.map((segment, index) => (
						<Text key={index} color={tone(color, segmentColor[segment.kind])}>
							{segment.text}
						</Text>
					))}
				</Line>
			))}
		</Box>
	);
}

export const Chart = memo(ChartView);
