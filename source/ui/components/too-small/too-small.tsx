// Below the minimum size: one plain sentence instead of a garbled screen.
import {Box} from 'ink';
import React, {memo} from 'react';
import {minColumns, minRows} from '../../layout/screen-layout.js';
import {Line} from '../line/index.js';

export interface TooSmallProps {
	columns: number;
	rows: number;
}

export function tooSmallText(columns: number, rows: number): string {
	return `va-top needs at least ${minColumns}x${minRows}, this pane is ${columns}x${rows}`;
}

function TooSmallView({columns, rows}: TooSmallProps) {
	// A one-row pane has no line to spare (the frame must stay under the last row).
	if (rows < 2) return null;
	return (
		<Box width={Math.max(1, columns)} height={1}>
			<Line>{tooSmallText(columns, rows)}</Line>
		</Box>
	);
}

export const TooSmall = memo(TooSmallView);
