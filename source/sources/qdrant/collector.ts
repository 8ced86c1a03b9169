// Reads Qdrant once per interval over HTTP (keep-alive): the kit's status machine says connecting / ok /
// reconnecting / unreachable with a reason. /metrics (informational, and large on a real Qdrant) is read every 30 s,
// and only a minute after it was refused; the figures of its last answer are kept in between.
import type {Collector} from '../collector.js';
import type {Kit} from '../kit/index.js';
import type {SourceReading} from '../../core/source-model.js';
import type {QdrantConfig} from './config.js';
import {createQdrantHttp} from './http.js';
import type {QdrantSample} from './parse.js';
import {freshReadState, readQdrant} from './read.js';

export const metricsRetryMs = 60_000;
export const metricsEveryMs = 30_000;

export function createQdrantCollector(config: QdrantConfig, endpoint: string, kit: Kit): Collector<SourceReading<QdrantSample>> {
	const cell = kit.cell<QdrantSample>(endpoint);
	const secrets = config.apiKey === undefined ? [] : [config.apiKey];
	let client = createQdrantHttp({url: config.url, apiKey: config.apiKey, timeoutMs: kit.timeoutMs});
	let state = freshReadState();
	let metricsAfter = 0;
	let lastMetrics: QdrantSample['metrics'] = null;
	let running = false;

	const poller = kit.poller(async () => {
		try {
			const asked = kit.now() >= metricsAfter;
			const {sample, metricsRefused} = await readQdrant(client, state, {metrics: asked}, kit.now);
			if (!running) return;
			if (asked) {
				metricsAfter = kit.now() + (metricsRefused ? metricsRetryMs : metricsEveryMs);
				lastMetrics = sample.metrics;
			}

			cell.ok(asked ? sample : {...sample, metrics: lastMetrics}, sample.at);
		} catch (error) {
			if (!running) return;
			// Sockets kept alive to a server that went away are of no use: start the next reading afresh.
			client.close();
			client = createQdrantHttp({url: config.url, apiKey: config.apiKey, timeoutMs: kit.timeoutMs});
			cell.fail(kit.describe(error, endpoint, secrets));
		}
	});

	return {
		start() {
			if (running) return;
			running = true;
			cell.connecting();
			state = freshReadState();
			metricsAfter = 0;
			lastMetrics = null;
			poller.start();
		},
		async stop() {
			running = false;
			await poller.stop();
			client.close();
		},
		view: cell.view,
		subscribe: cell.subscribe,
	};
}
