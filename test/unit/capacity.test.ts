// The capacity report's forecast from hand-made readings: each figure, the arithmetic shown for it, and the
// runbook's advice past the limits. The application part is core's; the database's and Redis's come from their
// sources' models (source/sources/*/capacity.ts), as --once hands them in.
import {describe, expect, it} from 'vitest';
import {capacityJson, capacityReport, capacityText, type CapacitySettings} from '../../source/core/capacity.js';
import {evaluate} from '../../source/core/rules.js';
import type {StackSnapshot} from '../../source/core/types.js';
import {redisKeyCount} from '../../source/sources/redis/parse.js';
import {defaultThresholds} from '../../source/sources/registry.js';
import {instance, snapshot, sources} from '../support/snapshots.js';

const settings: CapacitySettings = {growth: 1.5, scaleUpAt: 70, min: 2, max: 10, thresholds: defaultThresholds};
const mib = 1024 ** 2;

function stack(cpu: number[], db: {connections: number; max: number}, redis: {used: number; max: number}, extra: {size?: number; keys?: number} = {}): StackSnapshot {
	const base = snapshot({instances: cpu.map((value, index) => instance(`web-${index + 1}`, value, 10)), db, redis});
	const pg = base.sources.postgres!;
	const cache = base.sources.redis!;
	return {
		...base,
		sources: {
			postgres: {...pg, sample: {...(pg.sample as object), database: 'voiceassist', sizeBytes: extra.size ?? 10 * mib} as never},
			redis: {...cache, sample: {...(cache.sample as object), keys: extra.keys ?? 1000} as never},
		},
	};
}

function report(input: StackSnapshot, overrides: Partial<CapacitySettings> = {}) {
	const result = capacityReport(input, evaluate(input, defaultThresholds, undefined, input.at, {sources, oneShot: true}).assessment, sources, {...settings, ...overrides});
	const json = capacityJson(result) as {app: typeof result.app; postgres: Record<string, any>; redis: Record<string, any>}; // eslint-disable-line @typescript-eslint/no-explicit-any
	return {...json, text: capacityText(result)};
}

describe('app instances for CPU under the scale-up threshold', () => {
	it('the service total times the growth, over the threshold, rounded up', () => {
		const result = report(stack([50, 40, 45], {connections: 12, max: 100}, {used: 20, max: 100}));
		expect(result.app.forecast).toMatchObject({totalCpuPercent: 135, grownCpuPercent: 202.5, exact: 2.89, instances: 3, overMax: false});
		expect(result.app.forecast!.arithmetic).toBe('3 instances × 45 % avg CPU = 135 % of one instance; × 1.5 = 202.5 %; ÷ 70 % (--scale-up-at) = 2.89 → 3 instances');
		expect(result.app.forecast!.advice).toBe('enough as it is (3)');
	});

	it('adds instances when the growth needs them, never fewer than --min, and says when --max is not enough', () => {
		expect(report(stack([80, 80, 80], {connections: 12, max: 100}, {used: 20, max: 100})).app.forecast).toMatchObject({exact: 5.14, instances: 6, advice: 'add 3 instances (3 → 6)'});
		const idle = report(stack([5, 5, 5], {connections: 12, max: 100}, {used: 20, max: 100})).app.forecast!;
		expect(idle.instances).toBe(2);
		expect(idle.arithmetic).toMatch(/= 0\.32 → 2 instances \(--min 2\)$/);
		const big = report(stack([90, 90, 90, 90, 90, 90, 90, 90], {connections: 12, max: 100}, {used: 20, max: 100}), {growth: 2});
		expect(big.app.forecast).toMatchObject({instances: 21, overMax: true});
		expect(big.app.forecast!.advice).toBe("more than --max 10: raise --max, or give each instance more CPU (the runbook's vertical scaling)");
	});

	it('not assessed without a CPU figure for every instance, or with Docker down: never a zero', () => {
		const noCpu = stack([50, 40], {connections: 12, max: 100}, {used: 20, max: 100});
		noCpu.docker.instances[1] = {...noCpu.docker.instances[1]!, cpuPercent: null};
		expect(report(noCpu).app).toMatchObject({forecast: null, error: 'no CPU reading for every running instance'});
		const down = stack([50], {connections: 12, max: 100}, {used: 20, max: 100});
		const result = report({...down, docker: {...down.docker, status: {kind: 'unreachable', reason: 'connection refused', since: 0}}});
		expect(result.app).toMatchObject({instances: null, forecast: null, error: 'docker: connection refused'});
		expect(result.postgres.forecast).toBeNull();
		expect(result.text).toContain('App instances: not assessed (docker: connection refused)');
		expect(result.text).toContain('Database connections: not assessed (the app forecast is not assessed)');
	});
});

