// Pure: Redis on screen: the REDIS mem chart of page 1.
import type {SourceChartSpec} from '../../core/source-model.js';
import type {RedisSample} from './parse.js';

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
