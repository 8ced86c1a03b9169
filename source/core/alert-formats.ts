// `--once --format nagios|prometheus`: the report (core/report.ts, the documented JSON contract) in the formats
// alerting systems read. No source is named here: every registry source's JSON part is walked for its numbers (an
// array's elements labelled by what names them: pool, queue, …), each source's charted measure gets its thresholds
// from the source's ThresholdSpecs, and every threshold in force is written out.
import type {ReportJsonWithSources} from './report.js';
import {readingError, thresholdOf, usableSample, type AnySourceModel, type ThresholdSpec, type ThresholdUnit} from './source-model.js';
import {hysteresisSpec, workloadThresholdSpecs, type Thresholds} from './thresholds.js';
import type {StackSnapshot} from './types.js';

export interface AlertInput {
	/** The --once report, with each source's part under its key (null when not configured). */
	report: ReportJsonWithSources;
	/** The snapshot the report was made from: each source's state and its charted measures. */
	snapshot: StackSnapshot;
	thresholds: Thresholds;
	/** The sources' models, in the registry's order. */
	models: readonly AnySourceModel[];
}

/** Fields of an array's elements that name the element: they become labels. `name` and `id` name it outright. */
const identityFields = ['instance', 'node', 'pool', 'queue', 'database', 'user', 'name', 'id', 'key', 'endpoint', 'role'];

const statusWords = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;

export interface Leaf {
	path: string[];
	/** Label name → value: the element's name under the array's singular (`pool`, `queue`), and its identity fields. */
	labels: Record<string, string>;
	/** The element names along the path, outermost first (`app/web`), for flat names such as nagios labels. */
	names: string[];
	value: number;
}

/** Numeric (and boolean) leaves of a source's part. Strings are not measures; an element's identity becomes labels. */
export function numericLeaves(value: unknown, path: string[] = [], labels: Record<string, string> = {}, names: string[] = []): Leaf[] {
	if (typeof value === 'number') return Number.isFinite(value) ? [{path, labels, names, value}] : [];
	if (typeof value === 'boolean') return [{path, labels, names, value: value ? 1 : 0}];
	if (Array.isArray(value)) {
		const singular = (path.at(-1) ?? 'item').replace(/ies$/, 'y').replace(/s$/, '');
		return value.flatMap((element, index) => {
			if (element === null || typeof element !== 'object') return numericLeaves(element, path, {...labels, [singular]: String(index)}, [...names, String(index)]);
			const fields: Record<string, string> = {};
			for (const field of identityFields) {
				const text = (element as Record<string, unknown>)[field];
				if (typeof text === 'string' || typeof text === 'number') fields[field] = String(text);
			}

			// Its name: a name or id field, else its other identity fields together (a pool is `database/user`).
			const {name, id, ...rest} = fields;
			const own = name ?? id ?? (Object.keys(rest).length > 0 ? Object.values(rest).join('/') : String(index));
			return numericLeaves(element, path, {...labels, ...rest, [singular]: own}, [...names, own]);
		});
	}

	if (value !== null && typeof value === 'object') {
		return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => numericLeaves(child, [...path, key], labels, names));
	}

	return [];
}

/** Each configured source's part of the report, under the key its model gives; a source not configured has none. */
function sourceParts(input: AlertInput): Array<{model: AnySourceModel; key: string; part: unknown}> {
	const out: Array<{model: AnySourceModel; key: string; part: unknown}> = [];
	for (const model of input.models) {
		const key = model.report.key ?? model.id;
		const part = input.report[key];
		if (input.snapshot.sources[model.id] !== undefined && part !== null && part !== undefined) out.push({model, key, part});
	}

	return out;
}

export interface Measure {
	source: string;
	/** The series' name, as the source's charts name it (`ratio`, `waiting`, `deepest`). */
	series: string;
	value: number;
	unit: ThresholdUnit;
	/** The SOON threshold paired with the charted one, and the charted one (IMMEDIATE, or the only one). */
	warn?: number;
	crit?: number;
}

