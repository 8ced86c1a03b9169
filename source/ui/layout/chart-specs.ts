// What the charts of a page show for a frame: series from the history, thresholds, and titles that carry the marks.
// Page 1 is the workload's CPU and MEM and the first sources' charts; each source's chart specs name their page.
// Pure: reads the history, writes nothing.
import type {Concern} from '../../core/assessment.js';
import {seriesKey, type History} from '../../core/history.js';
import type {MonitorFrame} from '../../core/monitor.js';
import {thresholdOf, type AnySourceModel, type SourceChartSpec} from '../../core/source-model.js';
import type {Thresholds} from '../../core/thresholds.js';
import type {InstanceSample, SourceStatus} from '../../core/types.js';
import type {ChartAxis} from './chart-fit.js';
import {instanceMark, sustainText} from './concern-text.js';
import {formatBytes, formatPercent} from './format.js';
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
	/** Set for a chart not in percent: values and threshold are then shares of a ceiling (see timeAxis). */
	axis?: ChartAxis;
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

/**
 * How many chart pages the sources need (at least 1). With `configured`, only those sources count: a source not
 * configured (absent from the snapshot) has no charts, so no page of its own.
 */
export function chartPages(sources: readonly AnySourceModel[] = [], configured?: (id: string) => boolean): number {
	let pages = 1;
	for (const source of sources) {
		if (configured !== undefined && !configured(source.id)) continue;
		for (const chart of source.charts ?? []) pages = Math.max(pages, chart.page);
	}

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
	// Values and marks first: a narrow chart shortens the name at the end of its title from the name's start.
	const who = selected ? ` · ${selected.name}` : ' · service avg';
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
		// Not configured: absent everywhere, its charts included.
		if (frame !== undefined && reading === undefined) continue;
		for (const spec of (source.charts ?? []) as ReadonlyArray<SourceChartSpec<unknown>>) {
			if (spec.page !== page) continue;
			const badge = markOf(spec.concernKey === undefined ? undefined : concerns.find(concern => concern.key === spec.concernKey));
			const sample = reading?.sample ?? null;
			const now = sample === null ? ' no data' : spec.now(sample, valueFormat);
			const thresholdSpec = source.thresholds.find(candidate => candidate.key === spec.threshold);
			const values = history.values(seriesKey.source(source.id, spec.series), since);
			const threshold = thresholdSpec === undefined ? thresholds[spec.threshold] ?? 0 : thresholdOf(thresholds, thresholdSpec);
			// A time chart (the access log's p95) is drawn on an axis of its own: up to a ceiling that holds the
			// threshold and the values, labelled in seconds.
			const scaled = thresholdSpec?.unit === 'time' ? timeAxis(values, threshold, spec.ceiling) : null;
			charts.push({
				key: spec.key,
				title: `${spec.label}${now}${badge.text}${reading ? downText(reading.status) : ''}${suffix}`,
				titleColor: badge.color ?? (reading && reading.status.kind !== 'ok' ? 'magenta' : undefined),
				values: scaled?.values ?? values,
				threshold: scaled?.threshold ?? threshold,
				expectedPoints,
				lineColor: spec.lineColor,
				...(scaled ? {axis: scaled.axis} : {}),
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

/** 1, 2, 4 or 5 times a power of ten, at or above the value. */
function niceCeiling(value: number): number {
	const power = 10 ** Math.floor(Math.log10(Math.max(value, 1e-9)));
	for (const step of [1, 2, 4, 5, 10]) if (step * power >= value) return step * power;
	return 10 * power;
}

/** Milliseconds as 3 cells of seconds: `0.5`, `2.0`, `15s`, `2m`. */
function secondsLabel(ms: number): string {
	const seconds = ms / 1000;
	const text = seconds < 9.95 ? seconds.toFixed(1) : seconds < 99.5 ? `${Math.round(seconds)}s` : `${Math.round(seconds / 60)}m`;
	return text.padStart(3, ' ').slice(-3);
}

/** Values in ms as shares of a ceiling (at least twice the threshold, and above every value), with labels in s. */
export function timeAxis(values: readonly number[], threshold: number, ceiling?: number): {values: number[]; threshold: number; axis: ChartAxis} {
	let top = ceiling ?? niceCeiling(Math.max(threshold * 2, ...values.filter(Number.isFinite)));
	if (!(top > 0)) top = 1;
	return {
		values: values.map(value => (value * 100) / top),
		threshold: (threshold * 100) / top,
		axis: {key: `time:${top}`, label: plotValue => secondsLabel((plotValue * top) / 100)},
	};
}
