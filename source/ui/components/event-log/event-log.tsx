// Breaches begun and ended, sources lost and found, later the actions: newest at the bottom.
import React, {memo} from 'react';
import type {EventEntry} from '../../../core/event-log.js';
import {formatClock} from '../../layout/format.js';
import {fitLine, styledLine, type StyledLine} from '../../layout/styled-text.js';
import {levelColor, levelSymbol, tone} from '../../layout/symbols.js';
import {Lines} from '../lines/index.js';

export interface EventLogProps {
	events: readonly EventEntry[];
	width: number;
	/** Lines, the title included; 0 renders nothing. */
	height: number;
	color: boolean;
}

/** The title and the newest entries that fit, each fitted to the width. */
export function eventLogLines({events, width, height, color}: EventLogProps): StyledLine[] {
	if (height <= 0) return [];
	const room = height - 1;
	const shown = room > 0 ? events.slice(-room) : [];
	const lines: StyledLine[] = [styledLine(`EVENTS${events.length > shown.length ? ` (last ${shown.length} of ${events.length})` : ''}`, {bold: true})];
	if (events.length === 0 && room > 0) lines.push(styledLine('no breaches so far', {dim: color}));
	for (const event of shown) {
		lines.push(
			styledLine([
				{text: `${formatClock(event.at)} `, style: {dim: color}},
				{text: `${levelSymbol[event.level]} ${event.level} `, style: {color: tone(color, levelColor[event.level]), bold: event.level === 'IMMEDIATE'}},
				{text: event.text},
			]),
		);
	}

	return lines.map(line => fitLine(line, width));
}

function EventLogView(props: EventLogProps) {
	return <Lines lines={eventLogLines(props)} width={props.width} height={props.height} />;
}

export const EventLog = memo(EventLogView);
