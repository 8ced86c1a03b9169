// Pure: Redis's part of the one-shot report (JSON fields documented in the README; add, never rename).
import {formatBytes, formatPercent} from '../../core/format.js';
import {readingError, type SourceReportPart} from '../../core/source-model.js';
import type {RedisSample} from './parse.js';
import {headlineNode, type RedisNodeSample, type RedisTopology} from './topology.js';

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

function nodeJson(node: RedisNodeSample) {
	return {
		endpoint: node.endpoint,
		role: node.role,
		reachable: node.reachable,
		error: node.error,
		usedMemoryBytes: node.memory?.usedMemoryBytes ?? null,
		maxMemoryBytes: node.memory?.maxMemoryBytes ?? null,
		ratio: node.memory === null ? null : round(node.memory.ratio, 4),
		master: node.masterEndpoint,
		linkUp: node.linkUp,
		clusterFlags: node.clusterFlags,
		slots: node.slots,
	};
}

function topologyJson(topology: RedisTopology, current: boolean) {
	const nodes = topology.nodes.map(node => (current ? nodeJson(node) : {...nodeJson(node), reachable: false}));
	return {
		mode: topology.mode,
		nodes,
		clusterState: current ? (topology.cluster?.state ?? null) : null,
		...(topology.sentinel === null
			? {}
			: {
					sentinel: {
						name: topology.sentinel.name,
						master: current ? topology.master : null,
						sentinels: topology.sentinel.sentinels.length,
						reachable: current ? topology.sentinel.reachable : 0,
						quorum: topology.sentinel.quorum,
						failovers: topology.sentinel.failovers.map(failover => ({at: new Date(failover.at).toISOString(), from: failover.from, to: failover.to})),
					},
				}),
	};
}

export const redisReport: SourceReportPart<RedisSample> = {
	json: (reading, redis) => {
		const topology = redis?.topology ?? reading.sample?.topology;
		const headline = topology === undefined ? undefined : headlineNode(topology);
		return {
			endpoint: headline?.endpoint ?? reading.endpoint,
			reachable: redis !== null,
			usedMemoryBytes: redis?.usedMemoryBytes ?? null,
			usedMemoryRssBytes: redis?.usedMemoryRssBytes ?? null,
			maxMemoryBytes: redis?.maxMemoryBytes ?? null,
			limitBytes: redis?.limitBytes ?? null,
			limitSource: redis?.limitSource ?? null,
			fragmentationRatio: redis === null ? null : round(redis.fragmentationRatio, 2),
			ratio: redis === null ? null : round(redis.ratio, 4),
			error: readingError(reading.status),
			...(topology === undefined
				? {
						mode: 'standalone',
						nodes: [{endpoint: reading.endpoint, role: 'standalone', reachable: redis !== null, error: readingError(reading.status), usedMemoryBytes: redis?.usedMemoryBytes ?? null, maxMemoryBytes: redis?.maxMemoryBytes ?? null, ratio: redis === null ? null : round(redis.ratio, 4)}],
						clusterState: null,
					}
				: topologyJson(topology, redis !== null)),
		};
	},
	lines(redis) {
		const limit = redis.limitSource === 'maxmemory' ? `maxmemory ${formatBytes(redis.maxMemoryBytes)}` : `system memory ${formatBytes(redis.totalSystemMemoryBytes)} (no maxmemory set)`;
		const topology = redis.topology;
		if (topology === undefined) {
			return [`  Memory Usage: ${formatBytes(redis.usedMemoryBytes)} of ${limit} (${formatPercent(redis.ratio * 100)}), rss ${formatBytes(redis.usedMemoryRssBytes)}, fragmentation ${redis.fragmentationRatio.toFixed(2)}`];
		}

		const head = topology.mode === 'sentinel'
			? `  Sentinel ${topology.sentinel!.name}: master ${topology.master ?? 'unknown'}, ${topology.sentinel!.reachable}/${topology.sentinel!.sentinels.length} sentinels answer (quorum ${topology.sentinel!.quorum ?? '?'})`
			: `  Cluster: cluster_state ${topology.cluster!.state ?? 'unknown'}, ${topology.nodes.filter(node => node.role === 'master').length} masters, ${topology.nodes.filter(node => node.role === 'replica').length} replicas`;
		const nodes = topology.nodes.map(node => {
			if (node.memory === null) return `  ${node.role} ${node.endpoint}: ${node.clusterFlags.includes('fail') ? 'FAILED, ' : ''}${node.error ?? 'no answer'}`;
			const of = node.memory.limitSource === 'maxmemory' ? `maxmemory ${formatBytes(node.memory.maxMemoryBytes)}` : 'system memory (no maxmemory)';
			const link = node.role === 'replica' && node.linkUp === false ? ', link down' : '';
			return `  ${node.role} ${node.endpoint}: ${formatBytes(node.memory.usedMemoryBytes)} of ${of} (${formatPercent(node.memory.ratio * 100)})${link}`;
		});
		const moves = topology.sentinel?.failovers.slice(-3).map(failover => `  Failover ${new Date(failover.at).toISOString()}: ${failover.from} → ${failover.to}`) ?? [];
		return [head, ...nodes, ...moves];
	},
};
