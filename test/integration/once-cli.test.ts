// The one-shot check as a user runs it: the built binary against the real Docker engine, PostgreSQL and Redis.
import {execFile} from 'node:child_process';
import {existsSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {Redis} from 'ioredis';
import pg from 'pg';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {ReportJson} from '../../source/core/report.js';
import {dockerStats, randomId, removeRun, runContainer} from '../support/docker-fixtures.js';
import {PG_ADMIN_URL, PG_URL, REDIS_URL, requireDocker, requirePostgres, requireRedis, waitFor} from '../support/services.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'dist/cli.js');

interface Run {
	code: number;
	stdout: string;
	stderr: string;
}

export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
	if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (npm test does)`);
	return new Promise(resolve => {
		execFile(process.execPath, [cli, ...args], {env: {PATH: process.env.PATH, ...env}, timeout: 20_000}, (error, stdout, stderr) => {
			const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
			resolve({code, stdout, stderr});
		});
	});
}

const docker = await requireDocker();
const postgres = await requirePostgres();
const redis = await requireRedis();

describe.skipIf(!docker || !postgres || !redis)('va-top --once against a real stack of another name', () => {
	const run = randomId();
	const project = `shop-${run}`;
	const service = 'web';
	let hot = '';
	let idle = '';
	const held: pg.Client[] = [];
	const redisClient = new Redis(REDIS_URL, {lazyConnect: true, maxRetriesPerRequest: 1});
	let maxmemoryBefore = '0';
	const keyPrefix = `va-top-test:${run}:`;

	beforeAll(async () => {
		[hot, idle] = await Promise.all([
			// Capped at 0.6 of a core: a steady figure to compare, however busy the machine is otherwise.
			runContainer({run, project, service, number: 1, options: ['--memory', '256m', '--cpus', '0.6'], command: ['sh', '-c', 'while :; do :; done']}),
			runContainer({run, project, service, number: 2, options: ['--memory', '256m', '--shm-size', '200m'], command: ['sh', '-c', 'dd if=/dev/zero of=/dev/shm/fill bs=1M count=64 2>/dev/null; exec sleep 1000']}),
			// Same service name, another project: must never be listed.
			runContainer({run, project: `other-${run}`, service, number: 1, command: ['sleep', '1000']}),
		]);

		// Hold database connections so the ratio is well above the idle one.
		for (let i = 0; i < 8; i++) {
			const client = new pg.Client({connectionString: PG_URL});
			await client.connect();
			held.push(client);
		}

		await redisClient.connect();
		maxmemoryBefore = ((await redisClient.config('GET', 'maxmemory')) as string[])[1] ?? '0';
		await redisClient.config('SET', 'maxmemory', String(20 * 1024 * 1024));
		const value = 'x'.repeat(1024 * 100);
		for (let i = 0; i < 60; i++) await redisClient.set(`${keyPrefix}${i}`, value);
	}, 60_000);

	afterAll(async () => {
		await removeRun(run);
		await Promise.allSettled(held.map(async client => client.end()));
		const keys = await redisClient.keys(`${keyPrefix}*`);
		if (keys.length > 0) await redisClient.del(...keys);
		await redisClient.config('SET', 'maxmemory', maxmemoryBefore);
		redisClient.disconnect();
	});

	it('lists exactly that service\'s instances with docker stats\' numbers, the database and Redis ratios, and the rules\' exit code', async () => {
		// Given the hot container has been burning long enough for a steady reading
		await waitFor(async () => (await dockerStats([hot])).get(hot.slice(0, 12))!.cpuPercent > 40, {timeoutMs: 15_000, message: 'hot container busy'});

		// When the operator runs the one-shot check as JSON, with CPU thresholds low enough that the capped hot
		// instance crosses them: it alone, or the service average, is over 20 %
		const result = await runCli(['--once', '--json', '--project', project, '--service', service, '--pg', PG_URL, '--redis', REDIS_URL, '--cpu-soon', '15', '--cpu-immediate', '20']);
		const [cliStats, admin, info] = await Promise.all([dockerStats([hot, idle]), adminConnectionCount(), redisClient.info('memory')]);
		const report = JSON.parse(result.stdout) as ReportJson;
		expect(report.postgres.error).toBeNull();

		// Then exactly the two instances of shop/web are there, numbered, with docker stats' numbers
		expect(report.project).toBe(project);
		expect(report.instances.map(instance => instance.id).sort()).toEqual([hot, idle].sort());
		const byId = new Map(report.instances.map(instance => [instance.id, instance]));
		expect(byId.get(hot)!.number).toBe(1);
		expect(byId.get(hot)!.cpuPercent!).toBeGreaterThan(30);
		expect(Math.abs(byId.get(hot)!.cpuPercent! - cliStats.get(hot.slice(0, 12))!.cpuPercent)).toBeLessThan(15);
		expect(Math.abs(byId.get(idle)!.memPercent! - cliStats.get(idle.slice(0, 12))!.memPercent)).toBeLessThan(2);
		expect(byId.get(idle)!.memPercent!).toBeGreaterThan(20);
		expect(byId.get(idle)!.memLimitBytes).toBe(256 * 1024 * 1024);

		// And the database ratio is what pg_stat_activity says (±1 connection: the two readings are not simultaneous)
		expect(report.postgres.reachable).toBe(true);
		expect(report.postgres.maxConnections).toBe(20);
		expect(Math.abs(report.postgres.connections! - admin)).toBeLessThanOrEqual(1);
		expect(report.postgres.ratio).toBeCloseTo(report.postgres.connections! / 20, 3);

		// And Redis is measured against the maxmemory set above
		const used = Number(/used_memory:(\d+)/.exec(info)![1]);
		expect(report.redis.limitSource).toBe('maxmemory');
		expect(report.redis.maxMemoryBytes).toBe(20 * 1024 * 1024);
		expect(Math.abs(report.redis.ratio! - used / (20 * 1024 * 1024))).toBeLessThan(0.02);

		// And the CPU rule fires for the hot instance alone (average under 40 %) or for the service (average over);
		// either way the level is IMMEDIATE and so is the exit code
		const hotName = byId.get(hot)!.name;
		const cpuConcern = report.recommendations.find(r => r.metric === 'cpu' && r.level === 'IMMEDIATE');
		expect(cpuConcern?.subject).toBe(report.averages.cpuPercent! > 20 ? service : hotName);
		expect(report.level).toBe('IMMEDIATE');
		expect(result.code).toBe(2);
		expect(report.exitCode).toBe(result.code);
		expect(result.stdout).not.toContain('voiceassist:voiceassist');
	}, 40_000);

	it('prints a readable report with the runbook\'s wording', async () => {
		const result = await runCli(['--once', '--project', project, '--service', service, '--pg', PG_URL, '--redis', REDIS_URL]);
		// Titled with the project and service it checked (issue 12), not "VoiceAssist" for any project.
		expect(result.stdout).toMatch(new RegExp(`^Capacity Check: ${project}/${service} - `));
		expect(result.stdout).not.toContain('VoiceAssist');
		expect(result.stdout).toMatch(new RegExp(`${project}_web_1 +running +\\d+\\.\\d%`));
		expect(result.stdout).toMatch(/Connections: \d+\/20 \(\d+%\), active: \d+/);
		expect(result.stdout).toContain('Scaling Recommendations:');
		expect(result.stdout).not.toContain(`other-${run}`);
	}, 20_000);

	it('names an unreachable source and its reason, and exits 3', async () => {
		// The calm project's one idle instance, so nothing outranks the unreadable source.
		const result = await runCli(['--once', '--project', `other-${run}`, '--service', service, '--pg', 'postgres://ops:s3cret-pw@127.0.0.1:1/x', '--redis', REDIS_URL]);
		expect(result.code).toBe(3);
		expect(result.stdout).toContain('postgres: connection refused at 127.0.0.1:1');
		expect(result.stdout).not.toContain('s3cret-pw');
	}, 20_000);

	it('exits 3 in JSON too, with the error in the postgres object', async () => {
		const result = await runCli(['--once', '--json', '--project', `other-${run}`, '--service', service, '--pg', PG_URL, '--redis', 'redis://127.0.0.1:1']);
		const report = JSON.parse(result.stdout) as ReportJson;
		expect(result.code).toBe(3);
		expect(report.unknown).toBe(true);
		// Nothing over a threshold is not OK while Redis is unseen.
		expect(report.level).toBe('UNKNOWN');
		expect(report.redis).toMatchObject({reachable: false, ratio: null, usedMemoryBytes: null});
		expect(report.redis.error).toContain('connection refused at 127.0.0.1:1');
	}, 20_000);
});

async function adminConnectionCount(): Promise<number> {
	const client = new pg.Client({connectionString: PG_ADMIN_URL});
	await client.connect();
	try {
		// Minus this admin connection itself.
		const result = await client.query<{n: string}>("select count(*) - 1 as n from pg_stat_activity where backend_type = 'client backend'");
		return Number(result.rows[0]!.n);
	} finally {
		await client.end();
	}
}

describe('bad input: one line naming what was wrong, exit 64, no stack trace', () => {
	it.each([
		[['--bogus'], 'unknown flag "--bogus"'],
		[['--cpu-immediate', '150'], '--cpu-immediate: expected a percentage from 0 to 100, got "150"'],
		[['--pg', 'postgres://u:hunter2@:99999/x'], '--pg: bad port'],
		[['--redis', 'memcached://x'], '--redis: unknown scheme "memcached"'],
		[['--config', '/nonexistent/va-top.json'], '--config: cannot read "/nonexistent/va-top.json" (no such file)'],
		[['--interval', '-1'], '--interval: expected seconds'],
	])('%j', async (args, expected) => {
		const result = await runCli(args);
		expect(result.code).toBe(64);
		expect(result.stdout).toBe('');
		expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
		expect(result.stderr).toContain(expected);
		expect(result.stderr).not.toContain('hunter2');
		expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/);
	});

	it('names the bad environment variable', async () => {
		const result = await runCli(['--once'], {DATABASE_URL: 'mysql://x/y'});
		expect(result.code).toBe(64);
		expect(result.stderr).toContain('DATABASE_URL: unknown scheme "mysql"');
	});

	it('--help lists every flag with its default and variable, --version prints the version', async () => {
		const help = await runCli(['--help']);
		expect(help.code).toBe(0);
		for (const flag of ['--project', '--service', '--docker-host', '--pg', '--redis', '--config', '--interval', '--once', '--json', '--cpu-immediate', '--cpu-sustain', '--db-immediate', '--redis-immediate']) {
			expect(help.stdout).toContain(flag);
		}

		expect(help.stdout).toContain('env DOCKER_HOST');
		expect(help.stdout).toContain('default voiceassist-server');
		const version = await runCli(['--version']);
		expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
	});
});
