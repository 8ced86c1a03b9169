import {describe, expect, it} from 'vitest';
import {parseRedisInfo, redisMemorySample} from '../../source/sources/redis/parse.js';

// Abridged from a real Redis 7 `INFO memory` reply (CRLF line ends, like the wire format).
const infoWithoutMaxmemory = [
	'# Memory',
	'used_memory:1030400',
	'used_memory_human:1006.25K',
	'used_memory_rss:6029312',
	'used_memory_rss_human:5.75M',
	'used_memory_peak:1030400',
	'total_system_memory:25769803776',
	'total_system_memory_human:24.00G',
	'maxmemory:0',
	'maxmemory_human:0B',
	'maxmemory_policy:noeviction',
	'mem_fragmentation_ratio:5.94',
	'mem_allocator:jemalloc-5.3.0',
	'',
].join('\r\n');

const infoWithMaxmemory = infoWithoutMaxmemory
	.replace('maxmemory:0', 'maxmemory:10485760')
	.replace('used_memory:1030400', 'used_memory:5242880');

describe('parseRedisInfo', () => {
	it('reads key:value lines and skips headers, blanks and junk', () => {
		const fields = parseRedisInfo('# Server\r\nredis_version:7.0.15\r\n\r\n# Keyspace\r\ndb0:keys=3,expires=0,avg_ttl=0\r\nnot a field\r\n:novalue\r\n');
		expect(fields).toEqual({redis_version: '7.0.15', db0: 'keys=3,expires=0,avg_ttl=0'});
	});

	it('accepts LF-only text', () => {
		expect(parseRedisInfo('a:1\nb:2')).toEqual({a: '1', b: '2'});
	});
});

describe('redisMemorySample', () => {
	it('takes the ratio against maxmemory when one is set', () => {
		const sample = redisMemorySample(infoWithMaxmemory, 1234);
		expect(sample).toEqual({
			usedMemoryBytes: 5_242_880,
			usedMemoryRssBytes: 6_029_312,
			maxMemoryBytes: 10_485_760,
			totalSystemMemoryBytes: 25_769_803_776,
			limitBytes: 10_485_760,
			limitSource: 'maxmemory',
			fragmentationRatio: 5.94,
			ratio: 0.5,
			at: 1234,
		});
	});

	it('falls back to the system memory when maxmemory is 0', () => {
		const sample = redisMemorySample(infoWithoutMaxmemory, 1);
		expect(sample.limitSource).toBe('system');
		expect(sample.maxMemoryBytes).toBe(0);
		expect(sample.limitBytes).toBe(25_769_803_776);
		expect(sample.ratio).toBeCloseTo(1_030_400 / 25_769_803_776, 12);
	});

	it('does not hide used memory above maxmemory by clamping', () => {
		const over = infoWithMaxmemory.replace('used_memory:5242880', 'used_memory:11534336');
		expect(redisMemorySample(over, 0).ratio).toBeCloseTo(1.1, 10);
	});

	it('refuses a reply it cannot turn into a ratio instead of showing 0 %', () => {
		expect(() => redisMemorySample('# Memory\r\nused_memory_rss:100\r\n', 0)).toThrow(/used_memory/);
		expect(() => redisMemorySample('used_memory:100\r\nmaxmemory:0\r\n', 0)).toThrow(/maxmemory/);
		expect(() => redisMemorySample('used_memory:abc\r\nmaxmemory:10\r\n', 0)).toThrow(/used_memory/);
	});
});
