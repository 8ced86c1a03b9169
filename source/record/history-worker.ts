// The history store loaded on a thread of its own (load-in-background.ts starts it): the recorded hour is read and
// decoded on the second core while the main thread loads the screen, instead of after it.
import {parentPort, workerData} from 'node:worker_threads';
import {loadForRequest, type BackgroundLoadRequest, type BackgroundLoadReply} from './load-in-background.js';
import {StoreError} from './store.js';

const request = workerData as BackgroundLoadRequest;
let reply: BackgroundLoadReply;
const transfer: ArrayBuffer[] = [];
try {
	const loaded = loadForRequest(request);
	reply = {kind: 'loaded', loaded};
	// The readings' arrays move to the main thread, not copied (an hour at 50 instances is ~6 MB of them).
	const buffers = new Set<ArrayBuffer>();
	for (const series of loaded?.history.series.values() ?? []) {
		buffers.add(series.times.buffer as ArrayBuffer);
		buffers.add(series.values.buffer as ArrayBuffer);
	}

	for (const {ring} of loaded?.seeded ?? []) {
		buffers.add(ring.times.buffer as ArrayBuffer);
		buffers.add(ring.values.buffer as ArrayBuffer);
	}

	transfer.push(...buffers);
} catch (error) {
	reply =
		error instanceof StoreError
			? {kind: 'store-error', file: error.file, errorKind: error.kind, message: error.message, code: error.code}
			: {kind: 'failed', message: error instanceof Error ? error.message : String(error)};
}

parentPort!.postMessage(reply, transfer);
