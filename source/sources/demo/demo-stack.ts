// A simulated VoiceAssist stack for `va-top --demo`: collectors with the real ones' contract, fed by the pure load
// model (the instances) and by each registered source's demo hook (its own folder's simulation), plus plain
// scale/drain methods that change the simulation. One interval timer for the whole stack.

import type {Collector} from '../collector.js';
import {createListeners, type Listeners} from '../listeners.js';
import type {AnySourceModel, DemoWorld, SampleBase, SourceReading} from '../../core/source-model.js';
import type {DockerView, HealthStatus, InstanceSample, ContainerState} from '../../core/types.js';
import {sources as registrySources} from '../registry.js';
import {
	fakeContainerId,
	instanceConnections,
	instanceMemLimitBytes,
	readInstance,
	type InstancePhase,
	type ModelInstance,
} from './load-model.js';

export interface DemoStackOptions {
	project: string;
	service: string;
	intervalMs: number;
	/** Epoch ms; the simulation's own clock is this plus whatever advance() added. */
	now?: () => number;
	seed?: number;
	/** Instances at the start, 3 unless told. */
	replicas?: number;
	/** The sources to simulate (those with a demo hook); the registry's unless told. */
	sources?: readonly AnySourceModel[];
}

export interface DemoStack {
	readonly docker: Collector<DockerView>;
	/** Each simulated source's collector, by source id (`sources.postgres`, `sources.redis`, …). */
	readonly sources: Readonly<Record<string, Collector<SourceReading<SampleBase>>>>;
	/** The models simulated, in the registry's order. */
	readonly models: readonly AnySourceModel[];
	readonly seed: number;
	/** The simulation's clock, epoch ms. */
	now(): number;
	/** Like `docker compose up -d --scale`: adds containers with new numbers or stops the highest-numbered ones. */
	scaleTo(count: number): Promise<void>;
	/** Takes the instance (id or name) out of the load balancer: no new load, its connections finish over seconds. */
	beginDrain(idOrName: string): Promise<void>;
	/** Established connections on the instance's app port, as the runbook's netstat check would count them. */
	connections(idOrName: string): number;
	/** Stops the instance: 'exited' for a moment, then gone. */
	removeInstance(idOrName: string): Promise<void>;
	/** Puts a draining instance back into the load balancer. */
	restoreInstance(idOrName: string): Promise<void>;
	/** For tests: moves the simulated clock forward by ms, one interval at a time, updating started collectors. */
	advance(ms: number): void;
}

/** Seconds a new container spends created before it runs, and booting before its health check passes. */
const createdMs = 1_000;
const bootMs = 3_000;
/** How long a stopped container stays listed as exited before it disappears. */
const exitedMs = 2_000;
/** The compose ceiling for scaleTo; the runbook recommends 10+, the simulated host has room for 20. */
const maxReplicas = 20;
const defaultSeed = 1;

interface SimInstance {
	serial: number;
	number: number;
	id: string;
	/** All times are elapsed ms since the stack was created (may be negative for instances older than the demo). */
	runningAtMs: number;
	healthyAtMs: number;
	exitedAtMs: number | null;
	drain: ModelInstance['drain'];
}

function phaseAt(instance: SimInstance, elapsedMs: number): InstancePhase {
	if (instance.exitedAtMs !== null && elapsedMs >= instance.exitedAtMs) return 'exited';
	if (elapsedMs < instance.runningAtMs) return 'created';
	if (elapsedMs < instance.healthyAtMs) return 'booting';
	return instance.drain ? 'draining' : 'serving';
}

const dockerState: Record<InstancePhase, ContainerState> = {
	created: 'created',
	booting: 'running',
	serving: 'running',
	draining: 'running',
	exited: 'exited',
};

const dockerHealth: Record<InstancePhase, HealthStatus> = {
	created: 'none',
	booting: 'starting',
	serving: 'healthy',
	draining: 'healthy',
	exited: 'none',
};

interface Slot<View> {
	started: boolean;
	view: View;
	/** Serialised content of `view`, so an unchanged reading keeps the same object. */
	content: string;
	listeners: Listeners;
}

