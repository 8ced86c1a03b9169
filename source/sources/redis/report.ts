// Pure: Redis's part of the one-shot report (JSON fields documented in the README; add, never rename).
import {formatBytes, formatPercent} from '../../core/format.js';
import {readingError, type SourceReportPart} from '../../core/source-model.js';
import type {RedisSample} from './parse.js';

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

export const redisReport: SourceReportPart<RedisSample> = {
	json: (reading, redis) => ({
		endpoint: reading.endpoint,
		reachable: redis !== null,
		usedMemoryBytes: redis?.usedMemoryBytes ?? null,
		usedMemoryRssBytes: redis?.usedMemoryRssBytes ?? null,
		maxMemoryBytes: redis?.maxMemoryBytes ?? null,
		limitBytes: redis?.limitBytes ?? null,
		limitSource: redis?.limitSource ?? null,
		fragmentationRatio: redis === null ? null : round(redis.fragmentationRatio, 2),
		ratio: redis === null ? null : round(redis.ratio, 4),
		error: readingError(reading.status),
	}),
	lines(redis) {
		const limit = redis.limitSource === 'maxmemory' ? `maxmemory ${formatBytes(redis.maxMemoryBytes)}` : `system memory ${formatBytes(redis.totalSystemMemoryBytes)} (no maxmemory set)`;
		return [
			`  Memory Usage: ${formatBytes(redis.usedMemoryBytes)} of ${limit} (${formatPercent(redis.ratio * 100)}), rss ${formatBytes(redis.usedMemoryRssBytes)}, fragmentation ${redis.fragmentationRatio.toFixed(2)}`,
		];
	},
};
