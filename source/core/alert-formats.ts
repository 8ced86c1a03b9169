// `--once --format nagios|prometheus`: the report (core/report.ts, the documented JSON contract) in the formats
// alerting systems read. Built from that JSON, so a source's part in it shows up here without naming the source:
// its numeric fields become perfdata and gauges, with explicit units and thresholds for the measures va-top judges.
import type {ReportJson} from './report.js';
import type {Thresholds} from './thresholds.js';

/** The report's own parts; every other top-level object is a source's (postgres, redis, and the registry's others). */
const knownParts = new Set(['version', 'time', 'project', 'service', 'level', 'unknown', 'exitCode', 'recommendations', 'averages', 'docker', 'instances', 'history']);
/** Parts with explicit perfdata in the nagios output (with warn and crit); other parts' numbers are walked. */
const explicitNagios = new Set(['postgres', 'redis']);

type Part = Record<string, unknown>;

/** A source's part of the report, or null when the source is not configured (or has no such part). */
function part(report: ReportJson, id: string): Part | null {
	const value = (report as unknown as Record<string, unknown>)[id];
	return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Part) : null;
}

const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** Better words than the field's path for the known parts' gauges. */
const helpTexts: Record<string, string> = {
	'postgres.connections': 'Client backends in pg_stat_activity',
	'postgres.active': "Client backends whose state is 'active'",
	'postgres.max_connections': 'PostgreSQL max_connections',
	'postgres.ratio': 'Client backends over max_connections (0..1)',
	'postgres.reachable': '1 when PostgreSQL could be read',
	'redis.used_memory_bytes': 'Redis used_memory, bytes',
	'redis.used_memory_rss_bytes': 'Redis used_memory_rss, bytes',
	'redis.max_memory_bytes': 'Redis maxmemory, bytes (0: none set)',
	'redis.limit_bytes': 'What Redis memory is judged against: maxmemory, or system memory when none is set',
	'redis.fragmentation_ratio': 'Redis mem_fragmentation_ratio',
	'redis.ratio': 'Redis used memory over its limit (above 1 when over maxmemory)',
	'redis.reachable': '1 when Redis could be read',
};
/** Fields of an array's elements that name the element: they become labels. */
const identityFields = ['instance', 'node', 'pool', 'queue', 'database', 'user', 'name', 'id', 'endpoint', 'role'];

const statusWords = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;

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

function oneLine(text: string): string {
	// A '|' would start the perfdata part.
	return text.replace(/\|/g, '/').replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** Numeric leaves of a source's part, as [path, labels, value]. */
export function numericLeaves(value: unknown, path: string[] = [], labels: Record<string, string> = {}): Array<{path: string[]; labels: Record<string, string>; value: number}> {
	if (typeof value === 'number') return Number.isFinite(value) ? [{path, labels, value}] : [];
	if (typeof value === 'boolean') return [{path, labels, value: value ? 1 : 0}];
	if (Array.isArray(value)) {
		const singular = (path.at(-1) ?? 'item').replace(/ies$/, 'y').replace(/s$/, '');
		return value.flatMap((element, index) => {
			if (element === null || typeof element !== 'object') return numericLeaves(element, path, {...labels, index: String(index)});
			const own: Record<string, string> = {};
			for (const field of identityFields) {
				const text = (element as Record<string, unknown>)[field];
				if (typeof text === 'string' || typeof text === 'number') own[field === 'name' || field === 'id' ? (own[singular] === undefined ? singular : field) : field] = String(text);
			}

			if (Object.keys(own).length === 0) own[singular] = String(index);
			return numericLeaves(element, path, {...labels, ...own});
		});
	}

	if (value !== null && typeof value === 'object') {
		return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => (identityFields.includes(key) ? [] : numericLeaves(child, [...path, key], labels)));
	}

	return [];
}

