// The stack's history for a command: loaded for the backfill, and (live monitor, --record) a recorder writing on.
// A store that must not be touched (corrupt, newer, not ours, another stack's) is bad input: exit 64, untouched.
import {mkdirSync} from 'node:fs';
import type {Options} from '../config/options.js';
import {UsageError} from '../config/usage-error.js';
import {backfillWindowMs, seedHistory, type SustainReplay} from '../core/backfill.js';
import {defaultHistoryCapacity} from '../core/history.js';
import type {MonitorFrame} from '../core/monitor.js';
import type {Monitor} from '../core/monitor.js';
import type {RecordedHistory} from '../core/recorded-history.js';
import {redactUrl} from '../core/redact.js';
import {createRecorder, type Recorder, type TappedHistory} from './recorder.js';
import {historyBaseDir, stackPaths, type StackPaths} from './stack-paths.js';
import type {StoreIdentity} from './store-format.js';
import {acquireLock, type LockResult} from './lock.js';
import {loadInBackground, type LoadedStore} from './load-in-background.js';
import {loadStoreWithState, StoreError} from './store.js';
import {identityMatches} from './store-io.js';

/** Buckets are loaded this far back, so a breach's clock can say how long it has really held (up to a day). */
export const bucketLookbackMs = 24 * 3600_000;

/**
 * A stack is its Compose project and service on one Docker engine. The databases are not part of it: a cron job
 * and an operator's shell that name PostgreSQL differently still share the stack's history.
 */
export function storeIdentity(options: Pick<Options, 'project' | 'service' | 'dockerHost'>): StoreIdentity {
	return {project: options.project, service: options.service, endpoints: [redactUrl(options.dockerHost ?? 'unix:///var/run/docker.sock')]};
}

export function storePaths(options: Pick<Options, 'project' | 'service' | 'dockerHost' | 'historyDir'>, env: NodeJS.ProcessEnv = process.env): StackPaths {
	return stackPaths(historyBaseDir(options.historyDir, env), storeIdentity(options));
}

function refuse(error: StoreError): UsageError {
	const advice: Record<string, string> = {
		'not-ours': 'expected a store written by va-top; move it away to start a new one',
		newer: 'use that va-top, or move the store away to start a new one',
		corrupt: 'va-top leaves it as it is; move it away to start a new one',
		identity: 'expected the store of this stack; move it away to start a new one',
	};
	return new UsageError(`${error.message}: ${advice[error.kind] ?? 'move it away'}`);
}

export interface OpenedHistory {
	paths: StackPaths;
	/** The sustained rule's clocks when they were replayed where the store was read (the recorder's thread). */
	replayed?: SustainReplay;
	/** What was recorded (the last hour of readings, a day of buckets, the last hour's events); null when none. */
	recorded: RecordedHistory | null;
	recorder: Recorder | null;
}

export {sustainSeries} from '../core/backfill.js';

export interface OpenHistoryInput {
	options: Options;
	role: 'record' | 'live' | 'once';
	/** The history the recorder taps (what is pushed into it from now on is written). */
	history?: TappedHistory;
	/** Fill `history` with the recorded hour for the charts: before the tap opens, so the hour is not written again. */
	seedCharts?: boolean;
	secrets: readonly string[];
	now?: number;
	env?: NodeJS.ProcessEnv;
	only?: (key: string) => boolean;
}

export function openHistory(input: OpenHistoryInput): OpenedHistory {
	const {options} = input;
	const paths = storePaths(options, input.env);
	if (!options.history || options.demo) return {paths, recorded: null, recorder: null};
	const now = input.now ?? Date.now();
	let loaded: LoadedStore = null;
	try {
		loaded = loadStoreWithState(paths.store, {since: now - backfillWindowMs, bucketsSince: now - bucketLookbackMs, only: input.only}, storeIdentity(options));
	} catch (error) {
		settleLoadError(error);
	}

	return finishOpen(input, paths, now, loaded);
}

/** A store that must not be touched is bad input; one that cannot be read now (I/O) is history not loaded. */
function settleLoadError(error: unknown): void {
	if (error instanceof StoreError && error.kind !== 'io') throw refuse(error);
	if (!(error instanceof StoreError)) throw error;
}

