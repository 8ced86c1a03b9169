// What the charts of a page show for a frame: series from the history, thresholds, and titles that carry the marks.
// Page 1 is the workload's CPU and MEM and the first sources' charts; each source's chart specs name their page.
// Pure: reads the history, writes nothing.
import type {Concern} from '../../core/assessment.js';
import {seriesKey, type History} from '../../core/history.js';
import type {MonitorFrame} from '../../core/monitor.js';
import {thresholdOf, type AnySourceModel, type SourceChartSpec, type ThresholdUnit} from '../../core/source-model.js';
import type {Thresholds} from '../../core/thresholds.js';
import type {InstanceSample, SourceStatus, StackSnapshot} from '../../core/types.js';
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

/** One source chart placed on a page. */
export interface PlacedChart {
	source: AnySourceModel;
	spec: SourceChartSpec<unknown>;
}

/**
 * Which source charts each page holds. A source's numbered charts go on their page; its charts that depend on the
 * sample (one per node, `chartsFor`) follow on pages of their own after the numbered ones, four to a page, each
 * source starting a new page (database nodes, then Redis nodes). Page 1 also holds the workload's CPU and MEM.
 * With a snapshot, only the sources it has count: one not configured (absent) has no charts, so no page of its own.
 */
export function chartPageLayout(sources: readonly AnySourceModel[] = [], snapshot?: StackSnapshot): Map<number, PlacedChart[]> {
	const pages = new Map<number, PlacedChart[]>([[1, []]]);
	const place = (page: number, chart: PlacedChart) => pages.set(page, [...(pages.get(page) ?? []), chart]);
	const configured = sources.filter(source => snapshot === undefined || snapshot.sources[source.id] !== undefined);
	for (const source of configured) for (const spec of (source.charts ?? []) as ReadonlyArray<SourceChartSpec<unknown>>) place(spec.page, {source, spec});
	let next = Math.max(...pages.keys()) + 1;
	for (const source of configured) {
		const sample = snapshot?.sources[source.id]?.sample ?? null;
		if (sample === null || source.chartsFor === undefined) continue;
		const specs = source.chartsFor(sample) as ReadonlyArray<SourceChartSpec<unknown>>;
		for (let index = 0; index < specs.length; index++) place(next + Math.floor(index / chartsPerPage), {source, spec: specs[index]!});
		next += Math.ceil(specs.length / chartsPerPage);
	}

	return pages;
}

/** How many chart pages the sources need (at least 1); per-node charts count once their sample is in. */
export function chartPages(sources: readonly AnySourceModel[] = [], snapshot?: StackSnapshot): number {
	return Math.max(...chartPageLayout(sources, snapshot).keys());
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
	for (const {source, spec} of chartPageLayout(sources, frame?.snapshot).get(page) ?? []) {
		const reading = frame?.snapshot.sources[source.id];
		const badge = markOf(spec.concernKey === undefined ? undefined : concerns.find(concern => concern.key === spec.concernKey));
		const sample = reading?.sample ?? null;
		const now = sample === null ? ' no data' : spec.now(sample, valueFormat);
		const thresholdSpec = source.thresholds.find(candidate => candidate.key === spec.threshold);
		const values = history.values(seriesKey.source(source.id, spec.series), since);
		const threshold = thresholdSpec === undefined ? thresholds[spec.threshold] ?? 0 : thresholdOf(thresholds, thresholdSpec);
		// A chart not in percent (the access log's p95, waiting clients, a queue's depth) is drawn on an axis of its
		// own: up to a ceiling that holds the threshold and the values, labelled in its unit.
		const unit = thresholdSpec?.unit ?? 'percent';
		// A percent with a low threshold (5 % of requests failing) zooms in rather than hug the floor of 0-100 %.
		const scaled = unit === 'percent' && !(threshold > 0 && threshold < 25) ? null : unitAxis(unit, values, threshold, spec.ceiling);
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

/** A number with at most one decimal, the decimal dropped when it is 0: `4`, `4.4`, `1.2`. */
function short(value: number): string {
	const text = value < 9.95 ? value.toFixed(1) : String(Math.round(value));
	return text.endsWith('.0') ? text.slice(0, -2) : text;
}

/** An axis label must fit 3 cells; one that would not (1.2k) is left blank rather than cut to a wrong number. */
function cells(text: string): string {
	return text.length > 3 ? '   ' : text.padStart(3, ' ');
}

/** A count in 3 cells: `0.4`, `  7`, `750`, `1k`, `20k`, `3M`. */
function countLabel(value: number): string {
	if (value < 999.5) return cells(value < 9.95 && Math.abs(value - Math.round(value)) > 1e-9 ? value.toFixed(1) : String(Math.round(value)));
	return cells(value < 999_500 ? `${short(value / 1000)}k` : `${short(value / 1e6)}M`);
}

/** Bytes in 3 cells, binary: `512`, `16K`, `2M`, `1G`. */
function bytesLabel(value: number): string {
	const units = ['', 'K', 'M', 'G', 'T'];
	let rest = value;
	let unit = 0;
	while (rest >= 1000 && unit < units.length - 1) {
		rest /= 1024;
		unit++;
	}

	return cells(`${short(rest)}${units[unit]}`);
}

const unitLabels: Record<ThresholdUnit, (value: number) => string> = {
	percent: value => cells(short(value)),
	time: secondsLabel,
	seconds: value => secondsLabel(value * 1000),
	count: countLabel,
	bytes: bytesLabel,
};

/**
 * Values not in percent as shares of a ceiling (at least twice the threshold, or 1, and above every value), with
 * labels in their unit (seconds for times, `1.5k` for counts, `16M` for bytes).
 */
export function unitAxis(unit: ThresholdUnit, values: readonly number[], threshold: number, ceiling?: number): {values: number[]; threshold: number; axis: ChartAxis} {
	const highest = Math.max(threshold * 2, unit === 'count' ? 1 : 0, ...values.filter(Number.isFinite));
	// Bytes round to a power of two, so the top reads 16G rather than 19G.
	let top = ceiling ?? (unit === 'bytes' ? 2 ** Math.ceil(Math.log2(Math.max(highest, 1))) : niceCeiling(highest));
	if (!(top > 0)) top = 1;
	const label = unitLabels[unit];
	return {
		values: values.map(value => (value * 100) / top),
		threshold: (threshold * 100) / top,
		axis: {key: `${unit}:${top}`, label: plotValue => label((plotValue * top) / 100)},
	};
}

/** Values in ms on a time axis (see unitAxis). */
export function timeAxis(values: readonly number[], threshold: number, ceiling?: number): {values: number[]; threshold: number; axis: ChartAxis} {
	return unitAxis('time', values, threshold, ceiling);
}
