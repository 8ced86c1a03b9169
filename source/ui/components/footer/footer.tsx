// The keys that work right now.
import {Text} from 'ink';
import React, {memo} from 'react';
import type {ChartWindow} from '../../hooks/use-monitor-state.js';
import {tone} from '../../layout/symbols.js';
import {Line} from '../line/index.js';

export interface FooterProps {
	color: boolean;
	help: boolean;
	paused: boolean;
	canSelect: boolean;
	window: ChartWindow;
}

interface KeyHint {
	keys: string;
	what: string;
}

export function footerHints({help, paused, canSelect, window}: Omit<FooterProps, 'color'>): KeyHint[] {
	if (help) return [{keys: '?', what: 'close help'}, {keys: 'q', what: 'quit'}];
	return [
		...(canSelect ? [{keys: '↑↓/jk', what: 'select'}] : []),
		{keys: '1-4', what: `window ${window}`},
		{keys: 'p', what: paused ? 'resume' : 'pause'},
		{keys: '?', what: 'help'},
		{keys: 'q', what: 'quit'},
	];
}

function FooterView({color, ...state}: FooterProps) {
	const hints = footerHints(state);
	return (
		<Line>
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
