// The scaling runbook's rules as pure code. No I/O: a snapshot and a clock in, an assessment out.
import type {Assessment, Concern, ConcernLevel, Level, Sustain} from './assessment.js';
import type {Thresholds} from './thresholds.js';
import type {InstanceSample, SourceName, SourceStatus, StackSnapshot} from './types.js';

/** When each sustained breach began, keyed by concern key. Carried from one evaluation to the next. */
export type BreachClock = ReadonlyMap<string, number>;

export const emptyClock: BreachClock = new Map();

export const runbookActions = {
	scaleOut: 'Scale application horizontally',
	plan: 'Plan to scale within 24 hours',
	database: 'Scale database connections or add read replica',
	databasePlan: 'Plan database capacity (runbook: approaching 70% on any metric)',
	redis: 'Scale Redis: raise maxmemory or move to a cluster',
	redisPlan: 'Plan Redis capacity (runbook: approaching 70% on any metric)',
	instance: 'Check load balancing, or drain the instance',
	instanceState: 'Check the instance, or drain it',
} as const;

const levelRank: Record<ConcernLevel, number> = {IMMEDIATE: 3, UNKNOWN: 2, SOON: 1};
const scopeRank: Record<Concern['scope'], number> = {service: 0, database: 1, redis: 2, instance: 3, source: 4};

export interface Evaluation {
	assessment: Assessment;
	clock: BreachClock;
}

export interface EvaluateOptions {
	/** When this va-top began reading: a breach whose clock began earlier was replayed from recorded history. */
	startedAt?: number;
}

