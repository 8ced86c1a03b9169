// One tick of the live monitor: snapshot in, frame out. The UI calls tick() from its one shared clock.
import type {Assessment} from './assessment.js';
import {appendEvents, diffConcerns, type EventEntry} from './event-log.js';
import {History, seriesKey} from './history.js';
import {emptyClock, evaluate, type BreachClock} from './rules.js';
import type {Thresholds} from './thresholds.js';
import type {StackSnapshot} from './types.js';

/** Whether this process keeps the history on disk (source/record/recorder.ts), for the header. */
export interface RecordingStatus {
	kind: 'recording' | 'reading' | 'stopped';
	/** `recording`, `read-only: va-top --record (pid 812) records`, `recording stopped: no space left on the device`. */
	text: string;
	/** The store's path. */
	path: string;
}

export interface MonitorFrame {
	snapshot: StackSnapshot;
	assessment: Assessment;
	events: readonly EventEntry[];
	tick: number;
	/** Absent when nothing is recorded (--no-history, the demo). */
	recording?: RecordingStatus;
}

export interface Monitor {
	readonly history: History;
	tick(snapshot: StackSnapshot): MonitorFrame;
	/** Adds an entry (actions use it); the next frame shows it. */
	log(entry: EventEntry): void;
	/** The latest frame, or undefined before the first tick. */
	current(): MonitorFrame | undefined;
}

export interface MonitorOptions {
	thresholds: Thresholds;
	history?: History;
	eventCapacity?: number;
	/** Sustained breaches already under way, replayed from recorded history (core/backfill.ts). */
	clock?: BreachClock;
	/**
	 * The replayed clock waits for the first live CPU figures (a CPU percentage needs two readings) until this time;
	 * without it the first ticks, which have no figures yet, would end every replayed breach.
	 */
	clockValidUntil?: number;
	/** The recorded event log to go on from. */
	events?: readonly EventEntry[];
	/** When this process began reading: a clock older than this is marked as from before the start. */
	startedAt?: number;
}

export function createMonitor(options: MonitorOptions): Monitor {
	const history = options.history ?? new History();
	let clock: BreachClock = options.clock ?? emptyClock;
	let seed: BreachClock | undefined = options.clock;
	let events: readonly EventEntry[] = options.events ?? [];
	let pending: EventEntry[] = [];
	let frame: MonitorFrame | undefined;
	// Each instance's last sample time, so a reading is stored once however often we tick.
	const lastStored = new Map<string, number>();
	let tickCount = 0;

	const record = (snapshot: StackSnapshot, assessment: Assessment) => {
		const seen = new Set<string>();
		for (const instance of snapshot.docker.instances) {
			seen.add(instance.id);
			if (instance.sampledAt === null || lastStored.get(instance.id) === instance.sampledAt) continue;
			lastStored.set(instance.id, instance.sampledAt);
			if (instance.cpuPercent !== null) history.push(seriesKey.instanceCpu(instance.id), instance.sampledAt, instance.cpuPercent);
			if (instance.memPercent !== null) history.push(seriesKey.instanceMem(instance.id), instance.sampledAt, instance.memPercent);
		}

		for (const id of lastStored.keys()) {
			if (seen.has(id)) continue;
			// Gone (removed, scaled down, replaced by a deploy): nothing can show its series any more, and each holds
			// an hour of samples, so without this every deploy added ~115 KB until the history's series cap (~60 MB).
			lastStored.delete(id);
			history.delete(seriesKey.instanceCpu(id));
			history.delete(seriesKey.instanceMem(id));
		}

		const {cpuPercent, memPercent} = assessment.averages;
		if (cpuPercent !== null) history.push(seriesKey.serviceCpu, snapshot.at, cpuPercent);
		if (memPercent !== null) history.push(seriesKey.serviceMem, snapshot.at, memPercent);
		const pg = snapshot.postgres.sample;
		if (pg !== null && snapshot.postgres.status.kind === 'ok' && history.last(seriesKey.dbRatio)?.time !== pg.at) {
			history.push(seriesKey.dbRatio, pg.at, pg.ratio * 100);
		}

		const redis = snapshot.redis.sample;
		if (redis !== null && snapshot.redis.status.kind === 'ok' && history.last(seriesKey.redisRatio)?.time !== redis.at) {
			history.push(seriesKey.redisRatio, redis.at, redis.ratio * 100);
		}
	};

	return {
		history,
		tick(snapshot) {
			const evaluation = evaluate(snapshot, options.thresholds, clock, snapshot.at, {startedAt: options.startedAt});
			clock = evaluation.clock;
			if (seed !== undefined) {
				// Until the CPU figures are there (every running instance has one), the replayed breaches stay open.
				if (evaluation.assessment.averages.cpuPercent === null && snapshot.at <= (options.clockValidUntil ?? Number.NEGATIVE_INFINITY)) clock = new Map([...seed, ...clock]);
				else seed = undefined;
			}

			record(snapshot, evaluation.assessment);
			const changes = diffConcerns(frame?.assessment, evaluation.assessment);
			events = appendEvents(events, [...pending, ...changes], options.eventCapacity);
			pending = [];
			tickCount++;
			frame = {snapshot, assessment: evaluation.assessment, events, tick: tickCount};
			return frame;
		},
		log(entry) {
			pending.push(entry);
		},
		current: () => frame,
	};
}
