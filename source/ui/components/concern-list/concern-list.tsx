// Every concern that holds, worst first, each in full (`a` opens it): the recommendation line shows only the worst
// and a count of the rest, so this is where each of them can be read. Replaces the body while open.
import React, {memo} from 'react';
import type {Assessment} from '../../../core/assessment.js';
import {recommendation} from '../../layout/concern-text.js';
import {wrapText} from '../../layout/format.js';
import {levelColor, levelSymbol, tone} from '../../layout/symbols.js';
import {fitLine, styledLine, type StyledLine} from '../../layout/styled-text.js';
import {Lines} from '../lines/index.js';

export interface ConcernListProps {
	assessment: Assessment | undefined;
	width: number;
	height: number;
	color: boolean;
	project: string;
}

/** The list's lines: a heading with the verdict, then each concern's message wrapped to the width. */
export function concernListLines({assessment, width, height, color, project}: ConcernListProps): StyledLine[] {
	const lines: StyledLine[] = [];
	if (assessment === undefined) {
		lines.push(styledLine('Concerns: waiting for the first reading…', {bold: true}));
	} else {
		const advice = recommendation(assessment, project);
		const count = assessment.concerns.length;
		lines.push(
			styledLine([
				{text: `Concerns (${count}) · `, style: {bold: true}},
				{text: advice.text, style: {bold: true, color: tone(color, levelColor[advice.level])}},
				{text: '  a or Esc closes', style: {dim: color}},
			]),
		);
		if (count === 0) lines.push(styledLine('  none: every threshold holds and every source answers'));
		for (const concern of assessment.concerns) {
			const head = `${levelSymbol[concern.level].padEnd(2)} ${concern.level.padEnd(9)} `;
			wrapText(concern.message, Math.max(10, width - head.length)).forEach((text, index) => {
				lines.push(
					styledLine([
						{text: index === 0 ? head : ' '.repeat(head.length), style: {bold: true, color: tone(color, levelColor[concern.level])}},
						{text},
					]),
				);
			});
		}
	}

	const shown = lines.slice(0, Math.max(0, height));
	if (lines.length > height && height > 0) shown[height - 1] = styledLine(`  … ${lines.length - height + 1} more lines (a taller terminal shows them)`, {dim: color});
	return shown.map(line => fitLine(line, width));
}

function ConcernListView(props: ConcernListProps) {
	return <Lines lines={concernListLines(props)} width={props.width} height={props.height} />;
}

export const ConcernList = memo(ConcernListView);
