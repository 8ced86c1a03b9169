// PostgreSQL and Redis failing under va-top in a real pane: restarts, a full database, and endpoints that accept a
// connection and never answer. The servers restarted here are the suite's own (support/servers.ts) on free loopback
// ports; the shared ones on 5432/6379/6380 are only read.
import {execFile} from 'node:child_process';
import pg from 'pg';
import {afterAll, afterEach, beforeAll, describe, expect} from 'vitest';
import {randomId} from '../support/docker-fixtures.js';
import {DOCKER_SOCKET, PG_URL, REDIS_URL, requireDocker, requirePostgres, requireRedis} from '../support/services.js';
import {tmuxAvailable} from '../support/tmux.js';
import {cli, launch, sourcesLine, waitScreen, type LiveRun} from './support/live.js';
import {faultTest, seconds} from './support/results.js';
import {blackHole, ownPostgres, ownRedis, postgresAvailable, requireTool, type OwnPostgres, type OwnRedis} from './support/servers.js';

const dockerUp = await requireDocker();
const postgresUp = await requirePostgres();
const redisUp = await requireRedis();
const tmux = requireTool('tmux', await tmuxAvailable(), 'scripts/setup.sh installs it');
const binaries = requireTool('PostgreSQL 15 binaries (initdb, pg_ctl)', await postgresAvailable(), 'scripts/setup.sh installs them');
const ready = dockerUp && postgresUp && redisUp && tmux && binaries;

const pgPassword = 'pg-Fault-Secret-7x';
const redisPassword = 'redis-Fault-Secret-9q';

/** The screen never holds a password, whatever the sources are doing. */
function expectNoSecrets(screen: string): void {
	expect(screen).not.toContain(pgPassword);
	expect(screen).not.toContain(redisPassword);
}

