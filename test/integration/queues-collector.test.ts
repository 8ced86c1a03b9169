// Queue depths against a real Redis: lists, sorted sets and streams laid out as Celery, RQ, Sidekiq and BullMQ keep
// them (in the shared Redis 6379, under a prefix of this run's own), filled past 1000 and checked against LLEN, ZCARD
// and XLEN read directly. A test-owned redis-server (port 16410) is stopped to see the source say so.
import {spawn, type ChildProcess} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {Redis} from 'ioredis';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {SourceReading} from '../../source/core/source-model.js';
import {createKit} from '../../source/sources/kit/index.js';
import {createRedisConnections} from '../../source/sources/kit/redis-connections.js';
import {createQueuesCollector} from '../../source/sources/queues/collector.js';
import type {QueuesSample} from '../../source/sources/queues/parse.js';
import {createQueueReader} from '../../source/sources/queues/read.js';
import {parseQueueSpec} from '../../source/sources/queues/spec.js';
import type {Collector} from '../../source/sources/collector.js';
import {REDIS_URL, requireRedis, tcpOpen, waitFor} from '../support/services.js';

const available = await requireRedis();
const prefix = `va-pool-${randomBytes(3).toString('hex')}-`;
const celery = `${prefix}celery`;
const ownPort = 16_410;

type QueuesView = SourceReading<QueuesSample>;

/** Celery (kombu) JSON message, abridged: what `apply_async` pushes. */
const celeryMessage = (n: number) => JSON.stringify({body: 'W1tdLCB7fV0=', headers: {id: `task-${n}`, task: 'app.tasks.transcribe'}, properties: {priority: 0}});

async function fill(redis: Redis): Promise<void> {
	const batch = redis.pipeline();
	// Celery: priority 0 in the list itself, 3 and 9 in kombu's sub-lists.
	batch.lpush(celery, ...Array.from({length: 900}, (_, n) => celeryMessage(n)));
	batch.lpush(`${celery}\u0006\u00163`, ...Array.from({length: 150}, (_, n) => celeryMessage(1000 + n)));
	batch.lpush(`${celery}\u0006\u00169`, ...Array.from({length: 50}, (_, n) => celeryMessage(2000 + n)));
	// RQ: job ids in rq:queue:NAME, the jobs as hashes beside them (not counted), a failed registry (not waiting).
	batch.rpush(`rq:queue:${prefix}default`, ...Array.from({length: 1200}, (_, n) => `job-${n}`));
	batch.hset(`rq:job:${prefix}job-0`, 'status', 'queued');
	batch.zadd(`rq:failed:${prefix}default`, 1, 'job-x');
	// Sidekiq: JSON jobs in queue:NAME.
	batch.lpush(`queue:${prefix}mailers`, ...Array.from({length: 1001}, (_, n) => JSON.stringify({class: 'Mailer', jid: `j${n}`, queue: `${prefix}mailers`})));
	// BullMQ: ids in wait (list), prioritized (sorted set), paused empty; meta hash and job hashes beside them.
	batch.lpush(`bull:${prefix}emails:wait`, ...Array.from({length: 600}, (_, n) => String(n)));
	batch.zadd(`bull:${prefix}emails:prioritized`, ...Array.from({length: 500}, (_, n) => [String(n % 7), `p${n}`]).flat());
	batch.hset(`bull:${prefix}emails:meta`, 'opts.maxLenEvents', '10000');
	batch.hset(`bull:${prefix}emails:1`, 'name', 'send');
	// A stream with two consumer groups: one read 300 entries (lag 1200), the other began at the end (lag 0).
	for (let n = 0; n < 1500; n++) batch.xadd(`${prefix}events`, '*', 'n', String(n));
	batch.hset(`${prefix}not-a-queue`, 'a', '1');
	await batch.exec();
	await redis.xgroup('CREATE', `${prefix}events`, 'workers', '0');
	await redis.xgroup('CREATE', `${prefix}events`, 'audit', '$');
	await redis.xreadgroup('GROUP', 'workers', 'w1', 'COUNT', 300, 'STREAMS', `${prefix}events`, '>');
}

