// Loads the history store on a worker thread (history-worker.ts), so a start does not wait for it on the main
// thread: the live monitor's screen loads meanwhile, and the recorder, which needs only the sustained rule's clocks,
// gets those back and never holds the hour's buffers in its own heap. Where the worker cannot run (no such file
// under the test runner, a thread that failed), the same load runs here: slower, never a different answer.
import {Worker} from 'node:worker_threads';
import {replaySustain, sustainSeries, type SustainReplay} from '../core/backfill.js';
import type {RecordedHistory} from '../core/recorded-history.js';
import type {Thresholds} from '../core/thresholds.js';
import type {StoreIdentity} from './store-format.js';
import {loadStoreWithState, StoreError, type LoadOptions, type WriterState} from './store.js';

export type LoadedStore = {
	history: RecordedHistory;
	state: WriterState;
	/** With a replay request: the clocks; the history then has no series, and only the newest events. */
	replayed?: SustainReplay;
} | null;

export interface BackgroundLoadRequest {
	file: string;
	/** Without `only` (a function does not cross to a thread): `sustainOnly` names the one filter there is. */
	options: Omit<LoadOptions, 'only'> & {sustainOnly?: boolean};
	expect: StoreIdentity;
	/** Replay the sustained CPU rule there and send back only its clocks and the newest `events`. */
	replay?: {thresholds: Thresholds; now: number; intervalMs: number; events: number};
}

export type BackgroundLoadReply =
	| {kind: 'loaded'; loaded: LoadedStore}
	| {kind: 'store-error'; file: string; errorKind: StoreError['kind']; message: string; code?: string}
	| {kind: 'failed'; message: string};

/** The load a request asks for, on whichever thread runs it. Throws StoreError as loadStore does. */
export function loadForRequest(request: BackgroundLoadRequest): LoadedStore {
	const {sustainOnly, ...options} = request.options;
	const loaded = loadStoreWithState(request.file, {...options, only: sustainOnly ? sustainSeries : undefined}, request.expect);
	if (loaded === null || request.replay === undefined) return loaded;
	const {thresholds, now, intervalMs, events} = request.replay;
	const replayed = replaySustain(loaded.history, thresholds, now, intervalMs);
	return {history: {...loaded.history, series: new Map(), events: loaded.history.events.slice(-events)}, state: loaded.state, replayed};
}

/** Next to this module: dist/history-worker.js in the bundle, dist/source/record/history-worker.js from tsc. */
export const defaultWorkerUrl = new URL('history-worker.js', import.meta.url);

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
