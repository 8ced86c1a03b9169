import {spawn, type ChildProcess} from 'node:child_process';
import net from 'node:net';
import {Redis} from 'ioredis';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {
	REDIS_AUTH_PORT,
	REDIS_HOST,
	REDIS_PASSWORD,
	REDIS_PORT,
	requireRedis,
	requireRedisAuth,
	waitFor,
} from '../support/services.js';
import type {SourceStatus} from '../../source/core/types.js';
import {createRedisCollector, type RedisView} from '../../source/sources/redis/collector.js';
import {parseRedisInfo} from '../../source/sources/redis/parse.js';
import type {Collector} from '../../source/sources/collector.js';

const openAvailable = await requireRedis();
const authAvailable = await requireRedisAuth();
const host = REDIS_HOST;
const openPort = REDIS_PORT;
const password = REDIS_PASSWORD;
const openEndpoint = `${REDIS_HOST}:${REDIS_PORT}`;
const authEndpoint = `${REDIS_HOST}:${REDIS_AUTH_PORT}`;

/** The shared waitFor, polling faster: some tests time how long the collector took. */
async function until<T>(message: string, check: () => T | Promise<T>, timeoutMs = 10_000): Promise<NonNullable<T>> {
	return waitFor(check, {message, timeoutMs, intervalMs: 25});
}

async function freePort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as net.AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

function sampleAfter(view: RedisView, after: number): RedisView['sample'] | undefined {
	return view.status.kind === 'ok' && view.sample && view.sample.at > after ? view.sample : undefined;
}

function unreachable(collector: Collector<RedisView>) {
	return () => {
		const s = collector.view().status;
		return s.kind === 'unreachable' ? s : undefined;
	};
}

const collectors: Array<Collector<RedisView>> = [];
function collector(url: string, endpoint: string, timeoutMs = 2000, intervalMs = 200): Collector<RedisView> {
	const created = createRedisCollector({url, endpoint, intervalMs, timeoutMs});
	collectors.push(created);
	return created;
}

afterAll(async () => {
	await Promise.all(collectors.map(async (c) => c.stop()));
});

describe.skipIf(!openAvailable)('Redis collector against a real server without password', () => {
	const prefix = `va-top-test:${process.pid}:${Date.now()}:`;
	let direct: Redis;
	let originalMaxmemory = '0';

	beforeAll(async () => {
		direct = new Redis({host, port: openPort, lazyConnect: true});
		await direct.connect();
		originalMaxmemory = ((await direct.config('GET', 'maxmemory')) as string[])[1] ?? '0';
	});

	afterAll(async () => {
		const keys = await direct.keys(`${prefix}*`);
		if (keys.length > 0) await direct.del(...keys);
		await direct.config('SET', 'maxmemory', originalMaxmemory);
		await direct.quit();
	});

	it('reads used_memory / maxmemory like a direct INFO, within 2 %', async () => {
		await direct.config('SET', 'maxmemory', '10mb');
		// ~5 MB under the test's own prefix.
		const chunk = 'x'.repeat(100 * 1024);
		const pipeline = direct.pipeline();
		for (let i = 0; i < 50; i++) pipeline.set(`${prefix}${i}`, chunk);
		await pipeline.exec();

		const redis1 = collector(`redis://${openEndpoint}`, openEndpoint);
		const started = Date.now();
		redis1.start();
		const sample = await until('a reading', () => sampleAfter(redis1.view(), started));
		const info = parseRedisInfo(await direct.info('memory'));
		const expected = Number(info.used_memory) / Number(info.maxmemory);
		console.log(
			`redis: collector ratio=${sample.ratio.toFixed(4)} used=${sample.usedMemoryBytes} limit=${sample.limitBytes} ` +
				`| direct INFO ratio=${expected.toFixed(4)} used=${info.used_memory} maxmemory=${info.maxmemory}`,
		);
		expect(sample.limitSource).toBe('maxmemory');
		expect(sample.maxMemoryBytes).toBe(10 * 1024 * 1024);
		expect(sample.limitBytes).toBe(10 * 1024 * 1024);
		expect(sample.ratio).toBeGreaterThan(0.45);
		expect(Math.abs(sample.ratio - expected)).toBeLessThanOrEqual(0.02);
		expect(sample.usedMemoryRssBytes).toBeGreaterThan(0);
		expect(sample.fragmentationRatio).toBeGreaterThan(0);

		// Without maxmemory the ratio is against the machine's memory.
		await direct.config('SET', 'maxmemory', '0');
		const changed = Date.now();
		const system = await until('a system-limit reading', () => {
			const s = sampleAfter(redis1.view(), changed);
			return s?.limitSource === 'system' ? s : undefined;
		});
		const total = Number(parseRedisInfo(await direct.info('memory')).total_system_memory);
		expect(system.maxMemoryBytes).toBe(0);
		expect(system.limitBytes).toBe(total);
		expect(system.ratio).toBeCloseTo(system.usedMemoryBytes / total, 12);
		await direct.config('SET', 'maxmemory', originalMaxmemory);
		await redis1.stop();
	});

	it('becomes reconnecting with the last sample when its connection is killed, then recovers', async () => {
		const redis1 = collector(`redis://${openEndpoint}`, openEndpoint);
		const seen: SourceStatus[] = [];
		redis1.subscribe(() => {
			const status = redis1.view().status;
			if (seen.at(-1) !== status) seen.push(status);
		});
		// Other va-top processes may be connected too: ours are the va-top clients that were not there before.
		const vaTopIds = async () =>
			String(await direct.client('LIST'))
				.split('\n')
				.filter((line) => line.includes(' name=va-top '))
				.map((line) => /^id=(\d+)/.exec(line)?.[1] ?? '');
		const others = new Set(await vaTopIds());
		const ours = async () => (await vaTopIds()).filter((id) => !others.has(id));
		redis1.start();
		await until('first reading', () => redis1.view().status.kind === 'ok');
		const mine = await ours();
		expect(mine).toHaveLength(1);
		await direct.client('KILL', 'ID', mine[0]!);

		const reconnecting = await until('reconnecting', () => seen.find((s) => s.kind === 'reconnecting'));
		expect(redis1.view().sample).not.toBeNull();
		const index = seen.indexOf(reconnecting);
		await until('ok again', () => seen.slice(index).some((s) => s.kind === 'ok'));

		// stop() closes the connection: the server no longer lists it.
		await redis1.stop();
		await until('no va-top client of ours listed', async () => (await ours()).length === 0, 3000);
	});
});