describe('database and Redis', () => {
	it("connections follow the instances (today's per-instance figure), against max_connections, and the size grows by the factor", () => {
		const result = report(stack([80, 80, 80], {connections: 45, max: 100}, {used: 20, max: 100}));
		expect(result.postgres).toMatchObject({name: 'voiceassist', connections: 45, maxConnections: 100, perInstance: 15, forecast: {instances: 6, connections: 90, percent: 90, over: true}, error: null});
		expect(result.postgres.forecast.arithmetic).toBe('45 connections ÷ 3 instances = 15 per instance; × 6 instances = ~90 of max_connections 100 (90 %)');
		expect(result.postgres.forecast.advice).toBe('over --db-immediate 80 %: add PgBouncer or a read replica');
		expect(result.postgres.sizeForecast).toEqual({bytes: 15 * mib, arithmetic: '10.0MiB × 1.5 = 15.0MiB'});
		const past = report(stack([80, 80, 80], {connections: 60, max: 100}, {used: 20, max: 100}));
		expect(past.postgres.forecast.advice).toMatch(/^past max_connections: add PgBouncer or a read replica/);
		expect(report(stack([50, 50, 50], {connections: 9, max: 100}, {used: 20, max: 100})).postgres.forecast.advice).toBe('within --db-immediate 80 %');
	});

	it('a database that cannot be read is not assessed, with its reason', () => {
		const result = report(snapshot({instances: [instance('web-1', 50, 10), instance('web-2', 50, 10)], db: 'down'}));
		expect(result.postgres).toMatchObject({connections: null, forecast: null, error: 'postgres: connection refused at 127.0.0.1:5432'});
		expect(result.text).toContain('Database: not assessed (postgres: connection refused at 127.0.0.1:5432)');
	});

	it('Redis memory times the growth against its maxmemory, and the keys', () => {
		const result = report(stack([50, 50, 50], {connections: 9, max: 100}, {used: 60, max: 100}, {keys: 1234}));
		expect(result.redis.forecast).toMatchObject({percent: 90, over: true, advice: 'over --redis-immediate 85 %: Scale Redis: raise maxmemory or move to a cluster'});
		expect(result.redis.keysForecast).toEqual({keys: 1851, arithmetic: '1234 keys × 1.5 = 1851'});
	});

	it('the text shows every line with its arithmetic', () => {
		const {text} = report(stack([50, 40, 45], {connections: 12, max: 100}, {used: 20, max: 100}));
		expect(text).toContain('Capacity Report - growth × 1.5');
		expect(text).toContain('Application Instances: 3 (per instance: CPU 45 % avg');
		expect(text).toContain('Database voiceassist: size 10.0MiB; connections 12 of max_connections 100, 4 per instance');
		expect(text).toContain('  Database connections: 12 connections ÷ 3 instances = 4 per instance; × 3 instances = ~12 of max_connections 100 (12 %): within --db-immediate 80 %');
		expect(text).toContain('  Redis keys: 1000 keys × 1.5 = 1500');
	});
});

describe('INFO keyspace', () => {
	it('adds the keys of every database; none is 0', () => {
		expect(redisKeyCount('# Keyspace\r\ndb0:keys=12,expires=3,avg_ttl=0\r\ndb3:keys=5,expires=0,avg_ttl=0\r\n')).toBe(17);
		expect(redisKeyCount('# Keyspace\r\n')).toBe(0);
		expect(() => redisKeyCount('db0:expires=3')).toThrow('INFO keyspace line db0 has no keys count');
	});
});
