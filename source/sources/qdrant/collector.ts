// Reads Qdrant once per interval over HTTP (keep-alive): the kit's status machine says connecting / ok /
// reconnecting / unreachable with a reason. /metrics is asked again only a minute after it was refused.
import type {Collector} from '../collector.js';
import type {Kit} from '../kit/index.js';
import type {SourceReading} from '../../core/source-model.js';
import type {QdrantConfig} from './config.js';
import {createQdrantHttp} from './http.js';
import type {QdrantSample} from './parse.js';
import {freshReadState, readQdrant} from './read.js';

export const metricsRetryMs = 60_000;

export function createQdrantCollector(config: QdrantConfig, endpoint: string, kit: Kit): Collector<SourceReading<QdrantSample>> {
	const cell = kit.cell<QdrantSample>(endpoint);
	const secrets = config.apiKey === undefined ? [] : [config.apiKey];
	let client = createQdrantHttp({url: config.url, apiKey: config.apiKey, timeoutMs: kit.timeoutMs});
	let state = freshReadState();
	let metricsAfter = 0;
	let running = false;

	const poller = kit.poller(async () => {
		try {
			const {sample, metricsRefused} = await readQdrant(client, state, {metrics: kit.now() >= metricsAfter}, kit.now);
			if (!running) return;
			if (metricsRefused) metricsAfter = kit.now() + metricsRetryMs;
			cell.ok(sample, sample.at);
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
