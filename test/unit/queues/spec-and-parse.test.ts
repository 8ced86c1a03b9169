import {describe, expect, it} from 'vitest';
import {groupsLag, interpretReplies, planReading, queueDepths, type Reply} from '../../../source/sources/queues/parse.js';
import {checkDistinct, parseQueueSpec, printable, QueueSpecError} from '../../../source/sources/queues/spec.js';

const describeError = (error: Error) => `failed: ${error.message}`;

describe('a --queue SPEC names the keys the job system keeps its waiting jobs in', () => {
	it("Celery: the list named after the queue plus kombu's three priority lists", () => {
		expect(parseQueueSpec('celery:celery')).toEqual({name: 'celery', kind: 'celery', spec: 'celery:celery', keys: ['celery', 'celery\u0006\u00163', 'celery\u0006\u00166', 'celery\u0006\u00169']});
	});

	it('RQ, Sidekiq and BullMQ by their public layouts', () => {
		expect(parseQueueSpec('default:rq').keys).toEqual(['rq:queue:default']);
		expect(parseQueueSpec('mailers:sidekiq').keys).toEqual(['queue:mailers']);
		expect(parseQueueSpec('emails:bullmq').keys).toEqual(['bull:emails:wait', 'bull:emails:paused', 'bull:emails:prioritized']);
	});

	it('anything not ending in a known kind is one key, colons and all', () => {
		expect(parseQueueSpec('rq:queue:default')).toMatchObject({name: 'rq:queue:default', kind: 'key', keys: ['rq:queue:default']});
		expect(parseQueueSpec('events')).toMatchObject({kind: 'key', keys: ['events']});
		expect(parseQueueSpec('a:b:unknownkind').keys).toEqual(['a:b:unknownkind']);
	});

	it('KEY:key spells out a key that itself ends like a kind', () => {
		expect(parseQueueSpec('jobs:rq:key')).toMatchObject({name: 'jobs:rq', kind: 'key', keys: ['jobs:rq']});
	});

	it('refuses an empty spec, a kind with no name, and control characters, saying what was expected', () => {
		expect(() => parseQueueSpec('  ')).toThrow(QueueSpecError);
		expect(() => parseQueueSpec(':celery')).toThrow('has no queue name before ":celery"');
		expect(() => parseQueueSpec('a\u0007b')).toThrow('"a\\x07b" has control characters');
	});

	it('refuses two specs that would count the same jobs twice', () => {
		expect(() => checkDistinct([parseQueueSpec('default:rq'), parseQueueSpec('rq:queue:default')])).toThrow('both read the key rq:queue:default');
		expect(() => checkDistinct([parseQueueSpec('a:rq'), parseQueueSpec('b:rq')])).not.toThrow();
	});

	it("shows Celery's priority keys with escapes, never raw control bytes", () => {
		expect(printable('celery\u0006\u00169')).toBe('celery\\x06\\x169');
	});
});

