// The scaling runbook's rules as pure code. No I/O: a snapshot, the sources' models and a clock in, an assessment
// out. The workload's rules (CPU, memory, instance states) live here; each source's live in its folder and are
// reached through its model. Every threshold goes through the one judge (threshold-judge.ts).
import type {Assessment, Concern, ConcernLevel, Level, OverallLevel, Sustain} from './assessment.js';
import {breachConcern} from './breach.js';
import {formatDuration, formatPercent} from './format.js';
import {healthOf, readingError, usableSample, type AnySourceModel, type ConcernContext} from './source-model.js';
import {containerMemoryConcerns} from './stack-services.js';
import {createJudge, emptyClock, type BreachClock, type Judge, type Rung} from './threshold-judge.js';
import type {Thresholds} from './thresholds.js';
import {swarmConcerns} from './swarm-report.js';
import type {InstanceSample, SourceStatus, StackSnapshot} from './types.js';
import {compareText} from './compare.js';

export {emptyClock, type BreachClock} from './threshold-judge.js';
export {formatDuration, formatPercent} from './format.js';

export const runbookActions = {
	scaleOut: 'Scale application horizontally',
	plan: 'Plan to scale within 24 hours',
	instance: 'Check load balancing, or drain the instance',
	instanceState: 'Check the instance, or drain it',
} as const;

/** A new container may sit in `created` this long before it counts as a problem (compose creates, then starts). */
export const createdGraceSeconds = 15;

/**
 * Instances va-top's own action is changing, so their state changes raise no breach. `names`: the instances an
 * action named (drained, stopped, removed, created); `window`: an action is running now (its new replicas appear as
 * `created` before anyone can name them).
 */
export interface SelfMadeChanges {
	names: ReadonlySet<string>;
	window: boolean;
}

export const noSelfMadeChanges: SelfMadeChanges = {names: new Set(), window: false};

export interface EvaluateOptions {
	/** The sources' models, in the registry's order (the composition root hands them in). */
	sources?: readonly AnySourceModel[];
	/** --once: no sustain, no hysteresis; messages say where that differs from the live monitor. */
	oneShot?: boolean;
	selfMade?: SelfMadeChanges;
	/** Live: the reading interval; a source whose newest data is older than three of them is not assessed (stale). */
	intervalMs?: number;
	/** --once with recorded history up to now: the keys judged over it, from the replayed clock (core/backfill.ts). */
	overHistory?: (key: string) => boolean;
	/** When this va-top began reading: a sustain clock that began earlier was replayed from the recorded history. */
	startedAt?: number;
}

const levelRank: Record<ConcernLevel, number> = {IMMEDIATE: 3, UNKNOWN: 2, SOON: 1};

export interface Evaluation {
	assessment: Assessment;
	clock: BreachClock;
}