describe.skipIf(!available)('queue depths read on the shared Redis connection', () => {
	let redis: Redis;
	const connections = createRedisConnections(1000);
	const collectors: Array<Collector<QueuesView>> = [];

	const specs = [
		parseQueueSpec(`${celery}:celery`),
		parseQueueSpec(`${prefix}default:rq`),
		parseQueueSpec(`${prefix}mailers:sidekiq`),
		parseQueueSpec(`${prefix}emails:bullmq`),
		parseQueueSpec(`${prefix}events`),
		parseQueueSpec(`${prefix}absent`),
		parseQueueSpec(`${prefix}not-a-queue`),
	];

	function collector(url: string, port: number): Collector<QueuesView> {
		const created = createQueuesCollector({url, endpoint: `127.0.0.1:${port}`, queues: specs, connections}, createKit({intervalMs: 200, timeoutMs: 1000}));
		collectors.push(created);
		created.start();
		return created;
	}

	beforeAll(async () => {
		redis = new Redis(REDIS_URL);
		await fill(redis);
	});

	afterAll(async () => {
		await Promise.all(collectors.map(async item => item.stop()));
		const keys = await redis.keys(`*${prefix}*`);
		if (keys.length > 0) await redis.del(...keys);
		redis.disconnect();
	});

	it('reads each job system’s depth as the sum of its keys, equal to LLEN / ZCARD / XINFO lag read directly', async () => {
		const source = collector(REDIS_URL, 6379);
		const view = await waitFor(() => (source.view().status.kind === 'ok' ? source.view() : undefined), {message: 'first reading'});
		const depth = (name: string) => view.sample!.queues.find(queue => queue.name === name)?.depth;

		const direct = {
			celery: (await redis.llen(celery)) + (await redis.llen(`${celery}\u0006\u00163`)) + (await redis.llen(`${celery}\u0006\u00166`)) + (await redis.llen(`${celery}\u0006\u00169`)),
			rq: await redis.llen(`rq:queue:${prefix}default`),
			sidekiq: await redis.llen(`queue:${prefix}mailers`),
			bullmq: (await redis.llen(`bull:${prefix}emails:wait`)) + (await redis.llen(`bull:${prefix}emails:paused`)) + (await redis.zcard(`bull:${prefix}emails:prioritized`)),
		};
		expect(direct).toEqual({celery: 1100, rq: 1200, sidekiq: 1001, bullmq: 1100});
		expect(depth(celery)).toBe(direct.celery);
		expect(depth(`${prefix}default`)).toBe(direct.rq);
		expect(depth(`${prefix}mailers`)).toBe(direct.sidekiq);
		expect(depth(`${prefix}emails`)).toBe(direct.bullmq);

		// The stream: its slowest group's lag, with XLEN beside it.
		const groups = (await redis.xinfo('GROUPS', `${prefix}events`)) as unknown[][];
		const lags = groups.map(group => Number(group[group.indexOf('lag') + 1]));
		const events = view.sample!.queues.find(queue => queue.name === `${prefix}events`)!;
		expect(events.depth).toBe(Math.max(...lags));
		expect(events.depth).toBe(1200);
		expect(events.keys[0]).toMatchObject({type: 'stream', length: await redis.xlen(`${prefix}events`)});
	});

	it('an absent key is an empty queue; a key of another type is an error naming it, never a zero', async () => {
		const source = collector(REDIS_URL, 6379);
		const view = await waitFor(() => (source.view().status.kind === 'ok' ? source.view() : undefined), {message: 'first reading'});
		expect(view.sample!.queues.find(queue => queue.name === `${prefix}absent`)).toMatchObject({depth: 0, error: null});
		expect(view.sample!.queues.find(queue => queue.name === `${prefix}not-a-queue`)).toMatchObject({depth: null, error: `${prefix}not-a-queue is a hash, expected a list, sorted set or stream`});
	});

	it('follows the queue as it drains, and needs one round trip a reading once the types are known', async () => {
		const shared = connections.acquire(REDIS_URL);
		await waitFor(() => shared.ready(), {message: 'connection ready'});
		let trips = 0;
		const counting = {pipeline: (commands: Array<[string, ...string[]]>) => {
			trips++;
			return shared.client.pipeline(commands);
		}};
		const reader = createQueueReader(specs, error => error.message);
		await reader.read(counting, Date.now);
		// The plain stream key was guessed a list: one more trip for it, the first time only.
		expect(trips).toBe(2);
		trips = 0;
		await redis.ltrim(`rq:queue:${prefix}default`, 0, 99);
		const after = await reader.read(counting, Date.now);
		expect(trips).toBe(1);
		expect(after.queues.find(queue => queue.kind === 'rq')?.depth).toBe(100);
		await shared.release();
	});

	it('shares one connection per Redis URL: every user reads on the same client, the last release closes it', async () => {
		// A URL no other test here holds (the collectors above keep theirs until the end).
		const url = `${REDIS_URL}/0`;
		const first = connections.acquire(url);
		const second = connections.acquire(url);
		expect(second.client).toBe(first.client);
		await waitFor(() => first.ready(), {message: 'ready'});
		const id = await first.client.client('ID');
		await first.release();
		expect(second.ready()).toBe(true);
		expect(await second.client.client('ID')).toBe(id);
		await second.release();
		expect(['end', 'close']).toContain(second.client.status);
	});

	describe('with a redis-server of the test its own', () => {
		let server: ChildProcess | undefined;
		const url = `redis://127.0.0.1:${ownPort}`;
		const startServer = async () => {
			server = spawn('redis-server', ['--port', String(ownPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {stdio: 'ignore'});
			await waitFor(async () => tcpOpen('127.0.0.1', ownPort, 200), {message: 'own redis up'});
		};

		const stopServer = async () => {
			const running = server;
			server = undefined;
			if (!running || running.exitCode !== null) return;
			const gone = new Promise(resolve => running.once('exit', resolve));
			running.kill('SIGTERM');
			await gone;
		};

		afterAll(stopServer);

		it('says the queues cannot be read, with the reason, while Redis is down, and reads again when it is back', async () => {
			await startServer();
			const own = new Redis(url);
			await own.rpush(`rq:queue:${prefix}default`, ...Array.from({length: 1001}, (_, n) => `job-${n}`));
			own.disconnect();
			const source = collector(url, ownPort);
			await waitFor(() => source.view().status.kind === 'ok', {message: 'first reading'});
			await stopServer();
			const status = await waitFor(() => {
				const current = source.view().status;
				return current.kind === 'reconnecting' && /connection refused at 127\.0\.0\.1:16410/.test(current.reason) ? current : undefined;
			}, {message: 'reconnecting: connection refused', timeoutMs: 8000});
			expect(status.reason).not.toMatch(/ECONNREFUSED|Error/);
			await startServer();
			// A fresh server has no queues: read again, at depth 0.
			const back = await waitFor(() => (source.view().status.kind === 'ok' && source.view().sample!.at > status.since ? source.view() : undefined), {message: 'read again', timeoutMs: 10_000});
			expect(back.sample!.queues.find(queue => queue.kind === 'rq')?.depth).toBe(0);
		});
	});
});
