// Three lines: what is watched, what the runbook says to do, how fresh the data is.
import React, {memo} from 'react';
import type {Assessment} from '../../../core/assessment.js';
import type {AnySourceModel} from '../../../core/source-model.js';
import type {StackSnapshot} from '../../../core/types.js';
import {recommendation} from '../../layout/concern-text.js';
import {formatAge, textWidth} from '../../layout/format.js';
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

/**
 * How many of the details fit after the headline at this width, always at least the worst one; the rest are
 * counted (`+2 more (a)`) so no concern is ever cut off unseen.
 */
export function shownDetails(head: string, details: readonly string[], width: number): number {
	const more = (hidden: number) => (hidden > 0 ? textWidth(` · +${hidden} more (${allConcernsKey})`) : 0);
	let used = textWidth(head);
	let shown = 0;
	for (const detail of details) {
		const next = used + textWidth(` · ${detail}`);
		if (shown > 0 && next + more(details.length - shown - 1) > width) break;
		used = next;
		shown++;
	}

	return shown;
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
	const count = `${instances.length}/${props.max} instances${notRunning > 0 ? ` (${notRunning} not running)` : ''}`;
	const overCapacity = instances.length > props.max;
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
		{text: ` · docker ${props.dockerEndpoint}`, style: {dim: color}},
	);
	let second: StyledLine;
	if (advice) {
		const shown = shownDetails(advice.text, advice.details, width);
		const hidden = advice.details.length - shown;
		const rest = [...advice.details.slice(0, shown), ...(hidden > 0 ? [`+${hidden} more (${allConcernsKey})`] : [])];
		second = styledLine([{text: advice.text, style: {bold: true, color: tone(color, levelColor[advice.level])}}, ...(rest.length > 0 ? [{text: ` · ${rest.join(' · ')}`}] : [])]);
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
