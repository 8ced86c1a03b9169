// The open action dialog (count input, confirmation, notice), drawn in the space of the charts and the log so the
// instance table stays in view. Renders the lines layout/action-text.ts made; decides nothing.
import {Box} from 'ink';
import React, {memo} from 'react';
import type {ActionDialog as Dialog} from '../../hooks/use-action-state.js';
import {dialogLines, type DialogContext, type DialogLineStyle} from '../../layout/action-text.js';
import {tone, type ColorName} from '../../layout/symbols.js';
import {Line} from '../line/index.js';

export interface ActionDialogProps {
	dialog: Dialog;
	context: DialogContext;
	width: number;
	height: number;
	color: boolean;
}

const styleColor: Record<DialogLineStyle, ColorName | undefined> = {
	title: undefined,
	plain: undefined,
	step: undefined,
	warn: 'red',
	keys: 'cyan',
	input: undefined,
	dim: 'gray',
};

function ActionDialogView({dialog, context, width, height, color}: ActionDialogProps) {
	if (height <= 0) return null;
	const lines = dialogLines(dialog, width, height, context);
	return (
		<Box flexDirection="column" width={width} height={height}>
			{lines.map((line, index) => (
				// A fixed list per dialog: the index is the identity.
				<Line
					key={index}
					bold={line.style === 'title' || line.style === 'warn' || line.style === 'input' || line.style === 'keys'}
					inverse={line.style === 'title' && color}
					color={tone(color, line.style === 'title' ? line.color : styleColor[line.style])}
				>
					{line.text}
				</Line>
			))}
		</Box>
	);
}

export const ActionDialog = memo(ActionDialogView);
