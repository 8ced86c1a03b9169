// One tick of the live monitor: snapshot in, frame out. The UI calls tick() from its one shared clock.
import type {Assessment} from './assessment.js';
import {appendEvents, diffConcerns, type EventEntry} from './event-log.js';
import {History, seriesKey} from './history.js';
import {emptyClock, evaluate, noSelfMadeChanges, type BreachClock, type SelfMadeChanges} from './rules.js';
import {usableSample, type AnySourceModel} from './source-model.js';
import type {Thresholds} from './thresholds.js';
import type {StackSnapshot} from './types.js';

/** After an action of ours named an instance, its state changes raise no breach for this long (or while it runs). */
export const selfMadeWindowMs = 60_000;

export interface MonitorOptions {
	thresholds: Thresholds;
	/** The sources' models (the registry's), in order: their rules and series. */
	sources?: readonly AnySourceModel[];
	history?: History;
	eventCapacity?: number;
	/** The reading interval: a source whose data is older than three of them is not assessed. Omitted: no such check. */
	intervalMs?: number;
	/** Which instances va-top's own action is changing now (the action runner's); omitted: none. */
	selfMade?: () => SelfMadeChanges;
}

export interface MonitorFrame {
	snapshot: StackSnapshot;
	assessment: Assessment;
	events: readonly EventEntry[];
	tick: number;
}

export interface Monitor {
	readonly history: History;
	tick(snapshot: StackSnapshot): MonitorFrame;
	/** Adds an entry (actions use it); the next frame shows it. */
	log(entry: EventEntry): void;
	/** The latest frame, or undefined before the first tick. */
	current(): MonitorFrame | undefined;
}

export function createMonitor(options: MonitorOptions): Monitor {
	const history = options.history ?? new History();
	const models = options.sources ?? [];
	// Each instance an action named, and since when: it stays exempt for selfMadeWindowMs after.
	const named = new Map<string, number>();
	const selfMade = (now: number): SelfMadeChanges => {
		const given = options.selfMade?.() ?? noSelfMadeChanges;
		for (const name of given.names) if (!named.has(name)) named.set(name, now);
		for (const name of named.keys()) if (!given.names.has(name)) named.delete(name);
		const names = new Set([...named].filter(([, at]) => given.window || now - at < selfMadeWindowMs).map(([name]) => name));
		return {names, window: given.window};
	};

	let clock: BreachClock = emptyClock;
	let events: readonly EventEntry[] = [];
	let pending: EventEntry[] = [];
	let frame: MonitorFrame | undefined;
	// Each instance's last sample time, so a reading is stored once however often we tick.
	const lastStored = new Map<string, number>();
	let tickCount = 0;
	// Each source's last usable sample, for its events (a failover between two readings).
	const lastSamples = new Map<string, unknown>();

	const sourceEvents = (snapshot: StackSnapshot): EventEntry[] => {
		const out: EventEntry[] = [];
		for (const model of models) {
			const sample = usableSample(snapshot.sources[model.id]);
			if (sample === null || model.events === undefined) continue;
			const previous = lastSamples.get(model.id);
			if (previous === sample) continue;
			lastSamples.set(model.id, sample);
			if (previous === undefined) continue;
			for (const event of model.events(previous, sample)) out.push({at: snapshot.at, level: event.level, key: event.key, text: event.text});
		}

		return out;
	};

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
		for (const model of models) {
			const sample = usableSample(snapshot.sources[model.id]);
			if (sample === null || model.series === undefined) continue;
			for (const [name, value] of Object.entries(model.series(sample))) {
				const key = seriesKey.source(model.id, name);
				// A sample is stored once however often we tick.
				if (history.last(key)?.time !== sample.at) history.push(key, sample.at, value);
			}
		}
	};

	return {
		history,
		tick(snapshot) {
			const evaluation = evaluate(snapshot, options.thresholds, clock, snapshot.at, {
				sources: models,
				intervalMs: options.intervalMs,
				selfMade: selfMade(snapshot.at),
			});
			clock = evaluation.clock;
			record(snapshot, evaluation.assessment);
			const changes = diffConcerns(frame?.assessment, evaluation.assessment);
			events = appendEvents(events, [...pending, ...sourceEvents(snapshot), ...changes], options.eventCapacity);
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
