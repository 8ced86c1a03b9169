import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import type {ConcernContext} from '../../../source/core/source-model.js';
import {createJudge, emptyClock, type BreachClock} from '../../../source/core/threshold-judge.js';
import {defaultThresholds} from '../../../source/core/thresholds.js';
import {UsageError} from '../../../source/config/usage-error.js';
import type {ConfigureInput, GivenValue} from '../../../source/sources/source-kind.js';
import {pgbouncerSource} from '../../../source/sources/pgbouncer/index.js';
import {parsePgbouncer, type PgbouncerPool, type PgbouncerSample, type Row} from '../../../source/sources/pgbouncer/parse.js';
import {demoPgbouncer} from '../../../source/sources/pgbouncer/demo.js';

const recorded = JSON.parse(readFileSync(new URL('../../fixtures/pgbouncer/pgbouncer-1.18-waiting.json', import.meta.url), 'utf8')) as {pools: Row[]; stats: Row[]};
const thresholds = {...defaultThresholds, poolWaiting: 0, poolSustainSeconds: 10, poolMaxwaitMs: 1000};

function pool(overrides: Partial<PgbouncerPool> = {}): PgbouncerPool {
	return {database: 'voiceassist', user: 'app', clientsActive: 20, clientsWaiting: 0, serversActive: 20, serversIdle: 0, maxWaitMs: 0, mode: 'transaction', avgWaitMs: 0, ...overrides};
}

const sample = (pools: PgbouncerPool[], at = 0): PgbouncerSample => ({pools, at});

/** Evaluates like core does: a judge per evaluation, its clock carried to the next. */
function judgeAt(now: number, clock: BreachClock, oneShot = false): {context: ConcernContext; clock: () => BreachClock} {
	const judge = createJudge(clock, now, {hysteresis: 5, oneShot});
	return {context: {thresholds, judge, oneShot, project: 'p', service: 's', now}, clock: () => judge.clock()};
}

describe('the pool-exhausted rule (the runbook: "Connection pool exhausted")', () => {
	it('says nothing while no client waits', () => {
		expect(pgbouncerSource.concerns(sample([pool()]), judgeAt(0, emptyClock).context)).toEqual([]);
	});

	it('live: clients waiting is SOON with a clock, and IMMEDIATE "Connection pool exhausted" once it has lasted --pool-sustain, naming the pool', () => {
		const first = judgeAt(0, emptyClock);
		const [soon] = pgbouncerSource.concerns(sample([pool({clientsWaiting: 3, maxWaitMs: 400})]), first.context);
		expect(soon).toMatchObject({level: 'SOON', metric: 'pool-waiting', scope: 'pool', subject: 'voiceassist/app', key: 'pool.waiting:voiceassist/app'});
		expect(soon!.message).toContain('IMMEDIATE at 10s');

		const later = judgeAt(10_000, first.clock());
		const [immediate] = pgbouncerSource.concerns(sample([pool({clientsWaiting: 2, maxWaitMs: 800})]), later.context);
		expect(immediate).toMatchObject({level: 'IMMEDIATE', action: 'Scale database connections or add read replica', metric: 'pool-waiting'});
		expect(immediate!.message).toMatch(/^Connection pool exhausted: pool voiceassist\/app clients waiting 2 > 0 for 10s, servers 20 active 0 idle: Scale database connections or add read replica$/);
	});

	it('the clock restarts when nobody waited in between', () => {
		const first = judgeAt(0, emptyClock);
		pgbouncerSource.concerns(sample([pool({clientsWaiting: 3, maxWaitMs: 300})]), first.context);
		const calm = judgeAt(5000, first.clock());
		expect(pgbouncerSource.concerns(sample([pool()]), calm.context)).toEqual([]);
		const again = judgeAt(12_000, calm.clock());
		expect(pgbouncerSource.concerns(sample([pool({clientsWaiting: 1, maxWaitMs: 300})]), again.context)[0]?.level).toBe('SOON');
	});

	it('the oldest client waiting over --pool-maxwait is IMMEDIATE at once, with the wait in the message', () => {
		const [concern] = pgbouncerSource.concerns(sample([pool({clientsWaiting: 1, maxWaitMs: 1503.562})]), judgeAt(0, emptyClock).context);
		expect(concern).toMatchObject({level: 'IMMEDIATE', unit: 'time', value: 1503.562, threshold: 1000});
		expect(concern!.message).toContain('Connection pool exhausted: pool voiceassist/app, 1 client waiting, the oldest for 1.5s > 1s');
	});

	it('--once (no history): any client waiting is IMMEDIATE at once, and says it did not wait the sustain', () => {
		const parsed = parsePgbouncer(recorded.pools, recorded.stats, 0);
		const [concern] = pgbouncerSource.concerns({...parsed, pools: parsed.pools.map(item => ({...item, maxWaitMs: 200}))}, judgeAt(0, emptyClock, true).context);
		expect(concern).toMatchObject({level: 'IMMEDIATE', subject: 'voiceassist/voiceassist'});
		expect(concern!.message).toContain("--once does not wait the live monitor's 10s");
	});

	it('one concern per pool, each named', () => {
		const concerns = pgbouncerSource.concerns(sample([pool({clientsWaiting: 2, maxWaitMs: 2000}), pool({user: 'batch'}), pool({database: 'reports', clientsWaiting: 1, maxWaitMs: 1500})]), judgeAt(0, emptyClock).context);
		expect(concerns.map(concern => concern.subject)).toEqual(['voiceassist/app', 'reports/app']);
	});
});

