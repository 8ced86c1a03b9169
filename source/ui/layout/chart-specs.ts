// What the charts of a page show for a frame: series from the history, thresholds, and titles that carry the marks.
// Page 1 is the workload's CPU and MEM and the first sources' charts; each source's chart specs name their page.
// Pure: reads the history, writes nothing.
import type {Concern} from '../../core/assessment.js';
import {seriesKey, type History} from '../../core/history.js';
import type {MonitorFrame} from '../../core/monitor.js';
import {thresholdOf, type AnySourceModel, type SourceChartSpec} from '../../core/source-model.js';
import type {Thresholds} from '../../core/thresholds.js';
import type {InstanceSample, SourceStatus} from '../../core/types.js';
import {instanceMark, sustainText} from './concern-text.js';
import {formatBytes, formatPercent, shortName} from './format.js';
import {levelColor, levelSymbol, type ColorName} from './symbols.js';
import {valueFormat} from './value-format.js';

/** Charts a page holds: a 2x2 grid, or one row of four. */
export const chartsPerPage = 4;

export interface ChartData {
	key: string;
	title: string;
	titleColor?: ColorName;
	values: readonly number[];
	threshold: number;
	expectedPoints: number;
	lineColor: ColorName;
}

export interface ChartDataInput {
	frame: MonitorFrame | undefined;
	history: History;
	thresholds: Thresholds;
	selected: InstanceSample | undefined;
	windowMs: number;
	windowLabel: string;
	intervalMs: number;
	/** The sources' models, whose chart specs fill the pages. */
	sources?: readonly AnySourceModel[];
	/** 1-based; 1 unless told. */
	page?: number;
}

/** How many chart pages the sources need (at least 1). */
export function chartPages(sources: readonly AnySourceModel[] = []): number {
	let pages = 1;
	for (const source of sources) for (const chart of source.charts ?? []) pages = Math.max(pages, chart.page);
	return pages;
}

function markOf(concern: Concern | undefined): {text: string; color?: ColorName} {
	if (!concern) return {text: ''};
	const timer = sustainText(concern);
	return {text: ` ${levelSymbol[concern.level]}${timer ? ` ${timer}` : ''}`, color: levelColor[concern.level]};
}

function downText(status: SourceStatus): string {
	if (status.kind === 'unreachable') return ' ? unreachable';
	if (status.kind === 'reconnecting') return ' ? reconnecting';
	if (status.kind === 'connecting') return ' connecting';
	return '';
}

export function chartData({frame, history, thresholds, selected, windowMs, windowLabel, intervalMs, sources = [], page = 1}: ChartDataInput): ChartData[] {
	const now = frame?.snapshot.at ?? 0;
	const since = now - windowMs;
	const expectedPoints = Math.max(1, Math.round(windowMs / Math.max(1, intervalMs)));
	const assessment = frame?.assessment;
	const concerns = assessment?.concerns ?? [];
	const suffix = ` (${windowLabel})`;

	const cpuKey = selected ? seriesKey.instanceCpu(selected.id) : seriesKey.serviceCpu;
	const memKey = selected ? seriesKey.instanceMem(selected.id) : seriesKey.serviceMem;
	// Values and marks first: a narrow chart truncates its title from the right.
	const who = selected ? ` · ${shortName(selected.name, frame?.snapshot.project ?? '')}` : ' · service avg';
	const cpuValue = selected ? selected.cpuPercent : (assessment?.averages.cpuPercent ?? null);
	const memValue = selected ? selected.memPercent : (assessment?.averages.memPercent ?? null);
	const cpuConcern = selected
		? undefined
		: concerns.find(concern => concern.scope === 'service' && concern.metric === 'cpu');
	const memConcern = selected
		? undefined
		: concerns.find(concern => concern.scope === 'service' && concern.metric === 'memory');
	const cpuMark = selected ? instanceMark(assessment, selected.name, 'cpu', cpuValue) : undefined;
	const memMark = selected ? instanceMark(assessment, selected.name, 'memory', memValue) : undefined;
	const cpuBadge = cpuMark ? (cpuMark.level === 'OK' ? {text: ''} : {text: ` ${cpuMark.mark.trim()}${cpuMark.timer ? ` ${cpuMark.timer}` : ''}`, color: levelColor[cpuMark.level]}) : markOf(cpuConcern);
	const memBadge = memMark ? (memMark.level === 'OK' ? {text: ''} : {text: ` ${memMark.mark.trim()}`, color: levelColor[memMark.level]}) : markOf(memConcern);
	const memUsage = selected && selected.memUsageBytes !== null ? ` ${formatBytes(selected.memUsageBytes)}/${formatBytes(selected.memLimitBytes)}` : '';

	const workload: ChartData[] = [
		{
			key: 'cpu',
			title: `CPU ${formatPercent(cpuValue)}${cpuBadge.text}${suffix}${who}`,
			titleColor: cpuBadge.color,
			values: history.values(cpuKey, since),
			threshold: thresholds.cpuImmediate,
			expectedPoints,
			lineColor: 'cyan',
		},
		{
			key: 'mem',
			title: `MEM ${formatPercent(memValue)}${memBadge.text}${memUsage}${suffix}${who}`,
			titleColor: memBadge.color,
			values: history.values(memKey, since),
			threshold: thresholds.memImmediate,
			expectedPoints,
			lineColor: 'blue',
		},
	];
	const charts: ChartData[] = page === 1 ? workload : [];
	for (const source of sources) {
		const reading = frame?.snapshot.sources[source.id];
		for (const spec of (source.charts ?? []) as ReadonlyArray<SourceChartSpec<unknown>>) {
			if (spec.page !== page) continue;
			const badge = markOf(spec.concernKey === undefined ? undefined : concerns.find(concern => concern.key === spec.concernKey));
			const sample = reading?.sample ?? null;
			const now = sample === null ? ' no data' : spec.now(sample, valueFormat);
			const thresholdSpec = source.thresholds.find(candidate => candidate.key === spec.threshold);
			charts.push({
				key: spec.key,
				title: `${spec.label}${now}${badge.text}${reading ? downText(reading.status) : ''}${suffix}`,
				titleColor: badge.color ?? (reading && reading.status.kind !== 'ok' ? 'magenta' : undefined),
				values: history.values(seriesKey.source(source.id, spec.series), since),
				threshold: thresholdSpec === undefined ? thresholds[spec.threshold] ?? 0 : thresholdOf(thresholds, thresholdSpec),
				expectedPoints,
				lineColor: spec.lineColor,
			});
		}
	}

	return charts.slice(0, chartsPerPage);
}

/** Recent CPU values per instance for the table's trend column; with `only`, just for those ids (the rows in view). */
export function cpuTrends(frame: MonitorFrame | undefined, history: History, points: number, intervalMs: number, only?: ReadonlySet<string>): Map<string, number[]> {
	const trends = new Map<string, number[]>();
	if (!frame || points <= 0) return trends;
	const since = frame.snapshot.at - points * Math.max(1, intervalMs) * 1.5;
	for (const instance of frame.snapshot.docker.instances) {
		if (only !== undefined && !only.has(instance.id)) continue;
		trends.set(instance.id, history.values(seriesKey.instanceCpu(instance.id), since).slice(-points));
	}

	return trends;
}