export function evaluate(
	snapshot: StackSnapshot,
	thresholds: Thresholds,
	clock: BreachClock = emptyClock,
	now: number = snapshot.at,
	options: EvaluateOptions = {},
): Evaluation {
	const models = options.sources ?? [];
	const oneShot = options.oneShot ?? false;
	const judge = createJudge(clock, now, {hysteresis: thresholds.hysteresis ?? 0, oneShot, overHistory: options.overHistory, startedAt: options.startedAt});
	// Sort order within a level: the service, then each source in the registry's order, then instances, then reachability.
	const groupRank = new Map<Concern, number>();
	const add = (rank: number, found: readonly Concern[]) => {
		for (const concern of found) groupRank.set(concern, rank);
	};

	// An instance whose engine cannot be read has no numbers: it is not assessed, and it does not drag the average.
	const running = snapshot.docker.instances.filter(instance => instance.state === 'running' && instance.notAssessed === undefined);
	const cpuAverage = average(running.map(instance => instance.cpuPercent));
	const memAverage = average(running.map(instance => instance.memPercent));
	const service = snapshot.service;
	const workload: Concern[] = [];
	if (snapshot.docker.status.kind === 'ok' && snapshot.docker.instances.length === 0) {
		const swarm = snapshot.docker.swarm;
		workload.push(
			swarm === undefined
				? unknownConcern('docker', 'source:docker:empty', `docker: no instances of ${snapshot.project}/${service} found`, 'Check --project and --service')
				: unknownConcern('docker', 'source:docker:empty', `docker: Swarm service ${swarm.service} has no tasks`, 'Check the service on the Swarm manager (docker service ps)'),
		);
	}

	const cpuRungs = (scaleOut: string, plan: string): Rung[] => [
		{level: 'IMMEDIATE', threshold: thresholds.cpuImmediate, sustainSeconds: thresholds.cpuSustainSeconds, action: scaleOut},
		{level: 'SOON', threshold: thresholds.cpuSoon, action: plan},
	];
	const memRungs = (scaleOut: string, plan: string): Rung[] => [
		{level: 'IMMEDIATE', threshold: thresholds.memImmediate, action: scaleOut},
		{level: 'SOON', threshold: thresholds.memSoon, action: plan},
	];
	const serviceCpu = judge.check('service.cpu', cpuAverage, 'percent', cpuRungs(runbookActions.scaleOut, runbookActions.plan));
	if (serviceCpu) workload.push(breachConcern(serviceCpu, {key: 'service.cpu', scope: 'service', subject: service, metric: 'cpu', what: `${service} average CPU`, now}));
	const serviceMem = judge.check('service.memory', memAverage, 'percent', memRungs(runbookActions.scaleOut, runbookActions.plan));
	if (serviceMem) workload.push(breachConcern(serviceMem, {key: 'service.memory', scope: 'service', subject: service, metric: 'memory', what: `${service} average memory`, now}));
	add(0, workload);

	const instances: Concern[] = [];
	for (const instance of snapshot.docker.instances) {
		if (instance.notAssessed !== undefined) continue;
		instances.push(...instanceConcerns(instance, {judge, thresholds, now, selfMade: options.selfMade ?? noSelfMadeChanges, cpuAverage, memAverage, cpuRungs, memRungs}));
	}

	const fromSources: Concern[] = [];
	const context: ConcernContext = {thresholds, judge, oneShot, project: snapshot.project, service, now};
	models.forEach((model, index) => {
		const sample = usableSample(snapshot.sources[model.id]);
		if (sample === null) return;
		// Tagged with their source: a concern's subject is the source's own word (a pool, a queue), not always its id.
		const found = model.concerns(sample, context).map(concern => ({...concern, source: model.id}));
		add(1 + index / (models.length + 1), found);
		fromSources.push(...found);
	});
	add(2, instances);
	// The project's other services (postgres, redis, …): the memory rule per container, after the app's instances.
	const containers = containerMemoryConcerns(snapshot.docker.others ?? [], {judge, thresholds, now});
	add(2.5, containers);

	const reachability: Concern[] = [];
	for (const [name, status, dataAt] of sourceStatuses(snapshot, models)) {
		if (status.kind === 'unreachable' || status.kind === 'reconnecting') {
			reachability.push(unknownConcern(name, `source:${name}`, `${name}: ${status.kind === 'reconnecting' ? 'reconnecting, ' : ''}${status.reason}`, `Check that ${name} is up and reachable`));
		} else if (options.intervalMs !== undefined && healthOf(status, dataAt, now, options.intervalMs) === 'stale') {
			const age = formatDuration((now - (dataAt ?? now)) / 1000);
			reachability.push(unknownConcern(name, `source:${name}`, `${name}: no new data for ${age}`, `Check that ${name} is up and reachable`));
		}
	}

	// Several engines: one that cannot be read while the others can is a source not seen, as any other.
	if (snapshot.docker.status.kind === 'ok' && (snapshot.docker.engines?.length ?? 0) > 1) {
		for (const engine of snapshot.docker.engines!) {
			if (engine.status.kind !== 'unreachable' && engine.status.kind !== 'reconnecting') continue;
			const what = engine.instances === 0 ? 'its instances are not known' : `its ${engine.instances} instance${engine.instances === 1 ? '' : 's'} not assessed`;
			reachability.push(
				unknownConcern(
					`docker:${engine.name}`,
					`source:docker:${engine.name}`,
					`docker: ${engine.name} ${engine.status.kind === 'reconnecting' ? 'reconnecting, ' : 'unreachable, '}${engine.status.reason}; ${what}`,
					`Check that the Docker engine on ${engine.name} is up and reachable`,
				),
			);
		}
	}

	// A Swarm node va-top has no way to reach leaves its tasks unseen, as an engine that cannot be read does.
	reachability.push(...swarmConcerns(snapshot));
	add(3, reachability);
	const concerns = [...workload, ...fromSources, ...instances, ...containers, ...reachability];
	concerns.sort((a, b) => levelRank[b.level] - levelRank[a.level] || groupRank.get(a)! - groupRank.get(b)! || compareText(a.key, b.key));

	return {
		assessment: {
			at: now,
			level: overallLevel(concerns),
			unknown: concerns.some(concern => concern.level === 'UNKNOWN'),
			concerns,
			averages: {cpuPercent: cpuAverage, memPercent: memAverage},
			oldestDataAt: oldestDataAt(snapshot, models, running),
		},
		clock: judge.clock(),
	};
}

