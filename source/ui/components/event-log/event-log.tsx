// Breaches begun and ended, sources lost and found, the actions: newest at the bottom. With the focus (`e`) it scrolls
// back through every entry and wraps long lines instead of cutting them.
import React, {memo} from 'react';
import type {EventEntry} from '../../../core/event-log.js';
import {formatClock, wrapText} from '../../layout/format.js';
import {fitLine, styledLine, type Span, type StyledLine} from '../../layout/styled-text.js';
import {levelColor, levelSymbol, tone} from '../../layout/symbols.js';
import {Lines} from '../lines/index.js';

export interface EventLogProps {
	events: readonly EventEntry[];
	width: number;
	/** Lines, the title included; 0 renders nothing. */
	height: number;
	color: boolean;
	/** The log has the keys: long lines wrap, and `scroll` entries back from the newest are shown. */
	focused?: boolean;
	/** Entries back from the newest (0: the newest is the last line). */
	scroll?: number;
}

function entrySpans(event: EventEntry, color: boolean): Span[] {
	return [
		{text: `${formatClock(event.at)} `, style: {dim: color}},
		{text: `${levelSymbol[event.level]} ${event.level} `, style: {color: tone(color, levelColor[event.level]), bold: event.level === 'IMMEDIATE'}},
		{text: event.text},
	];
}

/** One entry as lines of the width: the first with its time and level, the rest indented under its text. */
function wrappedEntry(event: EventEntry, width: number, color: boolean): StyledLine[] {
	const [time, level] = entrySpans(event, color) as [Span, Span, Span];
	const head = time.text.length + level.text.length;
	const indent = Math.min(head, Math.max(0, width - 20));
	const parts = wrapText(event.text, Math.max(1, width - indent));
	if (parts.length === 0) return [styledLine([time, level])];
	return parts.map((part, index) => (index === 0 ? styledLine([time, level, {text: part}]) : styledLine(' '.repeat(indent) + part)));
}

/** The title and the entries that fit, each fitted to the width. */
export function eventLogLines({events, width, height, color, focused = false, scroll = 0}: EventLogProps): StyledLine[] {
	if (height <= 0) return [];
	const room = height - 1;
	const end = Math.max(0, events.length - Math.max(0, scroll));
	if (!focused) {
		const shown = room > 0 ? events.slice(Math.max(0, end - room), end) : [];
		const lines: StyledLine[] = [styledLine(`EVENTS${events.length > shown.length ? ` (last ${shown.length} of ${events.length}; e scrolls)` : ''}`, {bold: true})];
		if (events.length === 0 && room > 0) lines.push(styledLine('no breaches so far', {dim: color}));
		for (const event of shown) lines.push(styledLine(entrySpans(event, color)));
		return lines.map(line => fitLine(line, width));
	}

	// Focused: whole entries, wrapped, filled upward from the entry `scroll` back from the newest.
	const body: StyledLine[] = [];
	let first = end;
	while (first > 0) {
		const lines = wrappedEntry(events[first - 1]!, width, color);
		if (body.length + lines.length > room && body.length > 0) break;
		body.unshift(...lines);
		first--;
	}

	const position = events.length === 0 ? 'none yet' : `${first + 1}-${end} of ${events.length}`;
	const title = styledLine([
		{text: `EVENTS ${position}`, style: {bold: true}},
		{text: ' · ↑↓ PgUp PgDn g G scroll · e or Esc closes', style: {color: tone(color, 'cyan')}},
	]);
	const lines = [title, ...body.slice(Math.max(0, body.length - room))];
	return lines.map(line => fitLine(line, width));
}

function EventLogView(props: EventLogProps) {
	return <Lines lines={eventLogLines(props)} width={props.width} height={props.height} />;
}

export const EventLog = memo(EventLogView);