/** Each source's charted measures now, with the thresholds their charts draw (and those thresholds' SOON partners). */
export function sourceMeasures(input: AlertInput): Measure[] {
	const out: Measure[] = [];
	for (const model of input.models) {
		const sample = usableSample(input.snapshot.sources[model.id]);
		if (sample === null || model.series === undefined) continue;
		const values = model.series(sample);
		for (const chart of model.charts ?? []) {
			const value = values[chart.series];
			if (value === undefined || !Number.isFinite(value)) continue;
			const spec = model.thresholds.find(candidate => candidate.key === chart.threshold);
			const soon = spec === undefined ? undefined : model.thresholds.find(candidate => candidate.soonOf === spec.key);
			out.push({
				source: model.id,
				series: chart.series,
				value,
				unit: spec?.unit ?? 'count',
				...(soon === undefined ? {} : {warn: thresholdOf(input.thresholds, soon)}),
				...(spec === undefined ? {} : {crit: thresholdOf(input.thresholds, spec)}),
			});
		}
	}

	return out;
}

/** A perfdata or plain number: digits, '-' and '.', as the plugin guidelines have it (no exponent). */
function plain(value: number, digits = 2): string {
	const fixed = value.toFixed(digits);
	return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

function perfLabel(label: string): string {
	const cleaned = label.replace(/['=]/g, '_');
	return /[\s|]/.test(cleaned) ? `'${cleaned.replace(/\|/g, '_')}'` : cleaned;
}

/** One perfdata item: 'label'=value[UOM];[warn];[crit];[min];[max]. */
function perf(label: string, value: number | null | undefined, unit = '', warn?: number, crit?: number, min?: number, max?: number): string | null {
	if (value === null || value === undefined || !Number.isFinite(value)) return null;
	const parts = [warn, crit, min, max].map(part => (part === undefined ? '' : plain(part)));
	return `${perfLabel(label)}=${plain(value)}${unit};${parts.join(';')}`.replace(/;+$/, '');
}

/** The plugin guidelines' units of measure for a threshold's unit (time is kept in ms). */
const nagiosUnit: Record<ThresholdUnit, string> = {percent: '%', time: 'ms', seconds: 's', bytes: 'B', count: ''};

function oneLine(text: string): string {
	// A '|' would start the perfdata part.
	return text.replace(/\|/g, '/').replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

const snake = (text: string) =>
	text
		.replace(/([a-z0-9])([A-Z])/g, '$1_$2')
		.replace(/[^a-zA-Z0-9_]+/g, '_')
		.replace(/_+/g, '_')
		.replace(/^_|_$/g, '')
		.toLowerCase();

/**
 * Nagios / Icinga / Sensu plugin output (monitoring-plugins guidelines): `VA-TOP STATUS - summary | perfdata`, then
 * every concern and each source's state as long text, then more perfdata after a '|'. The exit code is the report's:
 * 0 OK, 1 WARNING (SOON), 2 CRITICAL (IMMEDIATE), 3 UNKNOWN (a source could not be read).
 */
export function nagiosOutput(input: AlertInput): string {
	const {report, thresholds} = input;
	const status = statusWords[report.exitCode] ?? 'UNKNOWN';
	const worst = report.recommendations[0];
	const more = report.recommendations.length > 1 ? ` (+${report.recommendations.length - 1} more)` : '';
	const summary = worst === undefined ? 'Current capacity is adequate' : `${worst.level}: ${worst.message}${more}`;
	// The first line: the measures the rules judge, each with its warn and crit.
	const head = [
		perf('cpu_avg', report.averages.cpuPercent, '%', thresholds.cpuSoon, thresholds.cpuImmediate, 0, 100),
		perf('mem_avg', report.averages.memPercent, '%', thresholds.memSoon, thresholds.memImmediate, 0, 100),
		...sourceMeasures(input).map(measure =>
			perf(`${measure.source}_${snake(measure.series)}`, measure.value, nagiosUnit[measure.unit], measure.warn, measure.crit, 0, measure.unit === 'percent' ? 100 : undefined),
		),
	].filter((item): item is string => item !== null);

	const tail: Array<string | null> = [
		perf('instances', report.instances.length, '', undefined, undefined, 0),
		perf('instances_running', report.instances.filter(instance => instance.state === 'running').length, '', undefined, undefined, 0),
	];
	for (const instance of report.instances) {
		tail.push(perf(`cpu_${instance.name}`, instance.cpuPercent, '%', thresholds.cpuSoon, thresholds.cpuImmediate, 0));
		tail.push(perf(`mem_${instance.name}`, instance.memPercent, '%', thresholds.memSoon, thresholds.memImmediate, 0, 100));
		tail.push(perf(`mem_usage_${instance.name}`, instance.memUsageBytes, 'B', undefined, undefined, 0, instance.memLimitBytes ?? undefined));
		tail.push(perf(`restarts_${instance.name}`, instance.restartCount, 'c'));
	}

	// Then every number of every source's part, named by its path and what names its element (`app/web`).
	for (const {key, part} of sourceParts(input)) {
		for (const leaf of numericLeaves(part, [key])) tail.push(perf([...leaf.path, ...leaf.names].map(snake).join('_'), leaf.value));
	}

	const long: string[] = report.recommendations.map(recommendation => oneLine(`${recommendation.level}: ${recommendation.message}`));
	const state = (name: string, endpoint: string, error: string | null) => oneLine(`${name} ${endpoint}: ${error === null ? 'ok' : error}`);
	long.push(state('docker', report.docker.endpoint, report.docker.error));
	for (const model of input.models) {
		const reading = input.snapshot.sources[model.id];
		if (reading !== undefined) long.push(state(model.id, reading.endpoint, readingError(reading.status)));
	}

	if (report.history !== undefined) long.push(oneLine(`history: ${report.history.note}`));
	const tailPerf = tail.filter((item): item is string => item !== null);
	const first = `VA-TOP ${status} - ${oneLine(summary)}${head.length > 0 ? ` | ${head.join(' ')}` : ''}`;
	const lastLong = long.pop() ?? '';
	return `${[first, ...long, `${lastLong}${tailPerf.length > 0 ? ` | ${tailPerf[0]}` : ''}`, ...tailPerf.slice(1)].join('\n')}\n`;
}

interface Sample {
	labels: Record<string, string>;
	value: number;
}

function escapeLabel(value: string): string {
	return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function promValue(value: number): string {
	return Number.isInteger(value) ? String(value) : String(Math.round(value * 1e6) / 1e6);
}

/** A threshold's gauge: its family by unit, in Prometheus' base units (time and durations in seconds). */
function thresholdGauge(spec: ThresholdSpec, value: number): {name: string; help: string; value: number} {
	switch (spec.unit) {
		case 'percent':
			return {name: 'va_top_threshold_percent', help: 'A threshold in force, percent (threshold: its flag)', value};
		case 'time':
			return {name: 'va_top_threshold_seconds', help: 'A threshold in force, seconds (threshold: its flag)', value: value / 1000};
		case 'seconds':
			return {name: 'va_top_threshold_seconds', help: 'A threshold in force, seconds (threshold: its flag)', value};
		case 'bytes':
			return {name: 'va_top_threshold_bytes', help: 'A threshold in force, bytes (threshold: its flag)', value};
		case 'count':
			return {name: 'va_top_threshold', help: 'A threshold in force, a count (threshold: its flag)', value};
	}
}

/**
 * Prometheus text exposition (0.0.4) for node_exporter's textfile collector: gauges only, no timestamps (the
 * collector refuses them), every family with HELP and TYPE. A value va-top could not read has no sample, never 0.
 */
export function prometheusOutput(input: AlertInput): string {
	const {report, thresholds} = input;
	const families = new Map<string, {help: string; samples: Sample[]}>();
	const base = {project: report.project, service: report.service};
	const gauge = (name: string, help: string, value: number | null | undefined, labels: Record<string, string> = {}) => {
		let family = families.get(name);
		if (family === undefined) {
			family = {help, samples: []};
			families.set(name, family);
		}

		if (family.help === '') family.help = help;
		if (value !== null && value !== undefined && Number.isFinite(value)) family.samples.push({labels: {...base, ...labels}, value});
	};

	const levels = {OK: 0, SOON: 1, IMMEDIATE: 2, UNKNOWN: 3} as const;
	gauge('va_top_level', 'Worst recommendation: 0 OK, 1 SOON, 2 IMMEDIATE, 3 UNKNOWN (none over a threshold, a source unread)', levels[report.level]);
	gauge('va_top_unknown', '1 when a source could not be read (part of the stack not assessed)', report.unknown ? 1 : 0);
	gauge('va_top_exit_code', 'Exit code of va-top --once: 0 OK, 1 SOON, 2 IMMEDIATE, 3 a source unreadable', report.exitCode);
	gauge('va_top_report_time_seconds', 'When the report was read (Unix time)', Date.parse(report.time) / 1000);
	const concernLevel = {SOON: 1, IMMEDIATE: 2, UNKNOWN: 3} as const;
	gauge('va_top_recommendation', 'A concern that holds: 1 SOON, 2 IMMEDIATE, 3 UNKNOWN', null);
	for (const recommendation of report.recommendations) {
		gauge('va_top_recommendation', '', concernLevel[recommendation.level], {scope: recommendation.scope, subject: recommendation.subject, metric: recommendation.metric});
	}

	gauge('va_top_service_cpu_percent', 'Service average CPU over running instances, percent', report.averages.cpuPercent);
	gauge('va_top_service_memory_percent', 'Service average memory over running instances, percent', report.averages.memPercent);
	gauge('va_top_instances', 'App instances of the service', report.instances.length);
	for (const instance of report.instances) {
		// A node when the workload has one (a swarm's tasks), without naming the backend.
		const node = (instance as {node?: unknown}).node;
		const labels: Record<string, string> = typeof node === 'string' ? {instance: instance.name, node} : {instance: instance.name};
		gauge('va_top_instance_running', '1 when the instance runs (and is not unhealthy)', instance.state === 'running' && instance.health !== 'unhealthy' ? 1 : 0, labels);
		gauge('va_top_instance_cpu_percent', 'Instance CPU as docker stats shows it, percent', instance.cpuPercent, labels);
		gauge('va_top_instance_memory_percent', 'Instance memory (usage less inactive file cache) over its limit, percent', instance.memPercent, labels);
		gauge('va_top_instance_memory_usage_bytes', 'Instance memory usage less inactive file cache, bytes', instance.memUsageBytes, labels);
		gauge('va_top_instance_memory_limit_bytes', 'Instance memory limit, bytes', instance.memLimitBytes, labels);
		gauge('va_top_instance_restarts', 'Restarts of the instance (its RestartCount)', instance.restartCount, labels);
	}

	const up = 'va_top_source_up';
	gauge(up, '1 when the source could be read', report.docker.reachable ? 1 : 0, {source: 'docker', endpoint: report.docker.endpoint});
	for (const model of input.models) {
		const reading = input.snapshot.sources[model.id];
		if (reading !== undefined) gauge(up, '', reading.status.kind === 'ok' ? 1 : 0, {source: model.id, endpoint: reading.endpoint});
	}

	// Every number of every source's part: `va_top_<key>_<path>`, labelled by what names its elements. The JSON's
	// milliseconds (fields named …Ms) become Prometheus' base unit, seconds (`max_wait_seconds`).
	for (const {key, part} of sourceParts(input)) {
		for (const leaf of numericLeaves(part, [key])) {
			const field = leaf.path.at(-1)!;
			const ms = /[a-z]Ms$/.test(field);
			const path = ms ? [...leaf.path.slice(0, -1), field.replace(/Ms$/, 'Seconds')] : leaf.path;
			const name = `va_top_${path.map(snake).join('_')}`;
			const labels = Object.fromEntries(Object.entries(leaf.labels).map(([label, text]) => [snake(label), text]));
			gauge(name, `va-top --once JSON field ${leaf.path.join('.')}${ms ? ' in seconds' : ''} (README: the JSON report)`, ms ? leaf.value / 1000 : leaf.value, labels);
		}
	}

	// Every threshold in force: the workload's, each source's (its ThresholdSpecs), and the hysteresis.
	const specs: Array<[string, ThresholdSpec]> = [
		...workloadThresholdSpecs.map(spec => ['workload', spec] as [string, ThresholdSpec]),
		...input.models.flatMap(model => model.thresholds.map(spec => [model.id, spec] as [string, ThresholdSpec])),
		['workload', hysteresisSpec],
	];
	for (const [source, spec] of specs) {
		const threshold = thresholdGauge(spec, thresholdOf(thresholds, spec));
		gauge(threshold.name, threshold.help, threshold.value, {source, threshold: spec.flag});
	}

	if (report.history !== undefined) {
		gauge('va_top_history_sustain_applied', '1 when the sustained CPU rule was judged over recorded history', report.history.sustainApplied ? 1 : 0);
		gauge('va_top_history_seconds', 'How far back the recorded history reaches, seconds', report.history.fromSeconds);
	}

	const out: string[] = [];
	for (const [name, family] of families) {
		if (family.samples.length === 0) continue;
		out.push(`# HELP ${name} ${family.help.replace(/\\/g, '\\\\').replace(/\n/g, ' ')}`, `# TYPE ${name} gauge`);
		for (const sample of family.samples) {
			const labels = Object.entries(sample.labels).map(([key, value]) => `${key}="${escapeLabel(value)}"`).join(',');
			out.push(`${name}{${labels}} ${promValue(sample.value)}`);
		}
	}

	return `${out.join('\n')}\n`;
}