export function createDemoStack(options: DemoStackOptions): DemoStack {
	const {project, service, intervalMs} = options;
	if (!(intervalMs > 0)) throw new RangeError(`demo interval must be positive, got ${intervalMs}`);
	const seed = options.seed ?? defaultSeed;
	const replicas = options.replicas ?? 3;
	if (!Number.isInteger(replicas) || replicas < 0 || replicas > maxReplicas) {
		throw new RangeError(`demo replicas must be a whole number 0..${maxReplicas}, got ${replicas}`);
	}

	const wallClock = options.now ?? Date.now;
	let advancedMs = 0;
	const now = () => wallClock() + advancedMs;
	const epoch = now();
	const elapsed = () => now() - epoch;

	let nextSerial = 1;
	let instances: SimInstance[] = [];
	function addInstance(number: number, runningAtMs: number, healthyAtMs: number): void {
		const serial = nextSerial++;
		instances.push({
			serial,
			number,
			id: fakeContainerId(seed, serial),
			runningAtMs,
			healthyAtMs,
			exitedAtMs: null,
			drain: null,
		});
	}

	// The stack has been up for a few hours when the demo begins.
	for (let number = 1; number <= replicas; number++) {
		const upSince = -(3 * 3_600_000 + number * 47_000);
		addInstance(number, upSince, upSince + bootMs);
	}

	function modelAt(elapsedMs: number): ModelInstance[] {
		return instances.map((instance) => ({
			serial: instance.serial,
			number: instance.number,
			phase: phaseAt(instance, elapsedMs),
			runningSinceMs: elapsedMs >= instance.runningAtMs ? instance.runningAtMs : null,
			drain: instance.drain,
		}));
	}

	function prune(elapsedMs: number): void {
		instances = instances.filter((instance) => instance.exitedAtMs === null || elapsedMs < instance.exitedAtMs + exitedMs);
	}

	function find(idOrName: string): SimInstance {
		const instance = instances.find((candidate) => candidate.id === idOrName || nameOf(candidate) === idOrName);
		if (!instance) throw new Error(`no demo instance ${idOrName}`);
		return instance;
	}

	function nameOf(instance: SimInstance): string {
		return `${project}-${service}-${instance.number}`;
	}

	// ---- views --------------------------------------------------------------------------------------------------

	function dockerView(at: number, elapsedMs: number): DockerView {
		const model = modelAt(elapsedMs);
		const samples: InstanceSample[] = instances
			.map((instance, index): InstanceSample => {
				const phase = model[index].phase;
				const reading = readInstance(seed, model[index], model, elapsedMs);
				const hasStats = reading.memPercent !== null;
				return {
					id: instance.id,
					name: nameOf(instance),
					number: instance.number,
					state: dockerState[phase],
					health: dockerHealth[phase],
					restartCount: 0,
					startedAt: elapsedMs >= instance.runningAtMs ? epoch + instance.runningAtMs : null,
					cpuPercent: reading.cpuPercent,
					memPercent: reading.memPercent,
					memUsageBytes: reading.memUsageBytes,
					memLimitBytes: hasStats ? instanceMemLimitBytes : null,
					sampledAt: hasStats ? at : null,
				};
			})
			.sort((a, b) => (a.number ?? 0) - (b.number ?? 0));
		return {endpoint: 'demo://docker', status: {kind: 'ok', at}, instances: samples};
	}

	/** What every source's simulation sees: the instances as the load model has them now. */
	function worldAt(elapsedMs: number): DemoWorld {
		const model = modelAt(elapsedMs);
		return {
			seed,
			elapsedMs,
			project,
			service,
			instances: instances.map((instance, index) => ({
				name: nameOf(instance),
				number: instance.number,
				phase: model[index]!.phase,
				cpuPercent: readInstance(seed, model[index]!, model, elapsedMs).cpuPercent,
			})),
		};
	}

	function makeSlot<View>(view: View): Slot<View> {
		return {started: false, view, content: '', listeners: createListeners()};
	}

	// Until a collector starts, it says what a real one says while it connects.
	const connecting = {kind: 'connecting', since: epoch} as const;
	const dockerSlot = makeSlot<DockerView>({endpoint: 'demo://docker', status: connecting, instances: []});
	const simulated = (options.sources ?? registrySources).filter(source => source.demo !== undefined);
	const sourceSlots = simulated.map(source => ({
		model: source,
		slot: makeSlot<SourceReading<SampleBase>>({endpoint: source.demo!.endpoint, status: connecting, sample: null}),
	}));

	function publish<View>(slot: Slot<View>, next: View): void {
		if (!slot.started) return;
		const content = JSON.stringify(next);
		if (content === slot.content) return;
		slot.view = next;
		slot.content = content;
		slot.listeners.notify();
	}

	function refresh(): void {
		const at = now();
		const elapsedMs = at - epoch;
		prune(elapsedMs);
		publish(dockerSlot, dockerView(at, elapsedMs));
		// Built once per refresh, only when a started source will read it.
		let world: DemoWorld | undefined;
		for (const {model, slot} of sourceSlots) {
			if (!slot.started) continue;
			world ??= worldAt(elapsedMs);
			const sample = model.demo!.sample(world, at);
			publish(slot, {endpoint: model.demo!.endpoint, status: {kind: 'ok', at}, sample});
		}
	}

	// ---- the one timer ------------------------------------------------------------------------------------------

	let timer: ReturnType<typeof setInterval> | null = null;
	function syncTimer(): void {
		const anyStarted = dockerSlot.started || sourceSlots.some(({slot}) => slot.started);
		if (anyStarted && !timer) timer = setInterval(refresh, intervalMs);
		if (!anyStarted && timer) {
			clearInterval(timer);
			timer = null;
		}
	}

	function collector<View>(slot: Slot<View>): Collector<View> {
		return {
			start() {
				if (slot.started) return;
				slot.started = true;
				syncTimer();
				refresh();
			},
			async stop() {
				slot.started = false;
				syncTimer();
			},
			view: () => slot.view,
			subscribe: slot.listeners.subscribe,
		};
	}

	// ---- actions ------------------------------------------------------------------------------------------------

	function activeInstances(elapsedMs: number): SimInstance[] {
		return instances.filter((instance) => phaseAt(instance, elapsedMs) !== 'exited');
	}

	function stopInstance(instance: SimInstance, elapsedMs: number): void {
		instance.exitedAtMs = elapsedMs;
		instance.drain = null;
	}

	// Actions apply at once and resolve; the simulated containers then move through their states with the clock.
	async function scaleTo(count: number): Promise<void> {
		if (!Number.isInteger(count) || count < 0 || count > maxReplicas) {
			throw new RangeError(`scale count must be a whole number 0..${maxReplicas}, got ${count}`);
		}

		const elapsedMs = elapsed();
		prune(elapsedMs);
		const active = activeInstances(elapsedMs).sort((a, b) => a.number - b.number);
		if (count > active.length) {
			// Compose numbers new containers after the highest one it still lists.
			let number = Math.max(0, ...instances.map((instance) => instance.number));
			for (let added = active.length; added < count; added++) {
				number++;
				addInstance(number, elapsedMs + createdMs, elapsedMs + createdMs + bootMs);
			}
		} else {
			for (const instance of active.slice(count)) stopInstance(instance, elapsedMs);
		}

		refresh();
	}

	async function beginDrain(idOrName: string): Promise<void> {
		const elapsedMs = elapsed();
		const instance = find(idOrName);
		const model = modelAt(elapsedMs);
		const index = instances.indexOf(instance);
		const phase = model[index].phase;
		if (phase === 'draining') return;
		if (phase !== 'serving') throw new Error(`${nameOf(instance)} is ${phase}; only a serving instance can drain`);
		const reading = readInstance(seed, model[index], model, elapsedMs);
		instance.drain = {
			sinceMs: elapsedMs,
			connections: instanceConnections(model[index], model, elapsedMs),
			cpuPercent: reading.cpuPercent ?? 0,
		};
		refresh();
	}

	function connections(idOrName: string): number {
		const elapsedMs = elapsed();
		const instance = find(idOrName);
		const model = modelAt(elapsedMs);
		return instanceConnections(model[instances.indexOf(instance)], model, elapsedMs);
	}

	async function removeInstance(idOrName: string): Promise<void> {
		const elapsedMs = elapsed();
		const instance = find(idOrName);
		if (phaseAt(instance, elapsedMs) === 'exited') return;
		stopInstance(instance, elapsedMs);
		refresh();
	}

	async function restoreInstance(idOrName: string): Promise<void> {
		const elapsedMs = elapsed();
		const instance = find(idOrName);
		const phase = phaseAt(instance, elapsedMs);
		if (phase === 'exited') throw new Error(`${nameOf(instance)} has exited; it cannot be put back`);
		instance.drain = null;
		refresh();
	}

	function advance(ms: number): void {
		if (!(ms >= 0)) throw new RangeError(`advance needs a non-negative duration, got ${ms}`);
		let remaining = ms;
		while (remaining > 0) {
			const step = Math.min(intervalMs, remaining);
			advancedMs += step;
			remaining -= step;
			refresh();
		}
	}

	return {
		docker: collector(dockerSlot),
		sources: Object.fromEntries(sourceSlots.map(({model, slot}) => [model.id, collector(slot)])),
		models: options.sources ?? registrySources,
		seed,
		now,
		scaleTo,
		beginDrain,
		connections,
		removeInstance,
		restoreInstance,
		advance,
	};
}
