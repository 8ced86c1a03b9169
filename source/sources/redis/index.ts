// Redis: used memory against maxmemory (or the machine's memory when none is set).
import {endpointOf} from '../../core/redact.js';
import {secretsOf} from '../secrets.js';
import type {SourceKind} from '../source-kind.js';
import {redisCharts, redisNodeCharts, redisNodeSeries, redisSummary} from './charts.js';
import {demoRedisSample} from './demo.js';
import {configureRedis, redisFlags, type RedisConfig} from './config.js';
import type {RedisSample} from './parse.js';
import {redisReport} from './report.js';
import {redisConcerns, redisImmediate, redisSoon} from './rules.js';
import {redisTopologyEvents} from './topology.js';

export type {RedisSample} from './parse.js';

/** Where it reads: the server, the first sentinel (`+2` more), or the first cluster node given. */
function redisEndpoint(config: RedisConfig): string {
	const list = config.mode === 'sentinel' ? config.sentinels : config.mode === 'cluster' ? config.clusterNodes : [];
	if (list.length === 0) return endpointOf(config.url, 6379);
	return `${config.mode} ${list[0]}${list.length > 1 ? ` +${list.length - 1}` : ''}`;
}

export const redisSource: SourceKind<RedisConfig, RedisSample> = {
	id: 'redis',
	title: 'Redis',
	thresholds: [redisImmediate, redisSoon],
	flags: redisFlags,
	configure: configureRedis,
	secrets: config => [...secretsOf([config.url]), ...[config.password, config.sentinelPassword].flatMap(secret => (secret === undefined ? [] : [secret, encodeURIComponent(secret)]))],
	endpoint: redisEndpoint,
	async open(config, kit) {
		if (config.mode !== 'standalone') {
			const {createRedisTopologyCollector} = await import('./topology-collector.js');
			const topology = config.mode === 'sentinel' ? {mode: 'sentinel' as const, sentinels: config.sentinels, name: config.masterName!} : {mode: 'cluster' as const, seeds: config.clusterNodes};
			return createRedisTopologyCollector(topology, {password: config.password, username: config.username, sentinelPassword: config.sentinelPassword}, redisEndpoint(config), kit);
		}

		const {createRedisCollector} = await import('./collector.js');
		// On the run's one connection to this Redis, which the queues source reads on too.
		return createRedisCollector({url: config.url, endpoint: endpointOf(config.url, 6379), intervalMs: kit.intervalMs, timeoutMs: kit.timeoutMs, now: kit.now, connections: await kit.redis()});
	},
	series(redis) {
		const series: Record<string, number> = {ratio: redis.ratio * 100};
		for (const node of redis.topology?.nodes ?? []) if (node.memory !== null) series[redisNodeSeries(node.endpoint)] = node.memory.ratio * 100;
		return series;
	},
	concerns: redisConcerns,
	report: redisReport,
	charts: redisCharts,
	chartsFor: redisNodeCharts,
	summary: redisSummary,
	events: (previous, next) => (next.topology === undefined ? [] : redisTopologyEvents(previous.topology, next.topology)),
	demo: {
		endpoint: 'demo://redis',
		// A master and a replica under three sentinels, failing over in every cycle (demo.ts).
		sample: demoRedisSample,
	},
};