/**
 * The level the headline shows and --once exits with, in the monitoring-plugin convention: a critical finding
 * outranks an unknown one (a full database is news even when Redis cannot be read); an unknown outranks a warning
 * and an OK (a monitor never says OK about what it cannot see).
 */
export function overallOf(assessment: Pick<Assessment, 'level' | 'unknown'>): OverallLevel {
	if (assessment.level === 'IMMEDIATE') return 'IMMEDIATE';
	if (assessment.unknown) return 'UNKNOWN';
	return assessment.level;
}

/** Exit code of the one-shot check: 0 OK, 1 SOON, 2 IMMEDIATE, 3 UNKNOWN (overallOf). */
export function exitCodeFor(assessment: Pick<Assessment, 'level' | 'unknown'>): 0 | 1 | 2 | 3 {
	return ({OK: 0, SOON: 1, IMMEDIATE: 2, UNKNOWN: 3} as const)[overallOf(assessment)];
}

function overallLevel(concerns: Concern[]): Level {
	if (concerns.some(concern => concern.level === 'IMMEDIATE')) return 'IMMEDIATE';
	if (concerns.some(concern => concern.level === 'SOON')) return 'SOON';
	return 'OK';
}

function unknownConcern(subject: string, key: string, message: string, action: string): Concern {
	return {level: 'UNKNOWN', scope: 'source', key, subject, metric: 'reachability', value: null, threshold: null, action, message};
}

interface InstanceContext {
	judge: Judge;
	thresholds: Thresholds;
	now: number;
	selfMade: SelfMadeChanges;
	cpuAverage: number | null;
	memAverage: number | null;
	cpuRungs(scaleOut: string, plan: string): Rung[];
	memRungs(scaleOut: string, plan: string): Rung[];
}

/** States an action of ours puts an instance through on its way in or out. */
const transitional = new Set(['created', 'exited', 'removing']);

