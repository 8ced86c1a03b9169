// The keys that work right now, and the action in progress.
import {useStdout} from 'ink';
import React, {memo} from 'react';
import type {ChartWindow} from '../../hooks/use-monitor-state.js';
import {tone} from '../../layout/symbols.js';
import {styledLine, type Span, type StyledLine} from '../../layout/styled-text.js';
import {Lines} from '../lines/index.js';

export interface FooterActions {
	/** + - s d are bound (a runner, not --read-only). */
	bound: boolean;
	/** The dialog open now. */
	dialog: 'none' | 'input' | 'confirm' | 'notice';
	/** One line about the action in progress, or null. */
	running: string | null;
	/** Esc aborts the action in progress. */
	abortable: boolean;
}

export interface FooterProps {
	color: boolean;
	help: boolean;
	paused: boolean;
	canSelect: boolean;
	window: ChartWindow;
	actions?: FooterActions;
	/** The chart page shown and how many there are; omitted when there is one (no `c` then). */
	chartPage?: {page: number; pages: number};
	/** Cells; defaults to the terminal's width. */
	width?: number;
}

interface KeyHint {
	keys: string;
	what: string;
}

const noActions: FooterActions = {bound: false, dialog: 'none', running: null, abortable: false};

export function footerHints({help, paused, canSelect, window, actions = noActions, chartPage}: Omit<FooterProps, 'color' | 'width'>): KeyHint[] {
	// A dialog takes the keys, even over the help.
	if (actions.dialog === 'confirm') return [{keys: 'y', what: 'confirm'}, {keys: 'any other key', what: 'cancels'}];
	if (actions.dialog === 'input') return [{keys: '0-9', what: 'count'}, {keys: 'Enter', what: 'plan'}, {keys: 'Backspace', what: 'erase'}, {keys: 'Esc', what: 'cancel'}];
	if (actions.dialog === 'notice') return [{keys: 'any key', what: 'closes'}];
	if (help) return [{keys: '?', what: 'close help'}, {keys: 'q', what: 'quit'}];
	const busy = actions.running !== null;
	return [
		...(actions.abortable ? [{keys: 'Esc', what: 'abort'}] : []),
		...(canSelect ? [{keys: '↑↓/jk', what: 'select'}] : []),
		{keys: '1-4', what: `window ${window}`},
		...(chartPage ? [{keys: 'c', what: `charts ${chartPage.page}/${chartPage.pages}`}] : []),
		{keys: 'p', what: paused ? 'resume' : 'pause'},
		// While one action runs no other can start: the keys are not offered.
		...(actions.bound && !busy ? [{keys: '+/-/s', what: 'scale'}, {keys: 'd', what: 'drain'}] : []),
		{keys: '?', what: 'help'},
		{keys: 'q', what: 'quit'},
	];
}

/** The words a hint can lose when the line is too wide, least needed first: the keys themselves always stay. */
const shorter: Array<(hint: KeyHint) => KeyHint> = [
	hint => (hint.keys === 'c' ? {...hint, what: hint.what.replace(/^charts /, '')} : hint),
	hint => (hint.keys === '1-4' ? {...hint, what: hint.what.replace(/^window /, '')} : hint),
	hint => (hint.keys === '↑↓/jk' ? {...hint, what: 'sel'} : hint),
];

function lineLength(hints: readonly KeyHint[], running: string | null): number {
	return (running === null ? 0 : running.length + 2) + hints.reduce((sum, hint, index) => sum + (index > 0 ? 2 : 0) + hint.keys.length + 1 + hint.what.length, 0);
}

/** With a width: shortens the hints' words until `? help  q quit` fit (more chart pages made the 80-column line spill). */
function fitHints(hints: KeyHint[], width: number | undefined, running: string | null): KeyHint[] {
	let fitted = hints;
	for (const shorten of shorter) {
		if (width === undefined || lineLength(fitted, running) <= width) break;
		fitted = fitted.map(shorten);
	}

	return fitted;
}

/** The one line of keys (not fitted: the screen fits it to its width, and with `width` its words are shortened first). */
export function footerLine({color, ...state}: FooterProps): StyledLine {
	const hints = fitHints(footerHints(state), state.width, state.actions?.running ?? null);
	const running = state.actions?.running ?? null;
	const spans: Span[] = running === null ? [] : [{text: `${running}  `, style: {bold: true, color: tone(color, 'yellow')}}];
	hints.forEach((hint, index) => {
		spans.push({text: index > 0 ? '  ' : ''}, {text: hint.keys, style: {bold: true, color: tone(color, 'cyan')}}, {text: ` ${hint.what}`});
	});
	return styledLine(spans);
}

function FooterView(props: FooterProps) {
	const {stdout} = useStdout();
	// A <Text> in a box as wide as the terminal, as it always was: the screen passes its own width.
	return <Lines lines={[footerLine(props)]} width={props.width ?? (stdout.columns || 80)} />;
}

export const Footer = memo(FooterView);