describe('one pipelined reading: TYPE and the length command the type calls for', () => {
	const keys = [
		{key: 'bull:q:wait', kind: 'bullmq' as const},
		{key: 'bull:q:prioritized', kind: 'bullmq' as const},
		{key: 'events', kind: 'key' as const},
	];

	it("guesses from the job system's layout at first, from the type seen last time after", () => {
		expect(planReading(keys, new Map()).commands).toEqual([
			['type', 'bull:q:wait'], ['llen', 'bull:q:wait'],
			['type', 'bull:q:prioritized'], ['zcard', 'bull:q:prioritized'],
			['type', 'events'], ['llen', 'events'],
		]);
		expect(planReading(keys.slice(2), new Map([['events', 'stream']])).commands).toEqual([['type', 'events'], ['xlen', 'events'], ['xinfo', 'groups', 'events']]);
	});

	it('a key seen absent or of a wrong type is guessed from the layout again', () => {
		expect(planReading(keys.slice(2), new Map([['events', 'none']])).commands).toEqual([['type', 'events'], ['llen', 'events']]);
		expect(planReading(keys.slice(2), new Map([['events', 'hash']])).commands).toEqual([['type', 'events'], ['llen', 'events']]);
	});

	it('reads lengths when the guess was right, and an absent key as an empty queue', () => {
		const plan = planReading(keys.slice(0, 2), new Map());
		const replies: Reply[] = [[null, 'list'], [null, 1200], [null, 'none'], [null, 0]];
		const {depths, retry, types} = interpretReplies(plan, replies, describeError);
		expect(retry).toEqual([]);
		expect([...types]).toEqual([['bull:q:wait', 'list'], ['bull:q:prioritized', 'none']]);
		expect(depths.get('bull:q:wait')).toEqual({key: 'bull:q:wait', type: 'list', depth: 1200, error: null});
		expect(depths.get('bull:q:prioritized')).toEqual({key: 'bull:q:prioritized', type: 'none', depth: 0, error: null});
	});

	it('asks for a second trip only for a key whose type was not the guess', () => {
		const plan = planReading(keys.slice(2), new Map());
		const {depths, retry, types} = interpretReplies(plan, [[null, 'stream'], [new Error('WRONGTYPE'), null]], describeError);
		expect(retry).toEqual(['events']);
		expect(depths.has('events')).toBe(false);
		expect(planReading(keys.slice(2), types).commands[1]).toEqual(['xlen', 'events']);
	});

	it('a stream without consumer groups waits whole; with groups, the slowest group lag is the depth', () => {
		const plan = planReading(keys.slice(2), new Map([['events', 'stream']]));
		const none = interpretReplies(plan, [[null, 'stream'], [null, 1500], [null, []]], describeError).depths.get('events');
		expect(none).toMatchObject({depth: 1500, length: 1500, lag: null});
		const groups = [
			['name', 'g1', 'consumers', 1, 'pending', 3, 'last-delivered-id', '1-0', 'entries-read', 10, 'lag', 1100],
			['name', 'g2', 'consumers', 1, 'pending', 0, 'last-delivered-id', '2-0', 'entries-read', 1200, 'lag', 0],
		];
		const lagged = interpretReplies(plan, [[null, 'stream'], [null, 5000], [null, groups]], describeError).depths.get('events');
		expect(lagged).toMatchObject({depth: 1100, length: 5000, lag: 1100});
	});

	it('a group lag Redis cannot tell (nil) counts the whole stream: an upper bound, never zero', () => {
		expect(groupsLag([['name', 'g', 'lag', null]])).toBeNull();
		expect(groupsLag([['name', 'g', 'pending', 0]])).toBeNull();
		const plan = planReading(keys.slice(2), new Map([['events', 'stream']]));
		const depth = interpretReplies(plan, [[null, 'stream'], [null, 900], [null, [['name', 'g', 'lag', null]]]], describeError).depths.get('events');
		expect(depth).toMatchObject({depth: 900, lag: null});
	});

	it('a key of another type is an error naming it, not a zero', () => {
		const plan = planReading(keys.slice(2), new Map());
		const depth = interpretReplies(plan, [[null, 'hash'], [new Error('WRONGTYPE'), null]], describeError).depths.get('events');
		expect(depth).toEqual({key: 'events', type: 'hash', depth: null, error: 'events is a hash, expected a list, sorted set or stream'});
	});

	it('a failed command is that key’s error, through the given describer', () => {
		const plan = planReading(keys.slice(2), new Map());
		const depth = interpretReplies(plan, [[new Error('NOPERM'), null], [null, 3]], describeError).depths.get('events');
		expect(depth).toMatchObject({depth: null, error: 'failed: NOPERM'});
	});
});

describe("a queue's depth is the sum of its keys", () => {
	const bull = parseQueueSpec('q:bullmq');
	const ok = (key: string, depth: number) => [key, {key, type: 'list', depth, error: null}] as const;

	it('adds wait, paused and prioritized', () => {
		const depths = new Map([ok('bull:q:wait', 700), ok('bull:q:paused', 200), ok('bull:q:prioritized', 150)]);
		expect(queueDepths([bull], depths)).toEqual([expect.objectContaining({name: 'q', kind: 'bullmq', key: 'bull:q:wait', depth: 1050, error: null})]);
	});

	it('has no depth, and says why, when one of its keys could not be read', () => {
		const depths = new Map([ok('bull:q:wait', 700), ['bull:q:paused', {key: 'bull:q:paused', type: 'hash', depth: null, error: 'bull:q:paused is a hash'}] as const]);
		const [queue] = queueDepths([bull], depths);
		expect(queue).toMatchObject({depth: null, error: 'bull:q:paused is a hash'});
	});
});
