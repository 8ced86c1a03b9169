// The stack panel: the Compose project's other services (postgres, redis, nginx, …) under the table. Collapsed, one
// line (`stack  nginx 1/2 · postgres 1/1 ▲▲ · redis 1/1`); expanded (`x`, or a wide screen), a line per service with
// its hottest container's CPU and memory, restarts and health. The app service stays the table's and charts' focus.
import React, {memo} from 'react';
import type {Assessment, ConcernLevel} from '../../../core/assessment.js';
import type {ServiceSummary} from '../../../core/stack-services.js';
import type {InstanceSample} from '../../../core/types.js';
import {fit, formatBytes, formatPercent} from '../../layout/format.js';
import {fitLine, lineWidth, styledLine, type Span, type StyledLine} from '../../layout/styled-text.js';
import {levelColor, levelRank, levelSymbol, tone} from '../../layout/symbols.js';
import {Lines} from '../lines/index.js';

export interface StackPanelProps {
	services: readonly ServiceSummary[];
	/** The containers behind the summaries: a concern names a container, the panel marks its service. */
	others: readonly InstanceSample[];
	assessment: Assessment | undefined;
	expanded: boolean;
	width: number;
	/** Lines; 0 renders nothing. */
	height: number;
	color: boolean;
}

/** The lines the panel asks for: 1 collapsed, a title and a line per service expanded; 0 without other services. */
export function stackPanelHeight(serviceCount: number, expanded: boolean): number {
	if (serviceCount === 0) return 0;
	return expanded ? 1 + serviceCount : 1;
}

/** Per service, the worst level of its containers' concerns. */
function serviceLevels(others: readonly InstanceSample[], assessment: Assessment | undefined): Map<string, ConcernLevel> {
	const serviceOf = new Map(others.map(sample => [sample.name, sample.service ?? '?']));
	const levels = new Map<string, ConcernLevel>();
	for (const concern of assessment?.concerns ?? []) {
		if (concern.scope !== 'container') continue;
		const service = serviceOf.get(concern.subject);
		if (service === undefined) continue;
		const before = levels.get(service);
		if (before === undefined || levelRank[concern.level] > levelRank[before]) levels.set(service, concern.level);
	}

	return levels;
}

/** `91% of 8G`, `88% of host` (no limit of its own), `?` while running without a figure, `-` when nothing runs. */
function memCell(service: ServiceSummary): string {
	if (service.memPercentMax === null) return service.running > 0 ? '?' : '-';
	const base = service.memoryLimited === false ? 'host' : formatBytes(service.memLimitBytes);
	return `${formatPercent(service.memPercentMax)} of ${base}`;
}

function cpuCell(service: ServiceSummary): string {
	if (service.cpuPercentMax === null) return service.running > 0 ? '?' : '-';
	return formatPercent(service.cpuPercentMax);
}

function markSpans(level: ConcernLevel | undefined, color: boolean): Span[] {
	if (level === undefined) return [];
	return [{text: ` ${levelSymbol[level]}`, style: {color: tone(color, levelColor[level]), bold: level === 'IMMEDIATE'}}];
}

/** The one line: as many services as fit, then `+N more`; the key to expand at the end when there is room. */
function collapsedLine(props: StackPanelProps, levels: Map<string, ConcernLevel>): StyledLine {
	const {services, width, color} = props;
	const title: Span = {text: 'stack ', style: {bold: true}};
	const hint: Span = {text: '  x: expand', style: {dim: color}};
	const parts = services.map(service => {
		const spans: Span[] = [{text: `${service.name} ${service.running}/${service.containers}`}, ...markSpans(levels.get(service.name), color)];
		if (service.health === 'unhealthy') spans.push({text: ' unhealthy', style: {color: tone(color, 'yellow')}});
		return spans;
	});
	const spans: Span[] = [title];
	let shown = 0;
	for (const [index, part] of parts.entries()) {
		const candidate = [...spans, ...(index > 0 ? [{text: ' · '}] : []), ...part];
		const left = parts.length - index - 1;
		// Room for this service and, if any are left, for `+N more` after it.
		const needed = lineWidth(styledLine(candidate)) + (left > 0 ? ` +${left} more`.length : 0);
		if (needed > width) break;
		spans.splice(0, spans.length, ...candidate);
		shown++;
	}

	if (shown < parts.length) spans.push({text: `${shown > 0 ? ' ' : ''}+${parts.length - shown} more`, style: {dim: color}});
	if (lineWidth(styledLine([...spans, hint])) <= width) spans.push(hint);
	return styledLine(spans);
}

/** A title with the columns, then a line per service (the ones with concerns first when not all fit). */
function expandedLines(props: StackPanelProps, levels: Map<string, ConcernLevel>): StyledLine[] {
	const {services, width, height, color} = props;
	const nameWidth = Math.max(8, Math.min(24, ...services.map(service => service.name.length)));
	const row = (name: string, running: string, cpu: string, mem: string, restarts: string, health: string) =>
		`${fit(name, nameWidth)} ${fit(running, 7, 'right')} ${fit(cpu, 6, 'right')}    ${fit(mem, 13)} ${fit(restarts, 8, 'right')}  ${health}`;
	const lines: StyledLine[] = [styledLine([{text: row('STACK', 'RUNNING', 'CPU', 'MEM', 'RESTARTS', 'HEALTH'), style: {bold: true}}, {text: '  x: collapse', style: {dim: color}}])];
	const room = Math.max(0, height - 1);
	const ordered = services.length <= room ? services : [...services].sort((a, b) => levelRank[levels.get(b.name) ?? 'OK'] - levelRank[levels.get(a.name) ?? 'OK']);
	const shown = services.length <= room ? ordered : ordered.slice(0, Math.max(0, room - 1));
	for (const service of shown) {
		const level = levels.get(service.name);
		const text = row(service.name, `${service.running}/${service.containers}`, cpuCell(service), '', String(service.restarts), service.health === 'none' ? '-' : service.health);
		// The mark goes before the memory cell: the rule on these containers is about memory.
		const at = nameWidth + 1 + 7 + 1 + 6;
		const mark = level === undefined ? '    ' : ` ${levelSymbol[level]}`.padEnd(4);
		lines.push(
			styledLine([
				{text: text.slice(0, at)},
				{text: mark, style: {color: tone(color, level === undefined ? undefined : levelColor[level]), bold: level === 'IMMEDIATE'}},
				{text: fit(memCell(service), 13)},
				{text: text.slice(at + 4 + 13)},
				...(service.notAssessed > 0 ? [{text: `  ${service.notAssessed} not assessed`, style: {color: tone(color, levelColor.UNKNOWN)}}] : []),
			]),
		);
	}

	if (shown.length < services.length && room > 0) lines.push(styledLine(`+${services.length - shown.length} more services (--once lists all)`, {dim: color}));
	return lines;
}

/** The panel's lines, cut to the height and fitted to the width. */
export function stackPanelLines(props: StackPanelProps): StyledLine[] {
	if (props.height <= 0 || props.services.length === 0) return [];
	const levels = serviceLevels(props.others, props.assessment);
	const lines = props.expanded && props.height > 1 ? expandedLines(props, levels) : [collapsedLine(props, levels)];
	return lines.slice(0, props.height).map(line => fitLine(line, props.width));
}

function StackPanelView(props: StackPanelProps) {
	return <Lines lines={stackPanelLines(props)} width={props.width} height={props.height} />;
}

export const StackPanel = memo(StackPanelView);
