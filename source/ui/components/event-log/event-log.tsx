// Breaches begun and ended, sources lost and found, later the actions: newest at the bottom.
import {Box, Text} from 'ink';
import React, {memo} from 'react';
import type {EventEntry} from '../../../core/event-log.js';
import {formatClock} from '../../layout/format.js';
import {levelColor, levelSymbol, tone} from '../../layout/symbols.js';
import {Line} from '../line/index.js';

export interface EventLogProps {
	events: readonly EventEntry[];
	width: number;
	/** Lines, the title included; 0 renders nothing. */
	height: number;
	color: boolean;
}

function EventLogView({events, width, height, color}: EventLogProps) {
	if (height <= 0) return null;
	const room = height - 1;
	const shown = room > 0 ? events.slice(-room) : [];
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Line bold>
				{`EVENTS${events.length > shown.length ? ` (last ${shown.length} of ${events.length})` : ''}`}
			</Line>
			{events.length === 0 && room > 0 ? <Line dim={color}>no breaches so far</Line> : null}
			{shown.map((event, index) => (
				<Line key={`${event.at}:${event.key}:${events.length - shown.length + index}`}>
					<Text dimColor={color}>{formatClock(event.at)} </Text>
					<Text color={tone(color, levelColor[event.level])} bold={event.level === 'IMMEDIATE'}>
						{`${levelSymbol[event.level]} ${event.level} `}
					</Text>
					<Text>{event.text}</Text>
				</Line>
			))}
		</Box>
	);
}

export const EventLog = memo(EventLogView);
