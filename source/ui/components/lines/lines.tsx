// Styled lines drawn by Ink, one <Text> each: how a view rendered on its own (tests, ink-testing-library) shows.
import {Box, Text} from 'ink';
import React, {memo, useContext} from 'react';
import {FrameOutputContext} from '../../contexts/frame-output-context.js';
import {renderLine, type StyledLine} from '../../layout/styled-text.js';

export interface LinesProps {
	lines: readonly StyledLine[];
	width: number;
	/** Defaults to the number of lines. */
	height?: number;
}

/** One finished line; unchanged text is not re-rendered. */
export const TextLine = memo(function TextLine({text}: {text: string}) {
	return <Text wrap="truncate">{text === '' ? ' ' : text}</Text>;
});

export function Lines({lines, width, height = lines.length}: LinesProps) {
	const {sgr} = useContext(FrameOutputContext);
	if (height <= 0 || lines.length === 0) return null;
	return (
		<Box flexDirection="column" width={Math.max(1, width)} height={height}>
			{lines.slice(0, height).map((line, index) => (
				// Rows of a fixed-size box: the index is the identity.
				<TextLine key={index} text={renderLine(line, width, sgr)} />
			))}
		</Box>
	);
}
