// Three lines: what is watched, what the runbook says to do, how fresh the data is.
import {Box, Text} from 'ink';
import React, {memo} from 'react';
import type {Assessment} from '../../../core/assessment.js';
import type {StackSnapshot} from '../../../core/types.js';
import {recommendation} from '../../layout/concern-text.js';
import {formatAge} from '../../layout/format.js';
import {newestDataAge, sourceLines, type SourceHealth} from '../../layout/source-status.js';
import {levelColor, levelSymbol, tone, type ColorName} from '../../layout/symbols.js';
import {Line} from '../line/index.js';

export interface HeaderProps {
	width: number;
	color: boolean;
	project: string;
	service: string;
	dockerEndpoint: string;
	mode: 'live' | 'demo';
	readOnly: boolean;
	dryRun?: boolean;
	paused: boolean;
	max: number;
	intervalMs: number;
	/** Undefined before the first reading. */
	snapshot: StackSnapshot | undefined;
	assessment: Assessment | undefined;
	/** The frame's time: ages are measured against it, so a paused screen stays consistent. */
	now: number;
}

const healthColor: Record<SourceHealth, ColorName | undefined> = {
	ok: undefined,
	stale: 'yellow',
	connecting: 'cyan',
	reconnecting: 'yellow',
	unreachable: 'red',
};

function HeaderView(props: HeaderProps) {
	const {width, color, snapshot, assessment} = props;
	const instances = snapshot?.docker.instances ?? [];
	const notRunning = instances.filter(instance => instance.state !== 'running').length;
	const count = `${instances.length}/${props.max} instances${notRunning > 0 ? ` (${notRunning} not running)` : ''}`;
	const overCapacity = instances.length > props.max;
	const badges = [props.mode === 'demo' ? 'DEMO' : '', props.readOnly ? 'READ-ONLY' : '', props.dryRun ? 'DRY RUN' : '', props.paused ? 'PAUSED' : ''].filter(Boolean);

	const advice = assessment ? recommendation(assessment, snapshot?.project ?? props.project) : undefined;
	const sources = snapshot ? sourceLines(snapshot, props.now, props.intervalMs) : [];
	// Problems first: truncation at the right edge must never hide them.
	const troubled = sources.filter(source => source.health !== 'ok');
	const healthy = sources.filter(source => source.health === 'ok');
	const age = newestDataAge(sources, props.now);

	return (
		<Box flexDirection="column" width={width} height={3}>
			<Line>
				<Text bold>va-top</Text>
				{badges.map(badge => (
					<Text key={badge}>
						{' '}
						<Text inverse={color} color={tone(color, badge === 'PAUSED' ? 'cyan' : 'yellow')}>
							{color ? ` ${badge} ` : `[${badge}]`}
						</Text>
					</Text>
				))}
				<Text>{` ${props.project}/${props.service} · `}</Text>
				<Text color={tone(color, overCapacity ? 'red' : undefined)}>{count}</Text>
				<Text dimColor={color}>{` · docker ${props.dockerEndpoint}`}</Text>
			</Line>
			{advice ? (
				<Line>
					<Text bold color={tone(color, levelColor[advice.level])}>
						{advice.text}
					</Text>
					{advice.details.length > 0 ? <Text>{` · ${advice.details.join(' · ')}`}</Text> : null}
				</Line>
			) : (
				<Line dim={color}>waiting for the first reading…</Line>
			)}
			<Line>
				<Text>{age === null ? 'no data yet' : `data ${formatAge(age)} old`}</Text>
				{troubled.map(source => (
					<Text key={source.name}>
						{' · '}
						<Text color={tone(color, healthColor[source.health])}>{`${levelSymbol.UNKNOWN} ${source.text}`}</Text>
					</Text>
				))}
				{healthy.length > 0 ? <Text dimColor={color}>{` · ${healthy.map(source => source.text).join(' · ')}`}</Text> : null}
			</Line>
		</Box>
	);
}

export const Header = memo(HeaderView);
