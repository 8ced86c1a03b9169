import {describe, expect, it} from 'vitest';
import type {ConcernContext} from '../../../source/core/source-model.js';
import {createJudge, emptyClock} from '../../../source/core/threshold-judge.js';
import {defaultThresholds} from '../../../source/core/thresholds.js';
import {UsageError} from '../../../source/config/usage-error.js';
import type {ConfigureInput, GivenValue} from '../../../source/sources/source-kind.js';
import {queuesSource} from '../../../source/sources/queues/index.js';
import {withRates, type QueueDepth, type QueuesSample} from '../../../source/sources/queues/parse.js';
import {demoQueues} from '../../../source/sources/queues/demo.js';

const thresholds = {...defaultThresholds, queueImmediate: 1000, queueSoon: 700};

function queue(name: string, depth: number | null, overrides: Partial<QueueDepth> = {}): QueueDepth {
	return {name, kind: 'celery', key: name, depth, keys: [{key: name, type: 'list', depth, error: null}], error: depth === null ? 'x is a hash, expected a list, sorted set or stream' : null, ratePerSecond: null, ...overrides};
}

const sample = (queues: QueueDepth[], at = 0): QueuesSample => ({queues, at});
const context = (now = 0, oneShot = false): ConcernContext => ({thresholds, judge: createJudge(emptyClock, now, {hysteresis: 5, oneShot}), oneShot, project: 'p', service: 's', now});

describe('the queue-depth rule (the runbook: "Queue depth > 1000")', () => {
	it('IMMEDIATE over 1000, SOON over 700, nothing at or under, each queue named', () => {
		const concerns = queuesSource.concerns(sample([queue('celery', 1001), queue('emails', 701, {kind: 'bullmq'}), queue('calm', 700)]), context());
		expect(concerns.map(concern => [concern.subject, concern.level, concern.metric])).toEqual([
			['celery', 'IMMEDIATE', 'queue-depth'],
			['emails', 'SOON', 'queue-depth'],
		]);
		expect(concerns[0]!.message).toBe('queue celery (celery) depth 1001 > 1000: Scale application horizontally (more workers for the queue)');
		expect(concerns[1]!.message).toBe('queue emails (bullmq) depth 701 > 700: Plan to scale within 24 hours');
	});

	it('says the queue is rising when it is', () => {
		const [concern] = queuesSource.concerns(sample([queue('celery', 1200, {ratePerSecond: 58.6})]), context());
		expect(concern!.message).toContain('depth 1200 > 1000, rising 59/s:');
	});

	it('a queue that could not be read is not assessed, with its reason, never OK', () => {
		const [concern] = queuesSource.concerns(sample([queue('x', null)]), context());
		expect(concern).toMatchObject({level: 'UNKNOWN', subject: 'x', metric: 'queue-depth', value: null});
		expect(concern!.message).toBe('queue x: not assessed, x is a hash, expected a list, sorted set or stream');
	});
});

describe('the trend', () => {
	it('is the depth’s slope between readings, smoothed, and restarts after a reading without a depth', () => {
		const first = sample([queue('celery', 100)], 0);
		const second = withRates(first, sample([queue('celery', 160)], 1000));
		expect(second.queues[0]!.ratePerSecond).toBe(60);
		const third = withRates(second, sample([queue('celery', 160)], 2000));
		expect(third.queues[0]!.ratePerSecond).toBeCloseTo(42);
		const broken = withRates(third, sample([queue('celery', null)], 3000));
		expect(broken.queues[0]!.ratePerSecond).toBeNull();
		expect(withRates(broken, sample([queue('celery', 10)], 4000)).queues[0]!.ratePerSecond).toBeNull();
	});

	it('shows on the chart title and the header as an arrow with the rate', () => {
		const rising = sample([queue('celery', 1234, {ratePerSecond: 60}), queue('emails', 20)]);
		expect(queuesSource.charts![0]!.now(rising)).toBe(' celery 1234 ↑ 60/s');
		expect(queuesSource.summary!(rising)).toBe('celery 1234 ↑ 60/s');
		expect(queuesSource.summary!(sample([queue('celery', 50, {ratePerSecond: -12})]))).toBe('celery 50 ↓ 12/s');
		expect(queuesSource.series!(rising)).toEqual({deepest: 1234});
		expect(queuesSource.series!(sample([queue('x', null)]))).toEqual({});
	});
});

