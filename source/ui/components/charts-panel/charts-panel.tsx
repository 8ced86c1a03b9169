// Four charts: a 2x2 grid, or one row of four when the pane is short.
import {Box} from 'ink';
import React, {memo} from 'react';
import type {ChartsLayout} from '../../layout/screen-layout.js';
import {Chart, type ChartProps} from '../chart/index.js';

export type ChartSpec = Omit<ChartProps, 'width' | 'height' | 'color'> & {key: string};

export interface ChartsPanelProps {
	charts: readonly ChartSpec[];
	layout: ChartsLayout;
	color: boolean;
}

function ChartsPanelView({charts, layout, color}: ChartsPanelProps) {
	if (layout.height <= 0) return null;
	const perRow = layout.widths.length;
	const rows: ChartSpec[][] = [];
	for (let i = 0; i < layout.rows; i++) rows.push(charts.slice(i * perRow, (i + 1) * perRow));
	return (
		<Box flexDirection="column" height={layout.height * layout.rows}>
			{rows.map((row, rowIndex) => (
				<Box key={rowIndex} flexDirection="row" height={layout.height}>
					{row.map(({key, ...spec}, index) => (
						<Chart key={key} {...spec} width={layout.widths[index]!} height={layout.height} color={color} />
					))}
				</Box>
			))}
		</Box>
	);
}

export const ChartsPanel = memo(ChartsPanelView);
