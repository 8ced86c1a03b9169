// The confirmation, drawn in the space of the charts and the log so the instance table stays in view: the one thing
// about the actions that covers part of the screen (the count and the results are the status line). Renders the
// lines layout/action-text.ts made; decides nothing.
import React, {memo} from 'react';
import type {ActionDialog as Dialog} from '../../hooks/use-action-state.js';
import {dialogLines, type DialogContext, type DialogLineStyle} from '../../layout/action-text.js';
import {tone, type ColorName} from '../../layout/symbols.js';
import {fitLine, styledLine, type StyledLine} from '../../layout/styled-text.js';
import {Lines} from '../lines/index.js';

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

/** The dialog's lines (layout/action-text.ts decides them), styled and fitted to the width. */
export function actionDialogLines({dialog, context, width, height, color}: ActionDialogProps): StyledLine[] {
	if (height <= 0) return [];
	return dialogLines(dialog, width, height, context).map(line =>
		fitLine(
			styledLine(line.text, {
				bold: line.style === 'title' || line.style === 'warn' || line.style === 'input' || line.style === 'keys',
				inverse: line.style === 'title' && color,
				color: tone(color, line.style === 'title' ? line.color : styleColor[line.style]),
			}),
			width,
		),
	);
}

function ActionDialogView(props: ActionDialogProps) {
	return <Lines lines={actionDialogLines(props)} width={props.width} height={props.height} />;
}

export const ActionDialog = memo(ActionDialogView);
