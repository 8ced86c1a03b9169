// Pure: Redis's part of `--once --capacity`: its memory against its limit and its keys today, and both times the
// growth (over --redis-immediate: the runbook's advice).
import {formatBytes, num, plural, round2, type SourceCapacityPart} from '../../core/capacity.js';
import {readingError, thresholdOf} from '../../core/source-model.js';
import type {RedisSample} from './parse.js';
import {redisActions, redisImmediate} from './rules.js';

export const redisCapacity: SourceCapacityPart<RedisSample> = (reading, redis, context) => {
	const threshold = thresholdOf(context.thresholds, redisImmediate);
	const error = redis === null ? `redis: ${readingError(reading.status) ?? 'no reading'}` : null;
	const keys = redis?.keys ?? null;
	const grownKeys = keys === null ? null : Math.ceil(keys * context.growth - 1e-9);
	const keysForecast = keys === null ? null : {keys: grownKeys!, arithmetic: `${plural(keys, 'key')} × ${num(context.growth)} = ${grownKeys}`};
	let forecast: {usedMemoryBytes: number; percent: number; threshold: number; over: boolean; advice: string; arithmetic: string} | null = null;
	if (redis !== null) {
		const grown = redis.usedMemoryBytes * context.growth;
		const percent = (grown / redis.limitBytes) * 100;
		const over = percent > threshold;
		const limit = redis.limitSource === 'maxmemory' ? `maxmemory ${formatBytes(redis.limitBytes)}` : `the machine's memory ${formatBytes(redis.limitBytes)} (no maxmemory set)`;
		const advice = over
			? `over --redis-immediate ${num(threshold)} %: ${redisActions.redis}`
			: `within --redis-immediate ${num(threshold)} %${redis.limitSource === 'system' ? '; set a maxmemory so Redis evicts before the machine swaps' : ''}`;
		forecast = {usedMemoryBytes: Math.round(grown), percent: round2(percent), threshold, over, advice, arithmetic: `${formatBytes(redis.usedMemoryBytes)} used × ${num(context.growth)} = ${formatBytes(grown)} of ${limit} (${num(percent)} %)`};
	}

	const against = redis?.limitSource === 'maxmemory' ? 'maxmemory' : "the machine's memory";
	return {
		json: {
			endpoint: reading.endpoint,
			usedMemoryBytes: redis?.usedMemoryBytes ?? null,
			limitBytes: redis?.limitBytes ?? null,
			limitSource: redis?.limitSource ?? null,
			keys,
			forecast,
			keysForecast,
			error,
		},
		today: redis === null ? [`Redis: not assessed (${error})`] : [`Redis: ${formatBytes(redis.usedMemoryBytes)} used of ${against} ${formatBytes(redis.limitBytes)}; ${keys === null ? 'keys not read' : plural(keys, 'key')}`],
		forecast: [
			`Redis memory: ${forecast === null ? `not assessed (${error})` : `${forecast.arithmetic}: ${forecast.advice}`}`,
			`Redis keys: ${keysForecast === null ? 'not read' : keysForecast.arithmetic}`,
		],
	};
};
