// Every key, and what the marks mean. Replaces the body while open.
import React, {memo} from 'react';
import {limitChar, thresholdChar} from '../../layout/chart-fit.js';
import {levelSymbol, tone} from '../../layout/symbols.js';
import {fitLine, styledLine, type StyledLine} from '../../layout/styled-text.js';
import {Lines} from '../lines/index.js';

export interface HelpOverlayProps {
	width: number;
	height: number;
	color: boolean;
	/** The action keys are bound (a runner, not --read-only): listed only then. */
	actions?: {dryRun: boolean; min: number; max: number; swarm?: boolean} | null;
}

export const helpKeys: ReadonlyArray<readonly [string, string]> = [
	['↑ ↓  j k', 'select an instance (its CPU and memory charts)'],
	['PgUp PgDn g G', 'a page of the table up or down; the first, the last'],
	['!', 'the worst instance (by its marks, then its CPU or memory)'],
	['C  M  N', 'sort by CPU, memory, name/number; the same key reverses'],
	['/', 'filter by name: text or a glob (api_2*); Enter keeps it'],
	['t  e', 'the table alone; the event log (↑↓ PgUp PgDn g G scroll it)'],
	['a  c  x', 'every concern; next chart page; expand/collapse the stack panel'],
	['1 2 3 4  p', 'chart window: 1 m, 5 m, 15 m, 1 h; p pauses (readings go on)'],
	['S', 'incident snapshot: a Markdown and a JSON file, named in the log'],
	['?  Esc', 'show or close this help; Esc also clears /, closes t, e and a'],
	['q  Ctrl-C', 'quit'],
];

/** Rows before the action keys: the moving, finding and window keys, and the snapshot. */
const beforeActions = 9;

/** The keys that work now: the monitor's, plus the action keys when they are bound. */
export function helpKeyRows(actions: HelpOverlayProps['actions']): ReadonlyArray<readonly [string, string]> {
	if (!actions) return helpKeys;
	// Each text fits 80 columns after the 16-cell key column.
	return [
		...helpKeys.slice(0, beforeActions),
		['+  -', `scale up or down by one, within --min ${actions.min} / --max ${actions.max} (asks first)`],
		['s', 'scale to an exact count: type it, then Enter (asks first)'],
		['d', 'drain the selected instance, then remove it (asks first)'],
		...(actions.swarm === true ? [['D', 'on a node line (or a task on it): drain that Swarm node, or back to active'] as const] : []),
		['y', 'confirms; any other key cancels (ignored for the first 0.3 s)'],
		['Esc', 'aborts a drain in progress, putting the instance back'],
		['A', 'autoscale on (asks first) or off; a key in its countdown cancels it'],
		...(actions.dryRun ? [['', 'DRY RUN: actions show and log what they would do, change nothing'] as const] : []),
		...helpKeys.slice(beforeActions),
	];
}

const marks: readonly string[] = [
	`${levelSymbol.SOON} SOON  ${levelSymbol.IMMEDIATE} IMMEDIATE  ${levelSymbol.UNKNOWN} not assessed  ${thresholdChar}${thresholdChar} threshold  ${limitChar}${limitChar} 100 % (1 core)  ↓ sort`,
	`cpu 84% ${levelSymbol.SOON} 6m12s → IMMEDIATE at 10m: CPU over its limit, the clock to IMMEDIATE`,
];

/** The help's lines, cut to the height and fitted to the width. */
export function helpLines({width, height, color, actions}: HelpOverlayProps): StyledLine[] {
	const lines: StyledLine[] = [
		styledLine('Keys', {bold: true}),
		...helpKeyRows(actions).map(([keys, what]) => styledLine([{text: `  ${keys.padEnd(14)}`, style: {bold: true, color: tone(color, 'cyan')}}, {text: what}])),
		styledLine('Marks', {bold: true}),
		...marks.map(text => styledLine(`  ${text}`)),
	];
	return lines.slice(0, Math.max(0, height)).map(line => fitLine(line, width));
}

function HelpOverlayView(props: HelpOverlayProps) {
	return <Lines lines={helpLines(props)} width={props.width} height={props.height} />;
}

export const HelpOverlay = memo(HelpOverlayView);