export function evaluate(
	snapshot: StackSnapshot,
	thresholds: Thresholds,
	clock: BreachClock = emptyClock,
	now: number = snapshot.at,
	options: EvaluateOptions = {},
): Evaluation {
	const concerns: Concern[] = [];
	const nextClock = new Map<string, number>();
	const running = snapshot.docker.instances.filter(instance => instance.state === 'running');
	const cpuAverage = average(running.map(instance => instance.cpuPercent));
	const memAverage = average(running.map(instance => instance.memPercent));

	// A sustained CPU rule: SOON with a clock until it has held long enough, then IMMEDIATE.
	const sustainedCpu = (key: string, value: number): {level: 'SOON' | 'IMMEDIATE'; sustain?: Sustain} => {
		const since = clock.get(key) ?? now;
		nextClock.set(key, since);
		const heldSeconds = Math.max(0, (now - since) / 1000);
		// No duration (--once without recorded history): 80 % counts at once, as va-capacity-check has it.
		if (thresholds.cpuSustainSeconds <= 0) return {level: 'IMMEDIATE'};
		const sustain: Sustain = {since, heldSeconds, requiredSeconds: thresholds.cpuSustainSeconds};
		if (options.startedAt !== undefined && since < options.startedAt) sustain.beforeStart = true;
		return {level: heldSeconds >= thresholds.cpuSustainSeconds ? 'IMMEDIATE' : 'SOON', sustain};
	};

	const service = snapshot.service;
	if (snapshot.docker.status.kind === 'ok' && snapshot.docker.instances.length === 0) {
		concerns.push({
			level: 'UNKNOWN',
			scope: 'source',
			key: 'source:docker:empty',
			subject: 'docker',
			metric: 'reachability',
			value: null,
			threshold: null,
			action: 'Check --project and --service',
			message: `docker: no instances of ${snapshot.project}/${service} found`,
		});
	}

	if (cpuAverage !== null && cpuAverage > thresholds.cpuImmediate) {
		const {level, sustain} = sustainedCpu('service.cpu', cpuAverage);
		concerns.push(
			metricConcern(level, 'service', 'service.cpu', service, 'cpu', cpuAverage, thresholds.cpuImmediate, runbookActions.scaleOut, `${service} average CPU`, sustain),
		);
	} else if (cpuAverage !== null && cpuAverage > thresholds.cpuSoon) {
		concerns.push(metricConcern('SOON', 'service', 'service.cpu', service, 'cpu', cpuAverage, thresholds.cpuSoon, runbookActions.plan, `${service} average CPU`));
	}

	if (memAverage !== null && memAverage > thresholds.memImmediate) {
		concerns.push(metricConcern('IMMEDIATE', 'service', 'service.memory', service, 'memory', memAverage, thresholds.memImmediate, runbookActions.scaleOut, `${service} average memory`));
	} else if (memAverage !== null && memAverage > thresholds.memSoon) {
		concerns.push(metricConcern('SOON', 'service', 'service.memory', service, 'memory', memAverage, thresholds.memSoon, runbookActions.plan, `${service} average memory`));
	}

	for (const instance of snapshot.docker.instances) {
		concerns.push(...instanceConcerns(instance, thresholds, cpuAverage, memAverage, sustainedCpu));
	}

	const pg = snapshot.postgres.sample;
	if (pg !== null && snapshot.postgres.status.kind === 'ok') {
		const percent = pg.ratio * 100;
		const detail = `database connections ${pg.connections}/${pg.maxConnections} (${pg.active} active)`;
		if (percent > thresholds.dbImmediate) {
			concerns.push(metricConcern('IMMEDIATE', 'database', 'database.connections', 'postgres', 'connections', percent, thresholds.dbImmediate, runbookActions.database, detail));
		} else if (percent > thresholds.dbSoon) {
			concerns.push(metricConcern('SOON', 'database', 'database.connections', 'postgres', 'connections', percent, thresholds.dbSoon, runbookActions.databasePlan, detail));
		}
	}

	const redis = snapshot.redis.sample;
	if (redis !== null && snapshot.redis.status.kind === 'ok') {
		const percent = redis.ratio * 100;
		const against = redis.limitSource === 'maxmemory' ? 'maxmemory' : 'system memory, no maxmemory set';
		const detail = `redis memory (of ${against})`;
		if (percent > thresholds.redisImmediate) {
			concerns.push(metricConcern('IMMEDIATE', 'redis', 'redis.memory', 'redis', 'redis-memory', percent, thresholds.redisImmediate, runbookActions.redis, detail));
		} else if (percent > thresholds.redisSoon) {
			concerns.push(metricConcern('SOON', 'redis', 'redis.memory', 'redis', 'redis-memory', percent, thresholds.redisSoon, runbookActions.redisPlan, detail));
		}
	}

	for (const [name, status] of sourceStatuses(snapshot)) {
		if (status.kind === 'unreachable' || status.kind === 'reconnecting') {
			concerns.push({
				level: 'UNKNOWN',
				scope: 'source',
				key: `source:${name}`,
				subject: name,
				metric: 'reachability',
				value: null,
				threshold: null,
				action: `Check that ${name} is up and reachable`,
				message: `${name}: ${status.kind === 'reconnecting' ? 'reconnecting, ' : ''}${status.reason}`,
			});
		}
	}

	concerns.sort((a, b) => levelRank[b.level] - levelRank[a.level] || scopeRank[a.scope] - scopeRank[b.scope] || a.key.localeCompare(b.key));

	return {
		assessment: {
			at: now,
			level: overallLevel(concerns),
			unknown: concerns.some(concern => concern.level === 'UNKNOWN'),
			concerns,
			averages: {cpuPercent: cpuAverage, memPercent: memAverage},
		},
		clock: nextClock,
	};
}

/**
 * Exit code of the one-shot check, in the monitoring-plugin convention. A critical finding outranks an unknown one
 * (a full database is news even when Redis cannot be read); an unknown outranks a warning.
 */
export function exitCodeFor(assessment: Assessment): 0 | 1 | 2 | 3 {
	if (assessment.level === 'IMMEDIATE') return 2;
	if (assessment.unknown) return 3;
	return assessment.level === 'SOON' ? 1 : 0;
}

function overallLevel(concerns: Concern[]): Level {
	if (concerns.some(concern => concern.level === 'IMMEDIATE')) return 'IMMEDIATE';
	if (concerns.some(concern => concern.level === 'SOON')) return 'SOON';
	return 'OK';
}