function sourceParts(report: ReportJson): Array<[string, unknown]> {
	// In the report's order; a source that is not configured is null (after the registry) and has no part here.
	return Object.entries(report as unknown as Record<string, unknown>).filter(([key, value]) => !knownParts.has(key) && value !== null && typeof value === 'object');
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
export function nagiosOutput(report: ReportJson, thresholds: Thresholds): string {
	const status = statusWords[report.exitCode] ?? 'UNKNOWN';
	const worst = report.recommendations[0];
	const more = report.recommendations.length > 1 ? ` (+${report.recommendations.length - 1} more)` : '';
	const summary = worst === undefined ? 'Current capacity is adequate' : `${worst.level}: ${worst.message}${more}`;
	const pg = part(report, 'postgres');
	const redis = part(report, 'redis');
	const percentOf = (ratio: unknown) => (num(ratio) === null ? null : num(ratio)! * 100);
	const head = [
		perf('cpu_avg', report.averages.cpuPercent, '%', thresholds.cpuSoon, thresholds.cpuImmediate, 0, 100),
		perf('mem_avg', report.averages.memPercent, '%', thresholds.memSoon, thresholds.memImmediate, 0, 100),
		perf('db_connections', percentOf(pg?.ratio), '%', thresholds.dbSoon, thresholds.dbImmediate, 0, 100),
		perf('redis_memory', percentOf(redis?.ratio), '%', thresholds.redisSoon, thresholds.redisImmediate, 0, 100),
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

	const max = num(pg?.maxConnections);
	tail.push(perf('db_backends', num(pg?.connections), '', max === null ? undefined : (max * thresholds.dbSoon) / 100, max === null ? undefined : (max * thresholds.dbImmediate) / 100, 0, max ?? undefined));
	tail.push(perf('db_active', num(pg?.active), '', undefined, undefined, 0));
	const limit = num(redis?.limitBytes);
	tail.push(perf('redis_used', num(redis?.usedMemoryBytes), 'B', limit === null ? undefined : Math.round((limit * thresholds.redisSoon) / 100), limit === null ? undefined : Math.round((limit * thresholds.redisImmediate) / 100), 0, limit ?? undefined));
	tail.push(perf('redis_rss', num(redis?.usedMemoryRssBytes), 'B', undefined, undefined, 0));
	for (const [id, value] of sourceParts(report)) {
		if (explicitNagios.has(id)) continue;
		for (const leaf of numericLeaves(value, [id])) {
			const labels = Object.values(leaf.labels);
			tail.push(perf([...leaf.path, ...labels].map(snake).join('_'), leaf.value));
		}
	}

	const long: string[] = report.recommendations.map(recommendation => oneLine(`${recommendation.level}: ${recommendation.message}`));
	const state = (name: string, endpoint: string | null, error: string | null) => oneLine(`${name}${endpoint === null ? '' : ` ${endpoint}`}: ${error === null ? 'ok' : error}`);
	long.push(state('docker', report.docker.endpoint, report.docker.error));
	for (const [id, value] of sourceParts(report)) long.push(state(id, str((value as Part).endpoint), str((value as Part).error)));

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

/**
 * Prometheus text exposition (0.0.4) for node_exporter's textfile collector: gauges only, no timestamps (the
 * collector refuses them), every family with HELP and TYPE. A value va-top could not read has no sample, never 0.
 */
export function prometheusOutput(report: ReportJson, thresholds: Thresholds): string {
	const families = new Map<string, {help: string; samples: Sample[]}>();
	const base = {project: report.project, service: report.service};
	const gauge = (name: string, help: string, value: number | null | undefined, labels: Record<string, string> = {}) => {
		let family = families.get(name);
		if (family === undefined) {
			family = {help, samples: []};
			families.set(name, family);
		}

		if (value !== null && value !== undefined && Number.isFinite(value)) family.samples.push({labels: {...base, ...labels}, value});
	};

	const levels = {OK: 0, SOON: 1, IMMEDIATE: 2} as const;
	gauge('va_top_level', 'Worst recommendation: 0 OK, 1 SOON, 2 IMMEDIATE', levels[report.level]);
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
	// Every source's part: whether it could be read, and each of its numbers (postgres, redis, and any other).
	for (const [id, value] of sourceParts(report)) {
		const source = value as Part;
		if (typeof source.reachable === 'boolean') gauge(up, '', source.reachable ? 1 : 0, {source: id, ...(str(source.endpoint) === null ? {} : {endpoint: str(source.endpoint)!})});
		for (const leaf of numericLeaves(value, [id])) {
			const path = leaf.path.map(snake);
			const name = `va_top_${path.join('_')}`;
			gauge(name, helpTexts[`${path[0]}.${path.slice(1).join('_')}`] ?? `va-top report field ${leaf.path.join('.')}`, leaf.value, Object.fromEntries(Object.entries(leaf.labels).map(([key, label]) => [snake(key), label])));
		}
	}

	const rules: Array<[string, number, number]> = [
		['cpu', thresholds.cpuSoon, thresholds.cpuImmediate],
		['memory', thresholds.memSoon, thresholds.memImmediate],
		['database_connections', thresholds.dbSoon, thresholds.dbImmediate],
		['redis_memory', thresholds.redisSoon, thresholds.redisImmediate],
	];
	for (const [rule, soon, immediate] of rules) {
		gauge('va_top_threshold_percent', 'The thresholds in force, percent (level: soon or immediate)', soon, {rule, level: 'soon'});
		gauge('va_top_threshold_percent', '', immediate, {rule, level: 'immediate'});
	}

	gauge('va_top_cpu_sustain_seconds', 'How long CPU must stay over the immediate threshold', thresholds.cpuSustainSeconds);
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
