// Pure parsing of Redis INFO replies (`key:value` lines under `# Section` headers, CRLF separated).
import type {RedisTopology} from './topology.js';

export interface RedisSample {
	usedMemoryBytes: number;
	usedMemoryRssBytes: number;
	/** 0 when maxmemory is not set. */
	maxMemoryBytes: number;
	totalSystemMemoryBytes: number;
	/** What the ratio is taken against. */
	limitBytes: number;
	limitSource: 'maxmemory' | 'system';
	fragmentationRatio: number;
	/** usedMemoryBytes / limitBytes, 0..1. */
	ratio: number;
	at: number;
	/**
	 * With --redis-sentinel or --redis-cluster: every node and the sentinels or the cluster's state. The fields above
	 * then describe the Sentinel master, or the Cluster's fullest node. Absent for one server.
	 */
	topology?: RedisTopology;
}

/** All `key:value` fields of an INFO reply; section headers, blank lines and junk are skipped. */
export function parseRedisInfo(text: string): Record<string, string> {
	const fields: Record<string, string> = {};
	for (const rawLine of text.split(/\r?\n/)) {
		const line = rawLine.trim();
		if (line === '' || line.startsWith('#')) continue;
		const colon = line.indexOf(':');
		if (colon <= 0) continue;
		fields[line.slice(0, colon)] = line.slice(colon + 1);
	}

	return fields;
}

function numberField(fields: Record<string, string>, key: string): number | undefined {
	const raw = fields[key];
	if (raw === undefined || raw.trim() === '') return undefined;
	const value = Number(raw);
	return Number.isFinite(value) ? value : undefined;
}

/**
 * The memory sample from an `INFO memory` reply. The ratio is against maxmemory when one is set,
 * else against the machine's memory (the screen then says "no maxmemory set").
 * Throws when the reply cannot give a ratio, so a broken reading never shows as 0 %.
 */
export function redisMemorySample(text: string, at: number): RedisSample {
	const fields = parseRedisInfo(text);
	const usedMemoryBytes = numberField(fields, 'used_memory');
	if (usedMemoryBytes === undefined) throw new Error('INFO memory reply has no used_memory');
	const maxMemoryBytes = numberField(fields, 'maxmemory') ?? 0;
	const totalSystemMemoryBytes = numberField(fields, 'total_system_memory') ?? 0;
	const limitSource = maxMemoryBytes > 0 ? 'maxmemory' : 'system';
	const limitBytes = limitSource === 'maxmemory' ? maxMemoryBytes : totalSystemMemoryBytes;
	if (limitBytes <= 0) throw new Error('INFO memory reply has neither maxmemory nor total_system_memory');

	return {
		usedMemoryBytes,
		usedMemoryRssBytes: numberField(fields, 'used_memory_rss') ?? 0,
		maxMemoryBytes,
		totalSystemMemoryBytes,
		limitBytes,
		limitSource,
		fragmentationRatio: numberField(fields, 'mem_fragmentation_ratio') ?? 0,
		// Not clamped: used_memory can pass maxmemory (noeviction), and hiding that would hide the problem.
		ratio: usedMemoryBytes / limitBytes,
		at,
	};
}
