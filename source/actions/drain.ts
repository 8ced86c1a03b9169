// The runbook's graceful shutdown, made safe and visible: out of the balancer, wait for the app port's established
// connections to reach zero (a few readings in a row) or the timeout, then stop gracefully and remove. Until the stop
// begins, an abort or any failure puts every instance back into the balancer; from the stop on, it runs to the end.
import type {ActionBackend, Balancer, BalancerHandle, BackendInstance, Precondition} from './backend.js';
import {countsAsRunning} from '../core/action-rules.js';

export type DrainPhase = 'balancer' | 'waiting' | 'stopping' | 'restoring' | 'done';

export interface DrainProgress {
	/** Instance name. */
	instance: string;
	phase: DrainPhase;
	/** Established connections at the last reading; null before the first one. */
	connections: number | null;
	/** Whole seconds until the drain timeout. */
	secondsLeft: number;
	/** Consecutive readings of zero so far. */
	zeroReadings: number;
	/** false once the stop has begun: an abort is no longer possible. */
	abortable: boolean;
}

export interface DrainSettings {
	appPort: number;
	timeoutMs: number;
	/** Readings of zero in a row that mean drained. */
	zeroReadings: number;
	intervalMs: number;
}

export type DrainOutcome =
	| {kind: 'stopped'; waitedMs: number; timedOut: Array<{name: string; connections: number}>}
	| {kind: 'aborted'; restoreErrors: string[]}
	| {kind: 'failed'; stage: 'balancer' | 'waiting' | 'stopping'; error: string; restoreErrors: string[]};

export interface DrainRun {
	backend: ActionBackend;
	balancer: Balancer;
	victims: readonly BackendInstance[];
	/** Instances the service keeps (passed to the backend's remove). */
	target: number;
	/** A versioned service (Swarm): the version the removal is made against. */
	precondition?: Precondition;
	settings: DrainSettings;
	signal?: AbortSignal;
	onProgress?: (progress: DrainProgress) => void;
	/** A line for the event log. */
	note: (text: string, failure?: boolean) => void;
	now: () => number;
	sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** setTimeout that an abort ends early. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve) => {
		if (signal?.aborted) {
			resolve();
			return;
		}

		const done = () => {
			clearTimeout(timer);
			signal?.removeEventListener('abort', done);
			resolve();
		};

		const timer = setTimeout(done, Math.max(0, ms));
		signal?.addEventListener('abort', done, {once: true});
	});
}

