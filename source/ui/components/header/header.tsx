// Three lines: what is watched, what the runbook says to do, how fresh the data is.
import React, {memo} from 'react';
import type {Assessment} from '../../../core/assessment.js';
import type {StackSnapshot} from '../../../core/types.js';
import {recommendation} from '../../layout/concern-text.js';
import {formatAge} from '../../layout/format.js';
import {newestDataAge, sourceLines, type SourceHealth} from '../../layout/source-status.js';
import {levelColor, levelSymbol, tone, type ColorName} from '../../layout/symbols.js';
import {fitLine, styledLine, type Span, type StyledLine} from '../../layout/styled-text.js';
import {Lines} from '../lines/index.js';

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

/** The three lines, each fitted to the width. */
export function headerLines(props: HeaderProps): StyledLine[] {
	const {width, color, snapshot, assessment} = props;
	const instances = snapshot?.docker.instances ?? [];
	const notRunning = instances.filter(instance => instance.state !== 'running').length;
	const swarm = snapshot?.docker.swarm;
	// A Swarm service: the replicas it is meant to have, and how many of its tasks are not running.
	const desired = swarm?.desiredReplicas ?? null;
	const count =
		swarm === undefined || desired === null
			? `${instances.length}/${props.max} instances${notRunning > 0 ? ` (${notRunning} not running)` : ''}`
			: `${desired}/${props.max} replicas${swarm.runningTasks !== desired ? ` (${swarm.runningTasks} running)` : ''}${swarm.mode === 'global' ? ' global' : ''}`;
	const overCapacity = (desired ?? instances.length) > props.max;
	const badges = [props.mode === 'demo' ? 'DEMO' : '', props.readOnly ? 'READ-ONLY' : '', props.dryRun ? 'DRY RUN' : '', props.paused ? 'PAUSED' : ''].filter(Boolean);

	const advice = assessment ? recommendation(assessment, snapshot?.project ?? props.project) : undefined;
	const sources = snapshot ? sourceLines(snapshot, props.now, props.intervalMs) : [];
	// Problems first: truncation at the right edge must never hide them.
	const troubled = sources.filter(source => source.health !== 'ok');
	const healthy = sources.filter(source => source.health === 'ok');
	const age = newestDataAge(sources, props.now);

	const first: Span[] = [{text: 'va-top', style: {bold: true}}];
	for (const badge of badges) {
		first.push({text: ' '}, {text: color ? ` ${badge} ` : `[${badge}]`, style: {inverse: color, color: tone(color, badge === 'PAUSED' ? 'cyan' : 'yellow')}});
	}

	first.push(
		{text: ` ${props.project}/${props.service} · `},
		{text: count, style: {color: tone(color, overCapacity ? 'red' : undefined)}},
		{text: ` · ${swarm === undefined ? 'docker' : `swarm ${swarm.service} via`} ${props.dockerEndpoint}`, style: {dim: color}},
	);
	const second = advice
		? styledLine([{text: advice.text, style: {bold: true, color: tone(color, levelColor[advice.level])}}, ...(advice.details.length > 0 ? [{text: ` · ${advice.details.join(' · ')}`}] : [])])
		: styledLine('waiting for the first reading…', {dim: color});
	const third: Span[] = [{text: age === null ? 'no data yet' : `data ${formatAge(age)} old`}];
	for (const source of troubled) third.push({text: ' · '}, {text: `${levelSymbol.UNKNOWN} ${source.text}`, style: {color: tone(color, healthColor[source.health])}});
	if (healthy.length > 0) third.push({text: ` · ${healthy.map(source => source.text).join(' · ')}`, style: {dim: color}});
	return [styledLine(first), second, styledLine(third)].map(line => fitLine(line, width));
}

function HeaderView(props: HeaderProps) {
	return <Lines lines={headerLines(props)} width={props.width} height={3} />;
}

export const Header = memo(HeaderView);