function finishOpen(input: OpenHistoryInput, paths: StackPaths, now: number, loaded: LoadedStore, held?: LockResult): OpenedHistory {
	const recorded = loaded?.history ?? null;
	if (input.seedCharts && recorded !== null && input.history !== undefined) {
		if (loaded?.seeded !== undefined) input.history.adopt(loaded.seeded);
		else seedHistory(input.history, recorded, now, input.options.intervalMs);
	}

	if (input.role === 'once' || input.history === undefined) {
		if (held?.kind === 'held') held.lock.release();
		return {paths, recorded, recorder: null, ...(loaded?.replayed === undefined ? {} : {replayed: loaded.replayed})};
	}

	try {
		const recorder = createRecorder({paths, identity: storeIdentity(input.options), role: input.role, history: input.history, secrets: input.secrets, held, resume: loaded?.state});
		return {paths, recorded, recorder, ...(loaded?.replayed === undefined ? {} : {replayed: loaded.replayed})};
	} catch (error) {
		if (error instanceof StoreError && error.kind !== 'io') throw refuse(error);
		throw error;
	}
}

/**
 * A start's history, begun early: the lock tried, then the store read on a worker thread (the live monitor's screen
 * loads meanwhile; the recorder gets only the sustained rule's clocks back). The lock comes first, so what the read
 * finds is what the writer goes on from: no one writes in between.
 */
export interface BegunHistory {
	paths: StackPaths;
	identity: StoreIdentity;
	lock: LockResult | undefined;
	load: Promise<LoadedStore>;
}

export function beginHistory(options: Options, role: 'live' | 'record', env: NodeJS.ProcessEnv = process.env, now = Date.now()): BegunHistory | null {
	if (!options.history || options.demo) return null;
	const paths = storePaths(options, env);
	const identity = storeIdentity(options);
	let lock: LockResult | undefined;
	try {
		mkdirSync(paths.dir, {recursive: true, mode: 0o700});
		lock = acquireLock(paths.lock, role);
	} catch {
		// The recorder tries again, and says why it cannot record.
	}

	const window = {since: now - backfillWindowMs, bucketsSince: now - bucketLookbackMs};
	const replay = {thresholds: options.thresholds, now, intervalMs: options.intervalMs};
	// The live monitor gets its charts' rings and the clocks; the recorder only the clocks and the newest events.
	const load = loadInBackground({
		file: paths.store,
		expect: identity,
		replay,
		...(role === 'live'
			? {options: window, seed: {capacity: defaultHistoryCapacity, now, intervalMs: options.intervalMs}, slim: {events: Number.MAX_SAFE_INTEGER}}
			: {options: {...window, sustainOnly: true}, slim: {events: recorderEvents}}),
	});
	// Awaited by openBegunHistory; until then a refusal must not count as unhandled.
	load.catch(() => undefined);
	return {paths, identity, lock, load};
}

/** The recorder's event log starts with this many recorded events (its rules need no more). */
export const recorderEvents = 20;

/** Releases what beginHistory took, when the command does not go on after all. */
export function abandonHistory(begun: BegunHistory | null): void {
	if (begun?.lock?.kind === 'held') begun.lock.lock.release();
}

/** openHistory from what beginHistory began (null: as openHistory does, here and now). */
export async function openBegunHistory(begun: BegunHistory | null, input: OpenHistoryInput): Promise<OpenedHistory> {
	if (begun === null || !identityMatches(begun.identity, storeIdentity(input.options))) {
		abandonHistory(begun);
		return openHistory(input);
	}

	const now = input.now ?? Date.now();
	let loaded: LoadedStore = null;
	try {
		loaded = await begun.load;
	} catch (error) {
		try {
			settleLoadError(error);
		} catch (refused) {
			abandonHistory(begun);
			throw refused;
		}
	}

	return finishOpen(input, begun.paths, now, loaded, begun.lock);
}

/** The monitor, recording after each tick; the frame carries the recording's state for the header. */
export function recordingMonitor(monitor: Monitor, recorder: Recorder | null): Monitor {
	if (recorder === null) return monitor;
	let last: MonitorFrame | undefined;
	return {
		history: monitor.history,
		tick(snapshot) {
			const frame = monitor.tick(snapshot);
			const change = recorder.record(frame);
			if (change !== null) monitor.log(change);
			last = {...frame, recording: recorder.status()};
			return last;
		},
		log: entry => monitor.log(entry),
		current: () => last ?? monitor.current(),
	};
}