function message(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

export async function drainInstances(run: DrainRun): Promise<DrainOutcome> {
	const {backend, balancer, victims, settings, signal, now, note} = run;
	const progress = (instance: BackendInstance, phase: DrainPhase, connections: number | null, secondsLeft: number, zeroReadings: number) => {
		try {
			run.onProgress?.({instance: instance.name, phase, connections, secondsLeft, zeroReadings, abortable: phase === 'balancer' || phase === 'waiting'});
		} catch {
			// The screen's bug must not leave an instance out of the balancer.
		}
	};

	const handles: Array<{instance: BackendInstance; handle: BalancerHandle}> = [];
	const restoreAll = async (only?: ReadonlySet<string>): Promise<string[]> => {
		const errors: string[] = [];
		for (const {instance, handle} of [...handles].reverse()) {
			if (only !== undefined && !only.has(instance.id)) continue;
			progress(instance, 'restoring', null, 0, 0);
			try {
				note(`${instance.name}: ${await handle.restore()}`);
			} catch (error) {
				errors.push(`${instance.name} could not be put back into the balancer: ${message(error)}`);
				note(`${instance.name} could not be put back into the balancer: ${message(error)}`, true);
			}
		}

		return errors;
	};

	const timeoutSeconds = Math.ceil(settings.timeoutMs / 1000);
	// 1. Out of the balancer, one at a time, so a failure knows exactly what to put back.
	for (const instance of victims) {
		if (signal?.aborted) return {kind: 'aborted', restoreErrors: await restoreAll()};
		progress(instance, 'balancer', null, timeoutSeconds, 0);
		try {
			const handle = await balancer.remove(instance);
			handles.push({instance, handle});
			note(`${instance.name}: ${handle.description}`);
		} catch (error) {
			return {kind: 'failed', stage: 'balancer', error: message(error), restoreErrors: await restoreAll()};
		}
	}

	// 2. Count the app port's connections every interval until each instance read zero enough times, or the timeout.
	const started = now();
	const deadline = started + settings.timeoutMs;
	const zeros = new Map<string, number>(victims.map((instance) => [instance.id, 0]));
	const last = new Map<string, number>();
	for (;;) {
		if (signal?.aborted) return {kind: 'aborted', restoreErrors: await restoreAll()};
		const pending = victims.filter((instance) => (zeros.get(instance.id) ?? 0) < settings.zeroReadings);
		let counts: number[];
		try {
			counts = await Promise.all(pending.map((instance) => backend.connections(instance, settings.appPort)));
		} catch (error) {
			return {kind: 'failed', stage: 'waiting', error: message(error), restoreErrors: await restoreAll()};
		}

		const secondsLeft = Math.max(0, Math.ceil((deadline - now()) / 1000));
		pending.forEach((instance, index) => {
			const count = counts[index]!;
			last.set(instance.id, count);
			zeros.set(instance.id, count === 0 ? (zeros.get(instance.id) ?? 0) + 1 : 0);
			progress(instance, 'waiting', count, secondsLeft, zeros.get(instance.id)!);
		});
		if (victims.every((instance) => (zeros.get(instance.id) ?? 0) >= settings.zeroReadings)) break;
		if (now() >= deadline) break;
		await run.sleep(Math.min(settings.intervalMs, Math.max(0, deadline - now())), signal);
	}

	if (signal?.aborted) return {kind: 'aborted', restoreErrors: await restoreAll()};
	const timedOut = victims
		.filter((instance) => (zeros.get(instance.id) ?? 0) < settings.zeroReadings)
		.map((instance) => ({name: instance.name, connections: last.get(instance.id) ?? 0}));
	for (const {name, connections} of timedOut) {
		note(`${name}: drain timeout (${timeoutSeconds} s) with ${connections} connection${connections === 1 ? '' : 's'} still open; stopping anyway`);
	}

	// 3. Stop gracefully and remove. No abort from here: a half-stopped instance is not a known state.
	const waitedMs = now() - started;
	for (const instance of victims) progress(instance, 'stopping', last.get(instance.id) ?? null, 0, zeros.get(instance.id) ?? 0);
	try {
		const report = await backend.remove(victims, run.target, run.precondition);
		for (const line of report?.notes ?? []) note(line);
		// Swarm picked another task than the one drained: said plainly; the drained slot runs again, so it goes back in.
		if (report?.failure !== undefined) {
			const restoreErrors = report.restore === true ? await restoreAll() : [];
			return {kind: 'failed', stage: 'stopping', error: report.failure, restoreErrors};
		}
	} catch (error) {
		// What still runs goes back into the balancer; what stopped stays out.
		let stillRunning = new Set(victims.map((instance) => instance.id));
		try {
			const now = await backend.list();
			stillRunning = new Set(now.filter((instance) => countsAsRunning(instance.state) && stillRunning.has(instance.id)).map((instance) => instance.id));
		} catch {
			// Unknown: assume they all still run, and put them back.
		}

		const restoreErrors = await restoreAll(stillRunning);
		return {kind: 'failed', stage: 'stopping', error: message(error), restoreErrors};
	}

	// Trust but verify: compose picks its own victims, and one that still runs must not stay out of the balancer.
	try {
		const after = await backend.list();
		const left = victims.filter((victim) => after.some((instance) => instance.id === victim.id && countsAsRunning(instance.state)));
		if (left.length > 0) {
			const restoreErrors = await restoreAll(new Set(left.map((instance) => instance.id)));
			const names = left.map((instance) => instance.name).join(', ');
			return {kind: 'failed', stage: 'stopping', error: `${names} still running after the removal (the backend removed other instances?)`, restoreErrors};
		}
	} catch {
		// The removal reported success; a failed listing does not undo that.
	}

	// Gone for good: the balancer forgets it (a failure here is told, the drain itself succeeded).
	for (const {instance, handle} of handles) {
		if (handle.retire === undefined) continue;
		try {
			note(`${instance.name}: ${await handle.retire()}`);
		} catch (error) {
			note(`${instance.name} was removed, but the balancer still names it: ${message(error)}`, true);
		}
	}

	for (const instance of victims) progress(instance, 'done', last.get(instance.id) ?? null, 0, zeros.get(instance.id) ?? 0);
	return {kind: 'stopped', waitedMs, timedOut};
}
