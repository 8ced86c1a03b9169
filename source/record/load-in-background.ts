// Loads the history store on a worker thread (history-worker.ts), so a start does not wait for it on the main
// thread: the live monitor's screen loads meanwhile, and the recorder, which needs only the sustained rule's clocks,
// gets those back and never holds the hour's buffers in its own heap. Where the worker cannot run (no such file
// under the test runner, a thread that failed), the same load runs here: slower, never a different answer.
import {Worker} from 'node:worker_threads';
import {replaySustain, seedHistory, sustainSeries, type SustainReplay} from '../core/backfill.js';
import {History} from '../core/history.js';
import type {RingParts} from '../core/ring-buffer.js';
import type {RecordedHistory} from '../core/recorded-history.js';
import type {Thresholds} from '../core/thresholds.js';
import type {StoreIdentity} from './store-format.js';
import {loadStoreWithState, StoreError, type LoadOptions, type WriterState} from './store.js';

export type LoadedStore = {
	history: RecordedHistory;
	state: WriterState;
	/** With a replay request: the sustained rule's clocks. */
	replayed?: SustainReplay;
	/** With a seed request: the charts' rings, built there, for History.adopt. */
	seeded?: Array<{key: string; ring: RingParts}>;
} | null;

export interface BackgroundLoadRequest {
	file: string;
	/** Without `only` (a function does not cross to a thread): `sustainOnly` names the one filter there is. */
	options: Omit<LoadOptions, 'only'> & {sustainOnly?: boolean};
	expect: StoreIdentity;
	/** Replay the sustained CPU rule there (the clocks come back in `replayed`). */
	replay?: {thresholds: Thresholds; now: number; intervalMs: number};
	/** Build the charts' rings there (History of this capacity, as seedHistory fills it; back in `seeded`). */
	seed?: {capacity: number; now: number; intervalMs: number};
	/** Send back no series (what was asked of them came back replayed or seeded), and only the newest events. */
	slim?: {events: number};
}

export type BackgroundLoadReply =
	| {kind: 'loaded'; loaded: LoadedStore}
	| {kind: 'store-error'; file: string; errorKind: StoreError['kind']; message: string; code?: string}
	| {kind: 'failed'; message: string};

/** The load a request asks for, on whichever thread runs it. Throws StoreError as loadStore does. */
export function loadForRequest(request: BackgroundLoadRequest): LoadedStore {
	const {sustainOnly, ...options} = request.options;
	const loaded = loadStoreWithState(request.file, {...options, only: sustainOnly ? sustainSeries : undefined}, request.expect);
	if (loaded === null) return null;
	const result: NonNullable<LoadedStore> = {...loaded};
	if (request.replay !== undefined) result.replayed = replaySustain(loaded.history, request.replay.thresholds, request.replay.now, request.replay.intervalMs);
	if (request.seed !== undefined) {
		const charts = new History(request.seed.capacity);
		seedHistory(charts, loaded.history, request.seed.now, request.seed.intervalMs);
		result.seeded = charts.handOver();
	}

	if (request.slim !== undefined) result.history = {...loaded.history, series: new Map(), events: loaded.history.events.slice(-request.slim.events)};
	return result;
}

/** Next to this module: dist/history-worker.js in the bundle, dist/source/record/history-worker.js from tsc. */
export const defaultWorkerUrl = new URL('./history-worker.js', import.meta.url);

/** Resolves with the load, or rejects with the StoreError the same load would throw on this thread. */
export function loadInBackground(request: BackgroundLoadRequest, workerUrl: URL = defaultWorkerUrl): Promise<LoadedStore> {
	const here = () => loadForRequest(request);
	return new Promise<LoadedStore>((resolve, reject) => {
		let settled = false;
		const settle = (run: () => LoadedStore) => {
			if (settled) return;
			settled = true;
			try {
				resolve(run());
			} catch (error) {
				reject(error);
			}
		};

		let worker: Worker;
		try {
			worker = new Worker(workerUrl, {workerData: request});
		} catch {
			settle(here);
			return;
		}

		// A thread must not keep a quitting monitor alive.
		worker.unref();
		worker.once('message', (reply: BackgroundLoadReply) => {
			settle(() => {
				if (reply.kind === 'loaded') return reply.loaded;
				if (reply.kind === 'store-error') throw new StoreError(reply.file, reply.errorKind, reply.message, reply.code);
				return here();
			});
		});
		worker.once('error', () => settle(here));
		worker.once('exit', () => settle(here));
	});
}
