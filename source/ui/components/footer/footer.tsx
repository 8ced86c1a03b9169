// The status line: what is being typed (`/` filter, the count after `s`), the action in progress, the last action's
// result or refusal, and the keys that work right now.
import {useStdout} from 'ink';
import React, {memo} from 'react';
import type {ChartWindow} from '../../hooks/use-monitor-state.js';
import type {StatusText} from '../../layout/action-text.js';
import type {BodyView} from '../../layout/screen-layout.js';
import {tone} from '../../layout/symbols.js';
import {styledLine, type Span, type StyledLine} from '../../layout/styled-text.js';
import {Lines} from '../lines/index.js';

export interface FooterActions {
	/** + - s d are bound (a runner, not --read-only). */
	bound: boolean;
	/** The dialog open now: the count being typed, or the confirmation. */
	dialog: 'none' | 'input' | 'confirm';
	/** The confirmation wants the number removed typed, not y. */
	explicit?: boolean;
	/** One line about the action in progress, or null. */
	running: string | null;
	/** Esc aborts the action in progress. */
	abortable: boolean;
}

export interface FooterFilter {
	/** The text being typed after `/`, or null when not typing. */
	input: string | null;
	/** Rows that match, of all instances. */
	matches: number;
	total: number;
}

export interface FooterProps {
	color: boolean;
	help: boolean;
	paused: boolean;
	canSelect: boolean;
	window: ChartWindow;
	actions?: FooterActions;
	/** What the body shows: the table alone (t), the log with the keys (e). */
	view?: BodyView;
	filter?: FooterFilter;
	/** The count prompt, or the last result or refusal, from the actions. */
	status?: StatusText | null;
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

/**
 * The keys that work now. `compact` is for a pane too narrow for them all: the arrows (known to everyone, and in `?`)
 * go and `c` loses its word, so the finding keys, scale and drain, `? help` and `q quit` still fit 80 columns.
 */
export function footerHints({help, paused, canSelect, window, actions = noActions, view = 'normal', chartPage}: Omit<FooterProps, 'color' | 'width'>, compact = false): KeyHint[] {
	// A dialog takes the keys, even over the help.
	if (actions.dialog === 'confirm') {
		if (actions.explicit) return [{keys: '0-9', what: 'the number removed'}, {keys: 'Enter', what: 'confirm'}, {keys: 'any other key', what: 'cancels'}];
		return [{keys: 'y', what: 'confirm'}, {keys: 'any other key', what: 'cancels'}];
	}

	if (actions.dialog === 'input') return [{keys: '0-9', what: 'count'}, {keys: 'Enter', what: 'plan'}, {keys: 'Backspace', what: 'erase'}, {keys: 'Esc', what: 'cancel'}];
	if (help) return [{keys: '?', what: 'close help'}, {keys: 'q', what: 'quit'}];
	if (view === 'log') return [{keys: '↑↓/jk PgUp PgDn g G', what: 'scroll the log'}, {keys: 'e/Esc', what: 'close'}, {keys: '?', what: 'help'}, {keys: 'q', what: 'quit'}];
	const busy = actions.running !== null;
	// While one action runs no other can start: the keys are not offered.
	const act = actions.bound && !busy ? [{keys: '+/-/s', what: 'scale'}, {keys: 'd', what: 'drain'}] : [];
	// Finding the worst first: at 80 columns the line is cut, and ? lists every key.
	return [
		...(actions.abortable ? [{keys: 'Esc', what: 'abort'}] : []),
		...(canSelect ? [...(compact ? [] : [{keys: '↑↓/jk', what: 'select'}]), {keys: '!', what: 'worst'}, {keys: '/', what: 'filter'}, {keys: 'C/M/N', what: 'sort'}] : []),
		// More charts than one page holds: said early, or they would go unseen.
		...(chartPage ? [{keys: 'c', what: `${compact ? '' : 'charts '}${chartPage.page}/${chartPage.pages}`}] : []),
		...(compact ? act : []),
		{keys: '?', what: 'help'},
		{keys: 'q', what: 'quit'},
		...(compact ? [] : act),
		{keys: 't', what: view === 'table' ? 'all panels' : 'table'},
		{keys: 'e', what: 'events'},
		{keys: '1-4', what: `window ${window}`},
		{keys: 'p', what: paused ? 'resume' : 'pause'},
	];
}

/**
 * The one line (not fitted: the screen fits it to its width). `? help  q quit` come right after the keys that find
 * the worst (and the chart pages), so a narrow pane cuts only keys that `?` also lists.
 */
export function footerLine({color, ...state}: FooterProps): StyledLine {
	const spans: Span[] = [];
	const {filter} = state;
	if (filter !== undefined && filter.input !== null) {
		spans.push(
			{text: `/${filter.input}▏`, style: {bold: true, color: tone(color, 'cyan')}},
			{text: `  ${filter.matches} of ${filter.total} match · `},
			{text: 'Enter', style: {bold: true, color: tone(color, 'cyan')}},
			{text: ' keeps it · '},
			{text: 'Esc', style: {bold: true, color: tone(color, 'cyan')}},
			{text: ' clears'},
		);
		return styledLine(spans);
	}

	// The status answers the last key, so it comes first; while it shows, the action's progress is on its row.
	const status = state.status ?? null;
	const running = state.actions?.running ?? null;
	if (status !== null) spans.push({text: `${status.text}  `, style: {bold: status.strong, color: tone(color, status.color)}});
	else if (running !== null) spans.push({text: `${running}  `, style: {bold: true, color: tone(color, 'yellow')}});
	const hintsWidth = (hints: KeyHint[]) => hints.reduce((sum, hint, index) => sum + (index > 0 ? 2 : 0) + [...`${hint.keys} ${hint.what}`].length, 0);
	const lead = spans.reduce((sum, span) => sum + [...span.text].length, 0);
	let hints = footerHints(state);
	if (state.width !== undefined && lead + hintsWidth(hints) > state.width) hints = footerHints(state, true);
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