describe("the queues' --once part", () => {
	it('JSON queues[]: name, key, kind, depth, error per queue', () => {
		const read = sample([queue('celery', 1100), queue('x', null, {kind: 'key'})]);
		const json = queuesSource.report.json({endpoint: '127.0.0.1:6379', status: {kind: 'ok', at: 0}, sample: read}, read) as Array<Record<string, unknown>>;
		expect(queuesSource.report.key).toBe('queues');
		expect(json.map(({name, key, kind, depth, error}) => ({name, key, kind, depth, error}))).toEqual([
			{name: 'celery', key: 'celery', kind: 'celery', depth: 1100, error: null},
			{name: 'x', key: 'x', kind: 'key', depth: null, error: 'x is a hash, expected a list, sorted set or stream'},
		]);
	});

	it('JSON while Redis cannot be read: the queues last seen, without a depth, with the reason', () => {
		const old = sample([queue('celery', 1100)]);
		const json = queuesSource.report.json({endpoint: '127.0.0.1:6379', status: {kind: 'reconnecting', reason: 'connection refused at 127.0.0.1:6379', since: 0}, sample: old}, null) as Array<Record<string, unknown>>;
		expect(json[0]).toMatchObject({name: 'celery', depth: null, error: 'connection refused at 127.0.0.1:6379'});
	});

	it('text: one line per queue', () => {
		expect(queuesSource.report.lines(sample([queue('celery', 1100, {ratePerSecond: 30}), queue('x', null)]))).toEqual([
			'  Queue celery (celery): 1100 waiting ↑ 30/s',
			'  Queue x (celery): not read: x is a hash, expected a list, sorted set or stream',
		]);
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

describe('--queue SPEC, repeatable', () => {
	it('not given: no queues source', () => {
		expect(queuesSource.configure(input({}))).toBeNull();
	});

	it('every spec given, read in the Redis of --redis (else REDIS_URL)', () => {
		const config = queuesSource.configure(input({queue: ['celery:celery', 'emails:bullmq'], redis: 'redis://cache:6379'}))!;
		expect(config.url).toBe('redis://cache:6379');
		expect(config.queues.map(spec => spec.name)).toEqual(['celery', 'emails']);
		expect(queuesSource.configure(input({queue: ['a']}, {REDIS_URL: 'redis://r:1'}))!.url).toBe('redis://r:1');
	});

	it('refuses a bad spec or the same queue twice, in one line naming the flag', () => {
		const message = (values: Record<string, string | string[]>) => {
			try {
				queuesSource.configure(input(values));
			} catch (error) {
				expect(error).toBeInstanceOf(UsageError);
				return (error as Error).message;
			}

			throw new Error('no UsageError');
		};

		expect(message({queue: []})).toBe('--queue: empty value, expected a Redis key, or NAME:KIND with KIND one of celery, rq, sidekiq, bullmq (KEY:key for a key that ends so)');
		expect(message({queue: ['a', ' ']})).toContain('--queue: empty value');
		expect(message({queue: [':celery']})).toBe('--queue: ":celery" has no queue name before ":celery", expected NAME:celery');
		expect(message({queue: ['default:rq', 'rq:queue:default']})).toContain('--queue: "rq:queue:default" and "default:rq" both read the key rq:queue:default');
	});
});

describe("the demo's queues", () => {
	it('celery backs up past 1000 within about 20 s of each cycle, rising, and drains later', () => {
		const world = (elapsedMs: number) => ({seed: 1, elapsedMs, project: 'p', service: 's', instances: []});
		const at14 = demoQueues(world(14_000), 0).queues[0]!;
		expect(at14.depth!).toBeGreaterThan(500);
		const at20 = demoQueues(world(20_000), 0).queues[0]!;
		expect(at20.depth!).toBeGreaterThan(1000);
		expect(at20.ratePerSecond!).toBeGreaterThan(0);
		const [concern] = queuesSource.concerns(demoQueues(world(20_000), 20_000), context(20_000));
		expect(concern).toMatchObject({level: 'IMMEDIATE', subject: 'celery'});
		expect(demoQueues(world(150_000), 0).queues[0]!.depth!).toBeLessThan(700);
	});
});
