// `va-top --once --capacity --growth 1.5` against the real stack: three instances on the real engine (one burning
// CPU), the real PostgreSQL and Redis (with keys of the test's own). Every figure of the report is checked against
// what the test reads itself (docker stats, pg_database_size, INFO keyspace), and every forecast against the
// arithmetic it shows, redone here from the report's own measured figures.
import {execFile} from 'node:child_process';
import {existsSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {Redis} from 'ioredis';
import pg from 'pg';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {AppCapacity} from '../../source/core/capacity.js';
import {formatBytes} from '../../source/core/format.js';
import {PG_ADMIN_URL, PG_URL, REDIS_PORT, REDIS_URL, requireDocker, requirePostgres, requireRedis} from '../support/services.js';
import {randomId, removeProject, tempDir} from './actions-fixtures.js';
import {averageCpu, burn, holdPostgres, removeCgroup, startService} from './autoscale-fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'dist/cli.js');
const available = (await requireDocker()) && (await requirePostgres()) && (await requireRedis());

function runCli(args: string[], env: Record<string, string>): Promise<{code: number | null; stdout: string; stderr: string}> {
	return new Promise(resolve => {
		execFile(process.execPath, [cli, ...args], {env: {PATH: process.env.PATH, ...env}, timeout: 30_000}, (error, stdout, stderr) => {
			resolve({code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr});
		});
	});
}

const near = (actual: number, expected: number, tolerance: number) => Math.abs(actual - expected) <= tolerance;

describe.skipIf(!available)('va-top --once --capacity on the real stack', () => {
	const project = `vaauto-c-${randomId()}`;
	const service = 'app';
	const temp = tempDir('va-capacity-');
	const keyPrefix = `va-top-capacity-test:${randomId()}:`;
	let redis: Redis;
	let names: string[] = [];
	const args = ['--project', project, '--service', service, '--pg', PG_URL, '--redis', REDIS_URL, '--min', '2', '--max', '10'];
	const env = {XDG_STATE_HOME: path.join(temp.dir, 'state')};

	beforeAll(async () => {
		if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (npm test does)`);
		names = await startService(project, service, 3);
		await burn(names[0]!);
		redis = new Redis({port: REDIS_PORT, db: 9, lazyConnect: true});
		await redis.connect();
		const pipeline = redis.pipeline();
		for (let i = 0; i < 300; i++) pipeline.set(`${keyPrefix}${i}`, 'x'.repeat(100));
		await pipeline.exec();
	}, 120_000);

	afterAll(async () => {
		await removeProject(project);
		removeCgroup(project);
		const keys = await redis.keys(`${keyPrefix}*`);
		if (keys.length > 0) await redis.del(...keys);
		redis.disconnect();
		temp.cleanup();
	});

	async function keyspace(): Promise<number> {
		const info = await redis.info('keyspace');
		return [...info.matchAll(/^db\d+:keys=(\d+)/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
	}

	async function databaseSize(): Promise<number> {
		const client = new pg.Client({connectionString: PG_ADMIN_URL});
		await client.connect();
		try {
			const {rows} = await client.query<{size: string}>("SELECT pg_database_size('voiceassist')::text AS size");
			return Number(rows[0]!.size);
		} finally {
			await client.end();
		}
	}

	it('measures what the stack has today, and every forecast is its own arithmetic redone', async () => {
		const stats = await averageCpu(names);
		const keysBefore = await keyspace();
		const {code, stdout, stderr} = await runCli(['--once', '--capacity', '--growth', '1.5', '--json', ...args], env);
		const keysAfter = await keyspace();
		const size = await databaseSize();
		expect(stderr).toBe('');
		expect([0, 1, 2]).toContain(code);
		// The database's and Redis's parts are keyed like their parts of the report (the registry's source ids).
		const report = JSON.parse(stdout) as {capacity: {growth: number; app: AppCapacity; postgres: Record<string, any>; redis: Record<string, any>}}; // eslint-disable-line @typescript-eslint/no-explicit-any
		const {app, postgres: database, redis: cache} = report.capacity;
		expect(report.capacity.growth).toBe(1.5);

		// Today: the instances and their load, as docker stats reads them.
		expect(app.instances).toBe(3);
		expect(app.perInstance.map(entry => entry.name)).toEqual(names);
		expect(app.perInstance[0]!.cpuPercent!).toBeGreaterThan(app.perInstance[1]!.cpuPercent! + 10);
		const mean = app.perInstance.reduce((sum, entry) => sum + entry.cpuPercent!, 0) / 3;
		expect(near(app.cpuPercentAverage!, mean, 0.02)).toBe(true);
		expect(near(app.cpuPercentAverage!, stats, Math.max(3, stats * 0.3)), `va-top ${app.cpuPercentAverage} %, docker stats ${stats} %`).toBe(true);

		// App instances for CPU under --scale-up-at (70 %).
		const forecast = app.forecast!;
		const total = 3 * app.cpuPercentAverage!;
		expect(near(forecast.totalCpuPercent, total, 0.05)).toBe(true);
		expect(near(forecast.grownCpuPercent, total * 1.5, 0.05)).toBe(true);
		expect(near(forecast.exact, (total * 1.5) / 70, 0.01)).toBe(true);
		expect(forecast.instances).toBe(Math.max(2, Math.ceil(forecast.exact)));
		expect(forecast.arithmetic).toMatch(new RegExp(`^3 instances × [\\d.]+ % avg CPU = [\\d.]+ % of one instance; × 1\\.5 = [\\d.]+ %; ÷ 70 % \\(--scale-up-at\\) = ${forecast.exact} → ${forecast.instances} instances`));

		// The database: its size and connections, today and for the growth.
		expect(database.name).toBe('voiceassist');
		expect(near(database.sizeBytes!, size, size * 0.01)).toBe(true);
		expect(database.maxConnections).toBe(20);
		expect(near(database.perInstance!, database.connections! / 3, 0.01)).toBe(true);
		const connections = Math.ceil((database.connections! / 3) * forecast.instances - 1e-9);
		expect(database.forecast).toMatchObject({instances: forecast.instances, connections, threshold: 80});
		expect(near(database.forecast!.percent, (connections / 20) * 100, 0.01)).toBe(true);
		expect(database.forecast!.arithmetic).toBe(
			`${database.connections} connection${database.connections === 1 ? '' : 's'} ÷ 3 instances = ${Math.round((database.connections! / 3) * 100) / 100} per instance; × ${forecast.instances} instance${forecast.instances === 1 ? '' : 's'} = ~${connections} of max_connections 20 (${Math.round(((connections / 20) * 100) * 100) / 100} %)`,
		);
		expect(database.sizeForecast!.bytes).toBe(Math.round(database.sizeBytes! * 1.5));
		expect(database.sizeForecast!.arithmetic).toBe(`${formatBytes(database.sizeBytes!)} × 1.5 = ${formatBytes(database.sizeBytes! * 1.5)}`);

		// Redis: memory against its limit, and the keys (ours among them).
		expect(cache.keys!).toBeGreaterThanOrEqual(300);
		expect(cache.keys! >= Math.min(keysBefore, keysAfter) && cache.keys! <= Math.max(keysBefore, keysAfter)).toBe(true);
		expect(cache.keysForecast).toEqual({keys: Math.ceil(cache.keys! * 1.5), arithmetic: `${cache.keys} keys × 1.5 = ${Math.ceil(cache.keys! * 1.5)}`});
		expect(cache.forecast!.usedMemoryBytes).toBe(Math.round(cache.usedMemoryBytes! * 1.5));
		expect(near(cache.forecast!.percent, ((cache.usedMemoryBytes! * 1.5) / cache.limitBytes!) * 100, 0.01)).toBe(true);
	}, 60_000);

	it('the text report shows each line with its arithmetic, and past the limits the runbook advice', async () => {
		// A growth of 30 and connections of the test's own: more instances than --max 4, and connections past max_connections.
		const held = await holdPostgres(6);
		try {
			const {stdout} = await runCli(['--once', '--capacity', '--growth', '30', ...args.slice(0, -2), '--max', '4'], env);
			expect(stdout).toContain('Capacity Report - growth × 30');
			expect(stdout).toMatch(/^Application Instances: 3 \(per instance: CPU [\d.]+ % avg, memory \S+ avg\)$/m);
			expect(stdout).toMatch(/^Database voiceassist: size \S+; connections \d+ of max_connections 20, [\d.]+ per instance$/m);
			// The shared Redis may have a maxmemory set by another test or not: either limit, said as such.
			expect(stdout).toMatch(/^Redis: \S+ used of (maxmemory|the machine's memory) \S+; \d+ keys$/m);
			expect(stdout).toMatch(/^ {2}App instances: 3 instances × [\d.]+ % avg CPU = [\d.]+ % of one instance; × 30 = [\d.]+ %; ÷ 70 % \(--scale-up-at\) = [\d.]+ → \d+ instances: more than --max 4: raise --max, or give each instance more CPU \(the runbook's vertical scaling\)$/m);
			expect(stdout).toMatch(/^ {2}Database connections: \d+ connections ÷ 3 instances = [\d.]+ per instance; × \d+ instances = ~\d+ of max_connections 20 \([\d.]+ %\): past max_connections: add PgBouncer or a read replica/m);
			expect(stdout).toMatch(/^ {2}Database size: \S+ × 30 = \S+$/m);
			expect(stdout).toMatch(/^ {2}Redis memory: \S+ used × 30 = \S+ of (maxmemory \S+|the machine's memory \S+ \(no maxmemory set\)) \([\d.]+ %\): (within|over) --redis-immediate 85 %/m);
			expect(stdout).toMatch(/^ {2}Redis keys: \d+ keys × 30 = \d+$/m);
		} finally {
			await held.release();
		}
	}, 60_000);
});
