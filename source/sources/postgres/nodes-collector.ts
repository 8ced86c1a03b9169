// Several PostgreSQL nodes read together, once per interval: each on its own connection (node-connection.ts), all at
// once, then the tier built from the answers (topology.ts). The source answers as long as one node does; which node is
// the primary comes from the nodes themselves. The fields of the single-node sample describe the primary.
import type {SourceReading} from '../../core/source-model.js';
import type {Collector} from '../collector.js';
import type {Kit} from '../kit/index.js';
import {createNodeConnection, type NodeConnection} from './node-connection.js';
import {queryNode} from './node-query.js';
import {buildTopology, type PgNodeReading, type PgTopology} from './topology.js';

export interface PgNode {
	/** postgres://…; the password never leaves this module. */
	url: string;
	/** host:port, shown everywhere. */
	endpoint: string;
}

/** The single-node figures (of the primary) plus the tier. */
export interface PgNodesSample {
	connections: number;
	active: number;
	maxConnections: number;
	ratio: number;
	at: number;
	topology: PgTopology;
}

/** The figures the single-node fields carry: the primary's, or while none answers as one, the first node that answers. */
export function headlineNode(topology: PgTopology) {
	return topology.nodes.find(node => node.endpoint === topology.primary && node.reachable) ?? topology.nodes.find(node => node.reachable);
}

export function createPgNodesCollector(options: {nodes: readonly PgNode[]; endpoint: string; secrets: readonly string[]}, kit: Kit): Collector<SourceReading<PgNodesSample>> {
	const cell = kit.cell<PgNodesSample>(options.endpoint);
	let connections: NodeConnection[] = [];
	let topology: PgTopology | undefined;
	let running = false;

	async function readNode(node: PgNode, connection: NodeConnection): Promise<PgNodeReading> {
		try {
			const client = await connection.client();
			const raw = await queryNode(client);
			connection.succeeded();
			return {endpoint: node.endpoint, raw, error: null, at: kit.now()};
		} catch (error) {
			await connection.failed(error);
			return {endpoint: node.endpoint, raw: null, error: kit.describe(error, node.endpoint, options.secrets), at: null};
		}
	}

	const poller = kit.poller(async () => {
		const readings = await Promise.all(options.nodes.map(async (node, index) => readNode(node, connections[index]!)));
		if (!running) return;
		const at = kit.now();
		topology = buildTopology(readings, at, topology);
		const headline = headlineNode(topology);
		if (headline === undefined || headline.connections === null || headline.maxConnections === null) {
			cell.fail(readings.map(reading => reading.error ?? `${reading.endpoint}: no reading`).join('; '));
			return;
		}

		cell.ok({connections: headline.connections, active: headline.active ?? 0, maxConnections: headline.maxConnections, ratio: headline.ratio ?? 0, at, topology}, at);
	});

	return {
		start() {
			if (running) return;
			running = true;
			cell.connecting();
			connections = options.nodes.map(node => createNodeConnection({url: node.url, timeoutMs: kit.timeoutMs, backoff: kit.backoff, now: kit.now}));
			poller.start();
		},
		async stop() {
			running = false;
			// Closing first ends a reading in flight at once instead of at its timeout.
			await Promise.all([...connections.map(async connection => connection.close()), poller.stop()]);
		},
		view: cell.view,
		subscribe: cell.subscribe,
	};
}
