// Pure: Redis on screen: the REDIS mem chart of page 1 (the master, or a cluster's fullest node), with a sentinel set
// or cluster one chart per node on the Redis nodes page(s), and the header's text.
import type {ValueFormat} from '../../core/format.js';
import type {SourceChartSpec} from '../../core/source-model.js';
import type {RedisSample} from './parse.js';
import {fullestNode, headlineNode, type RedisNodeSample} from './topology.js';

export const redisCharts: ReadonlyArray<SourceChartSpec<RedisSample>> = [
	{
		key: 'redis',
		page: 1,
		series: 'ratio',
		label: 'REDIS mem',
		now: (redis, format) =>
			` ${format.bytes(redis.usedMemoryBytes)}/${format.bytes(redis.limitBytes)}${redis.limitSource === 'system' ? ' (system, no maxmemory)' : ''} ${format.percent(redis.ratio * 100)}`,
		threshold: 'redisImmediate',
		concernKey: 'redis.memory',
		lineColor: 'magenta',
	},
];

/** A node's series name: its memory ratio in %. */
export const redisNodeSeries = (endpoint: string) => `ratio:${endpoint}`;

function nodeNow(node: RedisNodeSample | undefined, format: ValueFormat): string {
	if (node === undefined) return ' gone';
	if (node.memory === null) return node.clusterFlags.includes('fail') ? ' failed' : ' unreachable';
	return ` ${format.bytes(node.memory.usedMemoryBytes)}/${format.bytes(node.memory.limitBytes)} ${format.percent(node.memory.ratio * 100)}${node.role === 'replica' && node.linkUp === false ? ' link down' : ''}`;
}

/** One chart per node; the fullest node's chart carries the memory concern's mark (it decides the level). */
export function redisNodeCharts(redis: RedisSample): ReadonlyArray<SourceChartSpec<RedisSample>> {
	const topology = redis.topology;
	if (topology === undefined) return [];
	const fullest = fullestNode(topology.nodes)?.endpoint;
	return topology.nodes.map(node => ({
		key: `redis:${node.endpoint}`,
		page: 0,
		series: redisNodeSeries(node.endpoint),
		label: `REDIS ${node.endpoint} ${node.role}`,
		now: (sample: RedisSample, format: ValueFormat) => nodeNow(sample.topology?.nodes.find(candidate => candidate.endpoint === node.endpoint), format),
		threshold: 'redisImmediate',
		...(node.endpoint === fullest ? {concernKey: 'redis.memory'} : {}),
		lineColor: node.role === 'master' ? 'magenta' : 'blue',
	}));
}

/** The header's text: `sentinel 3/3 master 10.0.0.5:6379`, `cluster ok 3+3`; one server: `ok`. */
export function redisSummary(redis: RedisSample, format: ValueFormat): string {
	const topology = redis.topology;
	if (topology === undefined) return 'ok';
	if (topology.mode === 'sentinel') {
		const sentinel = topology.sentinel!;
		return `sentinel ${sentinel.reachable}/${sentinel.sentinels.length} master ${topology.master ?? 'unknown'}`;
	}

	const masters = topology.nodes.filter(node => node.role === 'master' && node.slots > 0).length;
	const replicas = topology.nodes.filter(node => node.role === 'replica' && !node.clusterFlags.includes('fail')).length;
	const failed = topology.nodes.filter(node => node.clusterFlags.includes('fail')).length;
	const fullest = headlineNode(topology);
	return `cluster ${topology.cluster?.state ?? 'unknown'} ${masters}+${replicas}${failed > 0 ? `, ${failed} failed` : ''}${fullest?.memory ? `, fullest ${format.percent(fullest.memory.ratio * 100)}` : ''}`;
}