// One hot instance while the service average is not: a balancing problem, not a capacity one.
function instanceConcerns(instance: InstanceSample, context: InstanceContext): Concern[] {
	const {judge, now, selfMade, cpuAverage, memAverage} = context;
	const name = instance.name;
	// A Swarm task being shut down is Swarm doing what it was told (a scale-down, an update).
	if (instance.task !== undefined && instance.state === 'removing') return [];
	if (instance.state !== 'running' || instance.health === 'unhealthy') {
		const task = instance.task;
		const what = instance.state === 'running' ? 'unhealthy' : task === undefined ? instance.state : `${task.state}${task.message === '' ? '' : ` (${task.message})`}`;
		const key = `instance.state:${name}`;
		// Our own scale or drain: its instances come and go through these states, and that is no alarm.
		if (transitional.has(instance.state) && (selfMade.names.has(name) || (selfMade.window && instance.state === 'created'))) return [];
		// A start-up grace: compose creates a container, then starts it.
		if (instance.state === 'created' && !judge.persisting(key, true, createdGraceSeconds)) return [];
		return [
			{
				level: 'SOON',
				scope: 'instance',
				key,
				subject: name,
				metric: 'state',
				value: null,
				threshold: null,
				action: runbookActions.instanceState,
				message: `${name} is ${what}: ${runbookActions.instanceState}`,
			},
		];
	}

	const out: Concern[] = [];
	const averageNote = (avg: number | null) => (avg === null ? '' : ` while the service average is ${formatPercent(avg)}`);
	// Only the rungs the service as a whole does not breach: that one is reported once, for the service.
	const ownRungs = (rungs: Rung[], avg: number | null) => rungs.filter(rung => !(avg !== null && avg > rung.threshold));
	const cpuKey = `instance.cpu:${name}`;
	const cpu = judge.check(cpuKey, instance.cpuPercent, 'percent', ownRungs(context.cpuRungs(runbookActions.instance, runbookActions.instance), cpuAverage));
	if (cpu) out.push(breachConcern(cpu, {key: cpuKey, scope: 'instance', subject: name, metric: 'cpu', what: `${name} CPU`, note: averageNote(cpuAverage), now}));
	const memKey = `instance.memory:${name}`;
	const mem = judge.check(memKey, instance.memPercent, 'percent', ownRungs(context.memRungs(runbookActions.instance, runbookActions.instance), memAverage));
	if (mem) out.push(breachConcern(mem, {key: memKey, scope: 'instance', subject: name, metric: 'memory', what: `${name} memory`, note: averageNote(memAverage), now}));
	return out;
}

/** Each source's status and the time of its newest data: the workload's, then the registry's in order. */
function sourceStatuses(snapshot: StackSnapshot, models: readonly AnySourceModel[]): Array<[string, SourceStatus, number | null]> {
	const out: Array<[string, SourceStatus, number | null]> = [['docker', snapshot.docker.status, dockerDataAt(snapshot)]];
	for (const model of models) {
		const reading = snapshot.sources[model.id];
		if (reading === undefined) continue;
		out.push([model.id, reading.status, reading.sample?.at ?? null]);
	}

	return out;
}

/** Docker's data are the stats of running instances; with none running a quiet daemon is not a stale one. */
export function dockerDataAt(snapshot: StackSnapshot): number | null {
	if (snapshot.docker.status.kind !== 'ok') return null;
	const streaming = snapshot.docker.instances.some(instance => instance.state === 'running');
	return streaming ? snapshot.docker.status.at : snapshot.at;
}

/** The oldest reading the verdict used: the running instances' stats and every source that answered. */
function oldestDataAt(snapshot: StackSnapshot, models: readonly AnySourceModel[], running: readonly InstanceSample[]): number | null {
	let oldest: number | null = null;
	const consider = (at: number | null | undefined) => {
		if (at !== null && at !== undefined && Number.isFinite(at) && (oldest === null || at < oldest)) oldest = at;
	};

	if (snapshot.docker.status.kind === 'ok') {
		const sampled = running.map(instance => instance.sampledAt).filter((at): at is number => at !== null);
		if (sampled.length > 0) for (const at of sampled) consider(at);
		else consider(dockerDataAt(snapshot));
	}

	for (const model of models) {
		const sample = usableSample(snapshot.sources[model.id]);
		consider(sample?.at);
	}

	return oldest;
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

export type {Sustain};
export {readingError};
