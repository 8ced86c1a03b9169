// Three lines: what is watched, what the runbook says to do, how fresh the data is.
import React, {memo} from 'react';
import {runningCount} from '../../../core/action-rules.js';
import type {Assessment} from '../../../core/assessment.js';
import type {AnySourceModel} from '../../../core/source-model.js';
import type {StackSnapshot} from '../../../core/types.js';
import {recommendation} from '../../layout/concern-text.js';
import {formatAge, textWidth, truncate} from '../../layout/format.js';
import {oldestDataAge, sourceLines, type SourceHealth} from '../../layout/source-status.js';
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
	/** --min: a running count under it is marked, as one over --max is. */
	min?: number;
	intervalMs: number;
	/** Undefined before the first reading. */
	snapshot: StackSnapshot | undefined;
	assessment: Assessment | undefined;
	/** The frame's time: ages are measured against it, so a paused screen stays consistent. */
	now: number;
	/** The sources' models, for their order and status summaries. */
	sources?: readonly AnySourceModel[];
}

/** The key that lists every concern (the recommendation line shows the worst and a count of the rest). */
export const allConcernsKey = 'a';

/** A detail is cut to no fewer cells than this; shorter, it says nothing and the count says it better. */
const minDetail = 16;

/**
 * The headline fitted to the width: the level and the runbook's action whole, then as many details as fit whole
 * (worst first), then a count of the rest (`+2 more (a)`), so no concern is ever cut off unseen. When no detail fits
 * whole, the worst is cut (`…`) if enough of it fits; else only their number (`3 concerns (a)`). Only when the
 * headline and that do not fit together is the action cut.
 */
export function fitHeadline(head: string, details: readonly string[], width: number): {head: string; details: string[]} {
	const more = (hidden: number) => (hidden > 0 ? [`+${hidden} more (${allConcernsKey})`] : []);
	const length = (parts: readonly string[]) => parts.reduce((sum, part) => sum + textWidth(` · ${part}`), 0);
	const fits = (parts: readonly string[]) => textWidth(head) + length(parts) <= width;
	let shown = 0;
	while (shown < details.length && fits([...details.slice(0, shown + 1), ...more(details.length - shown - 1)])) shown++;
	if (shown > 0) return {head, details: [...details.slice(0, shown), ...more(details.length - shown)]};
	if (details.length === 0) return {head: truncate(head, width), details: []};
	const countOthers = more(details.length - 1);
	const worstRoom = width - textWidth(head) - length(countOthers) - 3;
	if (worstRoom >= minDetail) return {head, details: [truncate(details[0]!, worstRoom), ...countOthers]};
	// None shown: the headline's action is the worst one's; the count is of all of them.
	const countAll = [`${details.length} concern${details.length === 1 ? '' : 's'} (${allConcernsKey})`];
	return {head: truncate(head, Math.max(1, width - length(countAll))), details: countAll};
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
	// A Swarm service: the replicas it is meant to have, and how many of its tasks are not running; else the count the
	// actions go by (running, restarting, paused). Either is marked when it is outside --min/--max.
	const desired = swarm?.desiredReplicas ?? null;
	const counted = desired ?? runningCount(instances);
	const outside = counted > props.max ? ` ${levelSymbol.SOON} above --max ${props.max}` : counted < (props.min ?? 0) && snapshot !== undefined ? ` ${levelSymbol.SOON} below --min ${props.min}` : '';
	const count =
		swarm === undefined || desired === null
			? `${instances.length}/${props.max} instances${notRunning > 0 ? ` (${notRunning} not running)` : ''}${outside}`
			: `${desired}/${props.max} replicas${swarm.runningTasks !== desired ? ` (${swarm.runningTasks} running)` : ''}${swarm.mode === 'global' ? ' global' : ''}${outside}`;
	const overCapacity = outside !== '';
	const badges = [props.mode === 'demo' ? 'DEMO' : '', props.readOnly ? 'READ-ONLY' : '', props.dryRun ? 'DRY RUN' : '', props.paused ? 'PAUSED' : ''].filter(Boolean);

	const advice = assessment ? recommendation(assessment, snapshot?.project ?? props.project) : undefined;
	const sources = snapshot ? sourceLines(snapshot, props.now, props.intervalMs, props.sources) : [];
	// Problems first: truncation at the right edge must never hide them.
	const troubled = sources.filter(source => source.health !== 'ok');
	const healthy = sources.filter(source => source.health === 'ok');
	// The oldest reading the verdict used, as the rules found it; else the oldest of the sources still answering.
	const oldestAt = assessment?.oldestDataAt;
	const age = oldestAt !== undefined && oldestAt !== null ? Math.max(0, props.now - oldestAt) : oldestDataAge(sources, props.now);

	const first: Span[] = [{text: 'va-top', style: {bold: true}}];
	for (const badge of badges) {
		first.push({text: ' '}, {text: color ? ` ${badge} ` : `[${badge}]`, style: {inverse: color, color: tone(color, badge === 'PAUSED' ? 'cyan' : 'yellow')}});
	}

	first.push(
		{text: ` ${props.project}/${props.service} · `},
		{text: count, style: {color: tone(color, overCapacity ? 'red' : undefined)}},
		{text: ` · ${swarm === undefined ? 'docker' : `swarm ${swarm.service} via`} ${props.dockerEndpoint}`, style: {dim: color}},
	);
	let second: StyledLine;
	if (advice) {
		const fitted = fitHeadline(advice.text, advice.details, width);
		const rest = fitted.details;
		second = styledLine([{text: fitted.head, style: {bold: true, color: tone(color, levelColor[advice.level])}}, ...(rest.length > 0 ? [{text: ` · ${rest.join(' · ')}`}] : [])]);
	} else {
		second = styledLine('waiting for the first reading…', {dim: color});
	}

	const third: Span[] = [{text: age === null ? 'no data yet' : `data ${formatAge(age)} old`}];
	for (const source of troubled) third.push({text: ' · '}, {text: `${levelSymbol.UNKNOWN} ${source.text}`, style: {color: tone(color, healthColor[source.health])}});
	if (healthy.length > 0) third.push({text: ` · ${healthy.map(source => source.text).join(' · ')}`, style: {dim: color}});
	return [styledLine(first), second, styledLine(third)].map(line => fitLine(line, width));
}

function HeaderView(props: HeaderProps) {
	return <Lines lines={headerLines(props)} width={props.width} height={3} />;
}

export const Header = memo(HeaderView);
