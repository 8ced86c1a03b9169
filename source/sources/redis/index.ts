// Redis: used memory against maxmemory (or the machine's memory when none is set).
import {endpointOf} from '../../core/redact.js';
import {readRedis} from '../demo/load-model.js';
import {secretsOf} from '../secrets.js';
import type {SourceKind} from '../source-kind.js';
import {redisCapacity} from './capacity.js';
import {redisCharts} from './charts.js';
import {configureRedis, redisFlags, type RedisConfig} from './config.js';
import type {RedisSample} from './parse.js';
import {redisReport} from './report.js';
import {redisConcerns, redisImmediate, redisSoon} from './rules.js';

export type {RedisSample} from './parse.js';

export const redisSource: SourceKind<RedisConfig, RedisSample> = {
	id: 'redis',
	title: 'Redis',
	thresholds: [redisImmediate, redisSoon],
	flags: redisFlags,
	configure: configureRedis,
	secrets: config => secretsOf([config.url]),
	endpoint: config => endpointOf(config.url, 6379),
	async open(config, kit) {
		const {createRedisCollector} = await import('./collector.js');
		// On the run's one connection to this Redis, which the queues source reads on too.
		return createRedisCollector({url: config.url, endpoint: endpointOf(config.url, 6379), intervalMs: kit.intervalMs, timeoutMs: kit.timeoutMs, now: kit.now, keyspace: kit.capacity, connections: await kit.redis()});
	},
	series: redis => ({ratio: redis.ratio * 100}),
	concerns: redisConcerns,
	report: redisReport,
	charts: redisCharts,
	capacity: redisCapacity,
	demo: {
		endpoint: 'demo://redis',
		sample(world, at) {
			const reading = readRedis(world.seed, world.elapsedMs);
			return {...reading, limitBytes: reading.maxMemoryBytes, limitSource: 'maxmemory', ratio: reading.usedMemoryBytes / reading.maxMemoryBytes, at};
		},
	},
};
