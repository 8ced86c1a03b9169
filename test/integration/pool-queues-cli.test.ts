// The pool and queue triggers as a user meets them: the built binary with --pgbouncer and --queue, against Debian's
// real PgBouncer (clients held waiting on the shared 6432's pool of 2; a test-owned one on 16402, stopped) and real
// Redis queues (shared 6379, this run's own key prefix), in --once --json and in the live monitor in tmux.
import {execFile} from 'node:child_process';
import {existsSync} from 'node:fs';
import {randomBytes} from 'node:crypto';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {Redis} from 'ioredis';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {holdPool, ownPgbouncer, PGBOUNCER_POOL_SIZE, PGBOUNCER_PORT, pgbouncerUrl, requirePgbouncer, type Holders} from '../support/pgbouncer.js';
import {PG_URL, REDIS_URL, requirePostgres, requireRedis} from '../support/services.js';
import {openPane, tmuxAvailable, type Pane} from '../support/tmux.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'dist/cli.js');

const pgbouncer = await requirePgbouncer();
const postgres = await requirePostgres();
const redis = await requireRedis();
const tmux = await tmuxAvailable();

/** The built binary with only PATH from the test's environment (no DATABASE_URL, PGBOUNCER_URL, … leaking in). */
async function runCli(args: string[]): Promise<{code: number; stdout: string; stderr: string}> {
	if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (npm test does)`);
	return new Promise(resolve => {
		execFile(process.execPath, [cli, ...args], {env: {PATH: process.env.PATH}, timeout: 20_000}, (error, stdout, stderr) => {
			resolve({code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr});
		});
	});
}

interface Json {
	level: string;
	exitCode: number;
	recommendations: Array<{level: string; scope: string; subject: string; metric: string; action: string; message: string}>;
	pgbouncer: {reachable: boolean; error: string | null; pools: Array<{database: string; user: string; clientsWaiting: number; serversActive: number; maxWaitMs: number}> | null} | null;
	queues: Array<{name: string; key: string; kind: string; depth: number | null; error: string | null}> | null;
}

describe.skipIf(!pgbouncer || !postgres || !redis)('--pgbouncer and --queue against a real PgBouncer and real Redis queues', () => {
	const prefix = `va-pool-cli-${randomBytes(3).toString('hex')}-`;
	const queue = `${prefix}jobs`;
	const client = new Redis(REDIS_URL, {lazyConnect: true});
	let holders: Holders | undefined;
	let pane: Pane | undefined;
	// No instances of this project exist: docker is UNKNOWN, which IMMEDIATE outranks (exit 2) and SOON does not.
	const base = ['--project', `pool-${prefix.slice(-7, -1)}`, '--pg', PG_URL, '--redis', REDIS_URL];

	beforeAll(async () => {
		await client.connect();
		await client.rpush(`rq:queue:${queue}`, ...Array.from({length: 1500}, (_, n) => `job-${n}`));
	});

	afterEach(async () => {
		await holders?.release();
		holders = undefined;
		await pane?.kill();
		pane = undefined;
	});

	afterAll(async () => {
		await client.del(`rq:queue:${queue}`);
		client.disconnect();
	});

	it('--once --json: clients held waiting and a queue over 1000 are each IMMEDIATE in the runbook’s words, naming the pool and the queue; exit 2', async () => {
		holders = await holdPool(PGBOUNCER_PORT, PGBOUNCER_POOL_SIZE, 2);
		const run = await runCli(['--once', '--json', ...base, '--pgbouncer', pgbouncerUrl(PGBOUNCER_PORT), '--queue', `${queue}:rq`]);
		expect(run.stderr).toBe('');
		const json = JSON.parse(run.stdout) as Json;
		expect(run.code).toBe(2);
		expect(json.exitCode).toBe(2);

		const pool = json.pgbouncer!.pools!.find(item => item.database === 'voiceassist' && item.user === 'voiceassist')!;
		expect(pool).toMatchObject({clientsWaiting: 2, serversActive: PGBOUNCER_POOL_SIZE});
		expect(json.recommendations).toContainEqual(
			expect.objectContaining({level: 'IMMEDIATE', scope: 'pool', subject: 'voiceassist/voiceassist', metric: 'pool-waiting', action: 'Scale database connections or add read replica', message: expect.stringMatching(/^Connection pool exhausted: pool voiceassist\/voiceassist/)}),
		);

		expect(json.queues).toEqual([{name: queue, key: `rq:queue:${queue}`, kind: 'rq', depth: await client.llen(`rq:queue:${queue}`), error: null, keys: [`rq:queue:${queue}`], ratePerSecond: null}]);
		expect(json.recommendations).toContainEqual(expect.objectContaining({level: 'IMMEDIATE', scope: 'queue', subject: queue, metric: 'queue-depth', message: expect.stringContaining(`queue ${queue} (rq) depth 1500 > 1000`)}));
		expect(run.stdout).not.toContain('voiceassist:voiceassist@');
	});

	it('--once text: the pool line with its waiting clients and the queue line', async () => {
		holders = await holdPool(PGBOUNCER_PORT, PGBOUNCER_POOL_SIZE, 1);
		const run = await runCli(['--once', ...base, '--pgbouncer', pgbouncerUrl(PGBOUNCER_PORT), '--queue', `${queue}:rq`]);
		expect(run.code).toBe(2);
		expect(run.stdout).toMatch(/Pool voiceassist\/voiceassist \(session\): clients \d+ active, 1 waiting \(oldest [\d.]+m?s\); servers 2 active, 0 idle/);
		expect(run.stdout).toContain(`Queue ${queue} (rq): 1500 waiting`);
		expect(run.stdout).toMatch(/IMMEDIATE: Connection pool exhausted: pool voiceassist\/voiceassist/);
	});

	it('a stopped PgBouncer: unreachable with its reason in --once --json, never a zero', async () => {
		const own = await ownPgbouncer(16_402);
		await own.stop();
		try {
			const run = await runCli(['--once', '--json', ...base, '--pgbouncer', own.url]);
			const json = JSON.parse(run.stdout) as Json;
			expect(json.pgbouncer).toMatchObject({reachable: false, error: 'connection refused at 127.0.0.1:16402', pools: null});
			expect(json.recommendations).toContainEqual(expect.objectContaining({level: 'UNKNOWN', subject: 'pgbouncer', metric: 'reachability'}));
			expect([2, 3]).toContain(run.code);
		} finally {
			await own.destroy();
		}
	});

	it('not configured: pgbouncer and queues are null, never zeros', async () => {
		const run = await runCli(['--once', '--json', ...base]);
		const json = JSON.parse(run.stdout) as Json;
		expect(json.pgbouncer).toBeNull();
		expect(json.queues).toBeNull();
	});

	it.skipIf(!tmux)('live in tmux: the waiting clients and the queue in the header, IMMEDIATE in the recommendation, and both charts', async () => {
		if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (npm test does)`);
		holders = await holdPool(PGBOUNCER_PORT, PGBOUNCER_POOL_SIZE, 3);
		pane = await openPane({width: 120, height: 40});
		await pane.type(`node ${cli} ${base.join(' ')} --pgbouncer ${pgbouncerUrl(PGBOUNCER_PORT)} --queue ${queue}:rq --pool-sustain 3s; echo "exit=$?"`);
		const screen = await pane.waitForScreen(s => /pgbouncer 3 waiting/.test(s) && /Connection pool exhausted/.test(s), 20_000);
		expect(screen).toMatch(new RegExp(`queues ${queue} 1500`));
		expect(screen).not.toContain('voiceassist:voiceassist@');
		// The pool's and the queue's charts live on page 2.
		await pane.send(['c']);
		const charts = await pane.waitForScreen(s => /POOL wait 3 clients/.test(s) && /QUEUE .*1500/.test(s), 10_000);
		expect(charts).toMatch(/POOL wait/);
		await holders.release();
		holders = undefined;
		await pane.waitForScreen(/pgbouncer ok/, 15_000);
		await pane.send(['q']);
		await pane.waitForScreen(/exit=0/);
	});
});
