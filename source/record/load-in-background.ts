// Loads the history store on a worker thread (history-worker.ts), so the live monitor's start does not wait for it
// on the main thread. Where the worker cannot run (no such file under the test runner, a thread that failed), the
// same load runs here: slower to start, never a different answer.
import {Worker} from 'node:worker_threads';
import type {StoreIdentity} from './store-format.js';
import {loadStoreWithState, StoreError, type LoadOptions, type WriterState} from './store.js';
import type {RecordedHistory} from '../core/recorded-history.js';

export type LoadedStore = {history: RecordedHistory; state: WriterState} | null;

export interface BackgroundLoadRequest {
	file: string;
	/** Without `only`: a function does not cross to a thread. */
	options: Omit<LoadOptions, 'only'>;
	expect: StoreIdentity;
}

export type BackgroundLoadReply =
	| {kind: 'loaded'; loaded: LoadedStore}
	| {kind: 'store-error'; file: string; errorKind: StoreError['kind']; message: string; code?: string}
	| {kind: 'failed'; message: string};

/** Next to this module: dist/history-worker.js in the bundle, dist/source/record/history-worker.js from tsc. */
export const defaultWorkerUrl = new URL('history-worker.js', import.meta.url);

/** Resolves with the load, or rejects with the StoreError the same load would throw on this thread. */
export function loadInBackground(request: BackgroundLoadRequest, workerUrl: URL = defaultWorkerUrl): Promise<LoadedStore> {
	const here = () => loadStoreWithState(request.file, request.options, request.expect);
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