describe.skipIf(!ready)('faults: PostgreSQL and Redis', () => {
	const project = `fault-db-${randomId()}`;
	let postgres: OwnPostgres;
	let redis: OwnRedis;
	let live: LiveRun | undefined;
	const held: pg.Client[] = [];

	beforeAll(async () => {
		postgres = await ownPostgres({password: pgPassword, maxConnections: 8});
		redis = await ownRedis({password: redisPassword});
		await Promise.all([postgres.start(), redis.start()]);
	}, 90_000);

	afterEach(async () => {
		await live?.close();
		live = undefined;
		await Promise.allSettled(held.splice(0).map(async client => client.end()));
		// A test that failed half way leaves its server stopped: the next one needs it.
		await Promise.all([postgres.start().catch(() => undefined), redis.start().catch(() => undefined)]);
	});

	afterAll(async () => {
		await redis?.destroy();
		await postgres?.destroy();
	});

	/** va-top on the suite's own servers; the URLs (with their passwords) go by environment, not on the command line. */
	async function start(): Promise<LiveRun> {
		return launch(['--project', project, '--service', 'web', '--docker-host', `unix://${DOCKER_SOCKET}`], {
			width: 220,
			env: {DATABASE_URL: postgres.url, REDIS_URL: redis.url},
		});
	}

	faultTest(
		{
			id: 'postgres-restart',
			group: 'fault',
			order: 40,
			title: 'PostgreSQL restarted',
			checked: 'shown unreachable with the reason; recovers by itself',
		},
		async record => {
			live = await start();
			await waitScreen(live, 'database read', screen => /DB conn \d+\/8/.test(screen) && /postgres ok/.test(sourcesLine(screen)), 20_000);

			// When the server stops (fast shutdown: va-top's connection is terminated)
			const down = Date.now();
			await postgres.stop();
			const trouble = await waitScreen(live, 'postgres trouble with its reason', screen =>
				/postgres: (reconnecting, |unreachable \()(connection refused|connection terminated|database is starting up or shutting down)/.test(screen),
			);
			record.figure(`unreachable shown after ${seconds(Date.now() - down)}`);
			expect(sourcesLine(trouble)).toMatch(/postgres: (reconnecting|unreachable)/);
			const reason = /postgres: (?:reconnecting, |unreachable \()([^·)\n]+)/.exec(trouble)![1]!.trim();
			record.figure(`reason on screen: "${reason.replace(/\d+\.\d+\.\d+\.\d+:\d+/, 'HOST:PORT')}"`);
			expectNoSecrets(trouble);
			// Held down for 3 s: more than one failed reading.
			await new Promise(resolve => setTimeout(resolve, 3000));

			// When it is started again, va-top reconnects on its own
			const up = Date.now();
			await postgres.start();
			const back = await waitScreen(live, 'postgres ok again', screen => /postgres ok/.test(sourcesLine(screen)) && /DB conn \d+\/8/.test(screen), 15_000);
			record.figure(`recovered ${seconds(Date.now() - up)} after the server was back`);
			expectNoSecrets(back);
			expect(live.alive()).toBe(true);
		},
		90_000,
	);

	faultTest(
		{
			id: 'redis-restart',
			group: 'fault',
			order: 50,
			title: 'Redis restarted',
			checked: 'shown unreachable with the reason; recovers by itself',
		},
		async record => {
			live = await start();
			await waitScreen(live, 'redis read', screen => /REDIS mem \S+\/\S+/.test(screen) && /redis ok/.test(sourcesLine(screen)), 20_000);

			const down = Date.now();
			await redis.stop();
			const trouble = await waitScreen(live, 'redis trouble with its reason', screen =>
				/redis: (reconnecting, |unreachable \()(connection refused|connection closed|connection reset|not connected)/.test(screen),
			);
			record.figure(`unreachable shown after ${seconds(Date.now() - down)}`);
			const reason = /redis: (?:reconnecting, |unreachable \()([^·)\n]+)/.exec(trouble)![1]!.trim();
			record.figure(`reason on screen: "${reason.replace(/\d+\.\d+\.\d+\.\d+:\d+/, 'HOST:PORT')}"`);
			expectNoSecrets(trouble);
			await new Promise(resolve => setTimeout(resolve, 3000));

			const up = Date.now();
			await redis.start();
			const back = await waitScreen(live, 'redis ok again', screen => /redis ok/.test(sourcesLine(screen)), 15_000);
			record.figure(`recovered ${seconds(Date.now() - up)} after the server was back`);
			expectNoSecrets(back);
			expect(live.alive()).toBe(true);
		},
		90_000,
	);

	faultTest(
		{
			id: 'postgres-full',
			group: 'fault',
			order: 60,
			title: 'PostgreSQL at max_connections (new clients get "too many clients")',
			checked: 'va-top keeps its one connection and still shows the ratio; recommendation IMMEDIATE',
		},
		async record => {
			live = await start();
			await waitScreen(live, 'database read', screen => /DB conn \d+\/8/.test(screen), 20_000);
			const admin = new pg.Client({connectionString: postgres.url});
			await admin.connect();
			held.push(admin);
			const ours = async () =>
				(await admin.query<{pid: number}>("SELECT pid FROM pg_stat_activity WHERE application_name = 'va-top' AND backend_type = 'client backend'")).rows.map(row => row.pid);
			const before = await ours();
			expect(before).toHaveLength(1);

			// When every other slot is taken, until the server refuses new clients
			let refusal = '';
			for (let i = 0; i < 20 && refusal === ''; i++) {
				const client = new pg.Client({connectionString: postgres.url});
				try {
					await client.connect();
					held.push(client);
				} catch (error) {
					refusal = error instanceof Error ? error.message : String(error);
				}
			}

			expect(refusal).toMatch(/too many clients/);
			const full = Date.now();
			const screen = await waitScreen(live, 'DB 8/8 and IMMEDIATE', s => /DB conn 8\/8 100%/.test(s) && /IMMEDIATE: Scale database connections/.test(s), 10_000);
			record.figure(`new clients refused ("${refusal}"), va-top shows 8/8 100 % and IMMEDIATE after ${seconds(Date.now() - full)}`);
			expect(sourcesLine(screen)).toMatch(/postgres ok/);

			// Then, with the server still full, the readings go on through the same connection
			await new Promise(resolve => setTimeout(resolve, 3000));
			const still = await live.pane.capture();
			expect(still).toMatch(/DB conn 8\/8 100%/);
			expect(sourcesLine(still)).toMatch(/postgres ok/);
			expect(await ours()).toEqual(before);
			record.figure(`one va-top connection throughout (backend pid ${before[0]} unchanged after 3 s at 100 %)`);
		},
		90_000,
	);

	faultTest(
		{
			id: 'black-hole',
			group: 'fault',
			order: 70,
			title: 'Endpoints that accept a TCP connection and never answer (Docker, PostgreSQL, Redis)',
			checked: 'every reading gives up within its timeout; keys respond; q quits at once; --once ends in time',
		},
		async record => {
			const hole = await blackHole();
			try {
				const endpoint = `127.0.0.1:${hole.port}`;
				live = await launch(
					['--project', project, '--service', 'web', '--docker-host', `tcp://${endpoint}`, '--pg', `postgres://va:${pgPassword}@${endpoint}/db`, '--redis', `redis://:${redisPassword}@${endpoint}`],
					{width: 220, height: 40},
				);
				const first = await waitScreen(live, 'first frame', screen => /va-top/.test(screen), 15_000);
				const started = Date.now();
				expectNoSecrets(first);
				const gaveUp: Record<string, number> = {};
				await waitScreen(
					live,
					'docker, postgres and redis each timed out',
					screen => {
						for (const [name, pattern] of [
							['postgres', /postgres: (?:unreachable \(|reconnecting, )timed out after 2s/],
							['redis', /redis: (?:unreachable \(|reconnecting, )timed out after 2s/],
							['docker', /docker: (?:unreachable \(|reconnecting, )timed out after 5s/],
						] as const) {
							if (gaveUp[name] === undefined && pattern.test(screen)) gaveUp[name] = Date.now() - started;
						}

						return Object.keys(gaveUp).length === 3;
					},
					15_000,
				);
				record.figure(`readings gave up: postgres after ${seconds(gaveUp.postgres!)} (timeout 2 s), redis after ${seconds(gaveUp.redis!)} (2 s), docker after ${seconds(gaveUp.docker!)} (5 s), counted from the first frame`);
				expect(gaveUp.postgres!).toBeLessThan(4000);
				expect(gaveUp.redis!).toBeLessThan(4000);
				expect(gaveUp.docker!).toBeLessThan(7000);
				expect(hole.accepted()).toBeGreaterThanOrEqual(3);

				// Keys respond while every source hangs
				const pressed = Date.now();
				await live.pane.send(['?']);
				await waitScreen(live, 'help', screen => screen.includes('show or close this help'), 3000);
				const answered = Date.now() - pressed;
				await live.pane.send(['Escape']);
				expect(answered).toBeLessThan(1500);
				const quit = Date.now();
				await live.pane.send(['q']);
				expect(await live.exitCode(10_000)).toBe(0);
				const quitMs = Date.now() - quit;
				record.figure(`key answered in ${answered} ms; q quit in ${seconds(quitMs)}`);
				expect(quitMs).toBeLessThan(4000);
				expectNoSecrets(await live.pane.capture());

				// And the one-shot check ends within its 3 s, exit 3, naming the timeouts
				const once = Date.now();
				const result = await new Promise<{code: number | null; stdout: string}>(resolve => {
					execFile(process.execPath, [cli, '--once', '--project', project, '--docker-host', `tcp://${endpoint}`, '--pg', `postgres://va:${pgPassword}@${endpoint}/db`, '--redis', `redis://:${redisPassword}@${endpoint}`], {timeout: 20_000}, (error, stdout) => {
						resolve({code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout});
					});
				});
				const onceMs = Date.now() - once;
				expect(result.code).toBe(3);
				expect(result.stdout).not.toContain(pgPassword);
				expect(result.stdout).not.toContain(redisPassword);
				record.figure(`--once ended in ${seconds(onceMs)} with exit 3`);
				expect(onceMs).toBeLessThan(6000);
			} finally {
				await hole.close();
			}
		},
		90_000,
	);
});