// One hot instance while the service average is not: a balancing problem, not a capacity one.
function instanceConcerns(
	instance: InstanceSample,
	thresholds: Thresholds,
	cpuAverage: number | null,
	memAverage: number | null,
	sustainedCpu: (key: string, value: number) => {level: 'SOON' | 'IMMEDIATE'; sustain?: Sustain},
): Concern[] {
	const out: Concern[] = [];
	const name = instance.name;
	if (instance.state !== 'running' || instance.health === 'unhealthy') {
		const what = instance.state === 'running' ? 'unhealthy' : instance.state;
		out.push({
			level: 'SOON',
			scope: 'instance',
			key: `instance.state:${name}`,
			subject: name,
			metric: 'state',
			value: null,
			threshold: null,
			action: runbookActions.instanceState,
			message: `${name} is ${what}: ${runbookActions.instanceState}`,
		});
		return out;
	}

	const cpu = instance.cpuPercent;
	const averageNote = (avg: number | null) => (avg === null ? '' : ` while the service average is ${formatPercent(avg)}`);
	if (cpu !== null && cpu > thresholds.cpuImmediate && !(cpuAverage !== null && cpuAverage > thresholds.cpuImmediate)) {
		const key = `instance.cpu:${name}`;
		const {level, sustain} = sustainedCpu(key, cpu);
		out.push(metricConcern(level, 'instance', key, name, 'cpu', cpu, thresholds.cpuImmediate, runbookActions.instance, `${name} CPU`, sustain, averageNote(cpuAverage)));
	} else if (cpu !== null && cpu > thresholds.cpuSoon && !(cpuAverage !== null && cpuAverage > thresholds.cpuSoon)) {
		out.push(metricConcern('SOON', 'instance', `instance.cpu:${name}`, name, 'cpu', cpu, thresholds.cpuSoon, runbookActions.instance, `${name} CPU`, undefined, averageNote(cpuAverage)));
	}

	const mem = instance.memPercent;
	if (mem !== null && mem > thresholds.memImmediate && !(memAverage !== null && memAverage > thresholds.memImmediate)) {
		out.push(metricConcern('IMMEDIATE', 'instance', `instance.memory:${name}`, name, 'memory', mem, thresholds.memImmediate, runbookActions.instance, `${name} memory`, undefined, averageNote(memAverage)));
	} else if (mem !== null && mem > thresholds.memSoon && !(memAverage !== null && memAverage > thresholds.memSoon)) {
		out.push(metricConcern('SOON', 'instance', `instance.memory:${name}`, name, 'memory', mem, thresholds.memSoon, runbookActions.instance, `${name} memory`, undefined, averageNote(memAverage)));
	}

	return out;
}

function metricConcern(
	level: 'SOON' | 'IMMEDIATE',
	scope: Concern['scope'],
	key: string,
	subject: string,
	metric: Concern['metric'],
	value: number,
	threshold: number,
	action: string,
	what: string,
	sustain?: Sustain,
	note = '',
): Concern {
	const clock = sustain ? sustainWords(sustain) : '';
	return {
		level,
		scope,
		key,
		subject,
		metric,
		value,
		threshold,
		action,
		sustain,
		message: `${what} ${formatPercent(value)} > ${formatPercent(threshold)}${clock}${note}: ${action}`,
	};
}

/** ` for 6m12s, IMMEDIATE at 10m`, ` for 12m04s (since before va-top started)`. */
function sustainWords(sustain: Sustain): string {
	const held = ` for ${formatDuration(sustain.heldSeconds)}`;
	const towards = sustain.heldSeconds < sustain.requiredSeconds ? `, IMMEDIATE at ${formatDuration(sustain.requiredSeconds)}` : '';
	return `${held}${sustain.beforeStart ? ' (since before va-top started)' : ''}${towards}`;
}

function sourceStatuses(snapshot: StackSnapshot): Array<[SourceName, SourceStatus]> {
	return [
		['docker', snapshot.docker.status],
		['postgres', snapshot.postgres.status],
		['redis', snapshot.redis.status],
	];
}

/**
 * The service average, only once every running instance has a number: right after start some instances have no
 * CPU delta yet, and an average over the first one alone flagged the whole service for a second.
 */
function average(values: Array<number | null>): number | null {
	let sum = 0;
	for (const value of values) {
		if (value === null || !Number.isFinite(value)) return null;
		sum += value;
	}

	return values.length === 0 ? null : sum / values.length;
}

export function formatPercent(value: number): string {
	return `${Math.round(value)}%`;
}

/** 6m12s, 45s, 1h02m: short enough for a table cell. */
export function formatDuration(seconds: number): string {
	const s = Math.max(0, Math.floor(seconds));
	if (s < 60) return `${s}s`;
	if (s < 3600) {
		const rest = s % 60;
		return rest === 0 ? `${Math.floor(s / 60)}m` : `${Math.floor(s / 60)}m${String(rest).padStart(2, '0')}s`;
	}

	return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
