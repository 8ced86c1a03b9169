// Below the minimum size: one plain sentence instead of a garbled screen.
import React, {memo} from 'react';
import {minColumns, minRows} from '../../layout/screen-layout.js';
import {fitLine, styledLine, type StyledLine} from '../../layout/styled-text.js';
import {Lines} from '../lines/index.js';

export interface TooSmallProps {
	columns: number;
	rows: number;
}

export function tooSmallText(columns: number, rows: number): string {
	return `va-top needs at least ${minColumns}x${minRows}, this pane is ${columns}x${rows}`;
}

/** One line, cut to the pane; none in a one-row pane (the frame must stay under the last row). */
export function tooSmallLines(columns: number, rows: number): StyledLine[] {
	return rows < 2 ? [] : [fitLine(styledLine(tooSmallText(columns, rows)), Math.max(1, columns))];
}

function TooSmallView({columns, rows}: TooSmallProps) {
	return <Lines lines={tooSmallLines(columns, rows)} width={Math.max(1, columns)} />;
}

export const TooSmall = memo(TooSmallView);
