// The keys that work right now, and the action in progress.
import {Text} from 'ink';
import React, {memo} from 'react';
import type {ChartWindow} from '../../hooks/use-monitor-state.js';
import {tone} from '../../layout/symbols.js';
import {Line} from '../line/index.js';

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
}

interface KeyHint {
	keys: string;
	what: string;
}

const noActions: FooterActions = {bound: false, dialog: 'none', running: null, abortable: false};

export function footerHints({help, paused, canSelect, window, actions = noActions}: Omit<FooterProps, 'color'>): KeyHint[] {
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
		{keys: 'p', what: paused ? 'resume' : 'pause'},
		// While one action runs no other can start: the keys are not offered.
		...(actions.bound && !busy ? [{keys: '+/-/s', what: 'scale'}, {keys: 'd', what: 'drain'}] : []),
		{keys: '?', what: 'help'},
		{keys: 'q', what: 'quit'},
	];
}

function FooterView({color, ...state}: FooterProps) {
	const hints = footerHints(state);
	const running = state.actions?.running ?? null;
	return (
		<Line>
			{running === null ? null : (
				<Text bold color={tone(color, 'yellow')}>
					{`${running}  `}
				</Text>
			)}
			{hints.map((hint, index) => (
				<Text key={hint.keys}>
					{index > 0 ? '  ' : ''}
					<Text bold color={tone(color, 'cyan')}>
						{hint.keys}
					</Text>
					{` ${hint.what}`}
				</Text>
			))}
		</Line>
	);
}

export const Footer = memo(FooterView);