describe("PgBouncer's --once part", () => {
	it('JSON: reachable, error and every pool with the stable field names', () => {
		const parsed = parsePgbouncer(recorded.pools, recorded.stats, 0);
		const json = pgbouncerSource.report.json({endpoint: '127.0.0.1:6432', status: {kind: 'ok', at: 0}, sample: parsed}, parsed);
		expect(json).toEqual({
			endpoint: '127.0.0.1:6432',
			reachable: true,
			error: null,
			pools: [{database: 'voiceassist', user: 'voiceassist', clientsActive: 2, clientsWaiting: 1, serversActive: 2, serversIdle: 0, maxWaitMs: 1503.6, mode: 'session', avgWaitMs: 0.715}],
		});
	});

	it('JSON when PgBouncer cannot be read: not reachable, its reason, pools null (never an empty list)', () => {
		const json = pgbouncerSource.report.json({endpoint: '127.0.0.1:6432', status: {kind: 'unreachable', reason: 'connection refused at 127.0.0.1:6432', since: 0}, sample: null}, null);
		expect(json).toEqual({endpoint: '127.0.0.1:6432', reachable: false, error: 'connection refused at 127.0.0.1:6432', pools: null});
	});

	it('text: one line per pool with the waiting clients and the oldest wait', () => {
		expect(pgbouncerSource.report.lines(parsePgbouncer(recorded.pools, recorded.stats, 0))).toEqual([
			'  Pool voiceassist/voiceassist (session): clients 2 active, 1 waiting (oldest 1.5s); servers 2 active, 0 idle',
		]);
		expect(pgbouncerSource.report.lines(sample([]))).toEqual(['  Pools: none yet (no client has connected through PgBouncer)']);
	});

	it('the header and the chart: clients waiting and the oldest wait, compact', () => {
		const busy = sample([pool({clientsWaiting: 3, maxWaitMs: 1500})]);
		expect(pgbouncerSource.summary!(busy)).toBe('3 waiting 1.5s');
		expect(pgbouncerSource.summary!(sample([pool()]))).toBe('ok');
		expect(pgbouncerSource.charts![0]!.now(busy)).toBe(' 3 clients 1.5s');
		expect(pgbouncerSource.series!(busy)).toEqual({waiting: 3, maxWaitMs: 1500});
	});
});

function input(values: Record<string, string | string[]>, env: NodeJS.ProcessEnv = {}): ConfigureInput {
	return {
		given: (flag: string): GivenValue | undefined => (values[flag] === undefined ? undefined : {value: values[flag]!, from: `--${flag}`}),
		env,
		project: 'p',
		service: 's',
		intervalMs: 1000,
		demo: false,
		once: false,
	};
}

describe('--pgbouncer and PGBOUNCER_URL', () => {
	it('not given: no pool source (absent, never zeros)', () => {
		expect(pgbouncerSource.configure(input({}))).toBeNull();
		expect(pgbouncerSource.configure(input({}, {PGBOUNCER_URL: '  '}))).toBeNull();
	});

	it('the flag wins over the environment', () => {
		expect(pgbouncerSource.configure(input({pgbouncer: 'postgres://m@db:6432/pgbouncer'}, {PGBOUNCER_URL: 'postgres://x@y:1/pgbouncer'}))).toEqual({url: 'postgres://m@db:6432/pgbouncer'});
		expect(pgbouncerSource.configure(input({}, {PGBOUNCER_URL: 'postgres://x@y:1/pgbouncer'}))).toEqual({url: 'postgres://x@y:1/pgbouncer'});
	});

	it('refuses a database other than the console, and bad URLs, naming where it came from and never the password', () => {
		const message = (fn: () => unknown) => {
			try {
				fn();
			} catch (error) {
				expect(error).toBeInstanceOf(UsageError);
				return (error as Error).message;
			}

			throw new Error('no UsageError');
		};

		expect(message(() => pgbouncerSource.configure(input({pgbouncer: 'postgres://m:s3cret-pw@db:6432/voiceassist'})))).toBe(
			'--pgbouncer: database "voiceassist" in "postgres://m:***@db:6432/voiceassist" is not the admin console, expected a URL such as postgres://USER@HOST:6432/pgbouncer',
		);
		expect(message(() => pgbouncerSource.configure(input({}, {PGBOUNCER_URL: 'mysql://db/pgbouncer'})))).toContain('PGBOUNCER_URL: unknown scheme');
		expect(message(() => pgbouncerSource.configure(input({pgbouncer: ' '})))).toContain('--pgbouncer: empty value');
	});
});

describe("the demo's pool", () => {
	it('runs out within the first 20 seconds of each cycle (IMMEDIATE), and is calm later in the cycle', () => {
		const world = (elapsedMs: number) => ({seed: 1, elapsedMs, project: 'p', service: 's', instances: []});
		const crunch = demoPgbouncer(world(15_000), 15_000);
		expect(crunch.pools[0]!.clientsWaiting).toBeGreaterThan(0);
		const [concern] = pgbouncerSource.concerns(crunch, judgeAt(15_000, emptyClock).context);
		expect(concern?.level).toBe('IMMEDIATE');
		expect(demoPgbouncer(world(120_000), 120_000).pools[0]!.clientsWaiting).toBe(0);
		expect(demoPgbouncer(world(195_000), 195_000).pools[0]!.clientsWaiting).toBeGreaterThan(0);
	});
});