describe.skipIf(!authAvailable)('Redis collector against a server with requirepass', () => {
	it('reads with the password in the URL', async () => {
		const redis1 = collector(`redis://:${password}@${authEndpoint}`, authEndpoint);
		redis1.start();
		const sample = await until('a reading', () => sampleAfter(redis1.view(), 0));
		expect(sample.usedMemoryBytes).toBeGreaterThan(0);
	});

	it('says NOAUTH without a password and "wrong password" with a bad one, never showing it', async () => {
		const secret = 'Not-The-Secret-4711';
		const none = collector(`redis://${authEndpoint}`, authEndpoint);
		const wrong = collector(`redis://:${secret}@${authEndpoint}`, authEndpoint);
		none.start();
		wrong.start();
		expect((await until('NOAUTH', unreachable(none))).reason).toBe('authentication required (NOAUTH)');
		expect((await until('WRONGPASS', unreachable(wrong))).reason).toBe('wrong password');
		expect(JSON.stringify(wrong.view())).not.toContain(secret);
		expect(JSON.stringify(none.view())).not.toContain(password);
		await Promise.all([none.stop(), wrong.stop()]);
	});
});

/** A throwaway redis-server on a free loopback port (no persistence), for start/stop/restart tests. */
async function startOwnRedis(port: number): Promise<ChildProcess> {
	const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
		stdio: 'ignore',
	});
	await until('own redis-server listening', async () => {
		const probe = new Redis({port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0});
		probe.on('error', () => undefined);
		try {
			await probe.connect();
			return (await probe.ping()) === 'PONG';
		} finally {
			probe.disconnect();
		}
	});
	return child;
}

async function stopOwnRedis(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise((resolve) => child.once('exit', resolve));
	child.kill('SIGKILL');
	await exited;
}

const ownRedisAvailable = await new Promise<boolean>((resolve) => {
	const probe = spawn('redis-server', ['--version'], {stdio: 'ignore'});
	probe.on('error', () => resolve(false));
	probe.on('exit', (code) => resolve(code === 0));
});

