// Redis as a Sentinel set or a Cluster, read once per interval (sentinel-reader.ts, cluster-reader.ts) on pooled
// connections per node. A Sentinel failover is followed at once: every sentinel's +switch-master makes the next
// reading start now (the master is still taken from the sentinels' majority, not from the message).
import type {SourceReading} from '../../core/source-model.js';
import type {RedisSample} from './parse.js';
import type {Collector} from '../collector.js';
import type {Kit} from '../kit/index.js';
import {readClusterTopology} from './cluster-reader.js';
import {createNodePool, type NodePool} from './node-pool.js';
import {readSentinelTopology} from './sentinel-reader.js';
import {headlineNode, type RedisTopology} from './topology.js';

export type RedisTopologyConfig =
	| {mode: 'sentinel'; sentinels: readonly string[]; name: string}
	| {mode: 'cluster'; seeds: readonly string[]};

export interface RedisCredentials {
	/** For the data nodes (master, replicas, cluster nodes). */
	password?: string;
	username?: string;
	/** For the sentinels (`requirepass` in sentinel.conf), which may differ. */
	sentinelPassword?: string;
}

/** The single-node figures (of the master; in a cluster, of the fullest node) plus the topology. */
export type RedisTopologySample = RedisSample & {topology: RedisTopology};

export function createRedisTopologyCollector(config: RedisTopologyConfig, credentials: RedisCredentials, endpoint: string, kit: Kit): Collector<SourceReading<RedisTopologySample>> {
	const cell = kit.cell<RedisTopologySample>(endpoint);
	const secrets = [credentials.password, credentials.sentinelPassword];
	let pools: {nodes: NodePool; sentinels: NodePool} | null = null;
	let unsubscribers: Array<() => void> = [];
	let topology: RedisTopology | undefined;
	let running = false;
	let followUps: NodeJS.Timeout[] = [];

	// Each sentinel publishes +switch-master as it learns of the failover, a moment apart, and a reading in flight makes
	// a tick a no-op: read now and twice more shortly after, so the majority's new answer is seen within seconds.
	function follow(): void {
		poller.tick();
		for (const delay of [500, 1500]) {
			const timer = setTimeout(() => {
				followUps = followUps.filter(other => other !== timer);
				if (running) poller.tick();
			}, delay);
			followUps.push(timer);
		}
	}

	const newPool = (password: string | undefined, username?: string) =>
		createNodePool({password, username, timeoutMs: kit.timeoutMs, retryDelay: kit.backoff, describe: (error, at) => kit.describe(error, at, secrets)});

	const poller = kit.poller(async () => {
		const current = pools;
		if (!current) return;
		const next = config.mode === 'sentinel'
			? await readSentinelTopology({sentinels: config.sentinels, name: config.name}, current, topology, kit.now)
			: await readClusterTopology({seeds: config.seeds}, current.nodes, topology, kit.now);
		if (!running) return;
		topology = next;
		const headline = headlineNode(next);
		if (headline?.memory) {
			cell.ok({...headline.memory, topology: next}, next.at);
			return;
		}

		const why = config.mode === 'sentinel'
			? next.master === null
				? `no sentinel names a master for ${config.name}: ${next.sentinel!.sentinels.map(sentinel => sentinel.error).filter(Boolean).join('; ')}`
				: `master ${next.master}: ${next.nodes.find(node => node.endpoint === next.master)?.error ?? 'no reading'}`
			: `no cluster node answers: ${next.nodes.map(node => node.error).filter(Boolean).join('; ') || 'no node known'}`;
		cell.fail(why);
	});

	return {
		start() {
			if (running) return;
			running = true;
			cell.connecting();
			pools = {nodes: newPool(credentials.password, credentials.username), sentinels: newPool(credentials.sentinelPassword)};
			if (config.mode === 'sentinel') {
				const {sentinels} = pools;
				unsubscribers = config.sentinels.map(sentinel => sentinels.subscribe(sentinel, '+switch-master', message => {
					if (message.split(' ')[0] === config.name) follow();
				}));
			}

			poller.start();
		},
		async stop() {
			running = false;
			for (const timer of followUps) clearTimeout(timer);
			followUps = [];
			for (const unsubscribe of unsubscribers) unsubscribe();
			unsubscribers = [];
			const current = pools;
			pools = null;
			await Promise.all([poller.stop(), current?.nodes.close(), current?.sentinels.close()]);
		},
		view: cell.view,
		subscribe: cell.subscribe,
	};
}