describe.skipIf(!ownRedisAvailable)('Redis collector across server start and restart', () => {
	it('comes up when the server appears later, reconnects after the server dies and returns', async () => {
		const port = await freePort();
		const at = `127.0.0.1:${port}`;
		const redis1 = collector(`redis://${at}`, at, 1000, 100);
		const seen: SourceStatus[] = [];
		redis1.subscribe(() => {
			const status = redis1.view().status;
			if (seen.at(-1) !== status) seen.push(status);
		});
		redis1.start();
		expect((await until('refused before the server exists', unreachable(redis1))).reason).toBe(`connection refused at ${at}`);

		let server = await startOwnRedis(port);
		try {
			const appeared = Date.now();
			await until('ok once the server is there', () => redis1.view().status.kind === 'ok', 8000);
			console.log(`redis own server: first reading ${Date.now() - appeared} ms after it started listening`);

			await stopOwnRedis(server);
			await until('reconnecting after the server died', () => {
				const s = redis1.view().status;
				return s.kind === 'reconnecting' && s.reason === `connection refused at ${at}` ? s : undefined;
			});
			expect(redis1.view().sample).not.toBeNull();
			expect(seen.some((s) => s.kind === 'reconnecting')).toBe(true);

			server = await startOwnRedis(port);
			const back = Date.now();
			await until('ok after the restart', () => redis1.view().status.kind === 'ok', 8000);
			console.log(`redis own server: back to ok ${Date.now() - back} ms after the restart`);
			await redis1.stop();
		} finally {
			await stopOwnRedis(server);
		}
	});
});

describe('Redis collector without a server', () => {
	it('says "connection refused" for a closed port, keeps retrying, and leaves nothing running after stop()', async () => {
		const port = await freePort();
		const live = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'TCPSocketWrap').length;
		const before = live();
		const redis1 = collector(`redis://:${password}@127.0.0.1:${port}`, `127.0.0.1:${port}`, 2000, 100);
		let refusals = 0;
		redis1.start();
		const status = await until('refused', unreachable(redis1));
		expect(status.reason).toBe(`connection refused at 127.0.0.1:${port}`);
		expect(status.reason).not.toContain(password);
		// Retries go on (500 ms, then 1 s apart): count the connection attempts through a listener on the port.
		const server = net.createServer((socket) => {
			refusals++;
			socket.destroy();
		});
		await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
		try {
			await until('a retry reaching the port', () => refusals > 0, 5000);
		} finally {
			server.close();
		}
		await redis1.stop();
		expect(live()).toBeLessThanOrEqual(before);
	});

	it('gives up on a server that accepts and never answers, one socket at a time', async () => {
		let open = 0;
		let most = 0;
		let accepted = 0;
		const server = net.createServer((socket) => {
			accepted++;
			open++;
			most = Math.max(most, open);
			socket.on('error', () => undefined);
			socket.on('close', () => open--);
			// Read and drop what the client sends: an unread stream never sees the client's FIN.
			socket.resume();
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const {port} = server.address() as net.AddressInfo;
		try {
			const redis1 = collector(`redis://127.0.0.1:${port}`, `127.0.0.1:${port}`, 1000, 100);
			const started = Date.now();
			redis1.start();
			const status = await until('timeout', unreachable(redis1), 5000);
			const took = Date.now() - started;
			console.log(`redis hanging server: unreachable after ${took} ms (timeout 1000 ms)`);
			expect(status.reason).toBe(`timed out after 1s at 127.0.0.1:${port}`);
			expect(took).toBeGreaterThanOrEqual(900);
			expect(took).toBeLessThan(1800);
			// It drops the dead socket and tries again, never holding two.
			await until('a second attempt', () => accepted >= 2, 8000);
			expect(most).toBe(1);
			// stop() in the middle of a handshake (a fresh socket just accepted) still resolves promptly
			// and closes the socket: pg's connect() alone would never settle here.
			const attempts = accepted;
			await until('a fresh handshake', () => accepted > attempts && open === 1, 8000);
			const stopping = Date.now();
			await redis1.stop();
			const stopTook = Date.now() - stopping;
			console.log(`redis hanging server: stop() took ${stopTook} ms, ${accepted} attempts, at most ${most} socket open`);
			expect(stopTook).toBeLessThan(1500);
			await until('server side closed', () => open === 0, 3000);
		} finally {
			server.close();
		}
	});
});
