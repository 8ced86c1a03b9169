// Reads Redis memory use (INFO memory) through one ioredis connection that reconnects on its own with a
// bounded backoff; every failure becomes the view's status, never an unhandled error.
import {Redis} from 'ioredis';
import type {SourceReading} from '../../core/source-model.js';
import type {Collector} from '../collector.js';
import {describeError, redactSecrets} from '../describe-error.js';
import {backoffDelay} from '../kit/backoff.js';
import {createReadingCell} from '../kit/status.js';
import {atMost, timeoutError} from '../kit/timeouts.js';
import {passwordOf} from '../../core/redact.js';
import {redisKeyCount, redisMemorySample, type RedisSample} from './parse.js';

export type RedisView = SourceReading<RedisSample>;

export interface RedisCollectorOptions {
	/** redis://[:password@]host:port[/db]; the password never leaves this module. */
	url: string;
	/** Shown in the view and in reasons, e.g. '127.0.0.1:6379'. */
	endpoint: string;
	intervalMs: number;
	/** Bounds connecting and each command. Default 2000. */
	timeoutMs?: number;
	now?: () => number;
	/** --capacity: also the key count (INFO keyspace). */
	keyspace?: boolean;
}

/** Reconnect delay: the kit's backoff (500 ms per failed attempt up to 5 s, never giving up while running). */
export const redisRetryDelay = backoffDelay;

const disconnectGraceMs = 200;

const vagueReason = /^(?:not connected|connection closed by server) at /;

/** `stream` is not in the typings; destroying a closed socket is a no-op. */
function destroySocket(client: Redis): void {
	(client as unknown as {stream?: {destroy?: () => void}}).stream?.destroy?.();
}

export function createRedisCollector(options: RedisCollectorOptions): Collector<RedisView> {
	const timeoutMs = options.timeoutMs ?? 2000;
	const now = options.now ?? Date.now;
	const secrets = [passwordOf(options.url)];
	const cell = createReadingCell<RedisSample>(options.endpoint, now);
	let running = false;
	let timer: NodeJS.Timeout | undefined;
	let redis: Redis | null = null;
	let reading: Promise<void> | null = null;
	/** Fires when a connection attempt has not become ready within timeoutMs. */
	let handshakeTimer: NodeJS.Timeout | undefined;

	function fail(error: unknown): void {
		if (!running) return;
		const reason = redactSecrets(describeError(error, options.endpoint, timeoutMs), secrets);
		// Dropping a socket makes ioredis fail its pending commands too ("not connected"): those echoes
		// must not replace the reason that explains the drop.
		const status = cell.view().status;
		const failing = status.kind === 'unreachable' || status.kind === 'reconnecting';
		if (failing && vagueReason.test(reason)) return;
		// ioredis repeats its errors (each retry, each pending command): a status already said is not news.
		if (cell.unchanged(reason)) return;
		cell.fail(reason);
	}

	function read(client: Redis): void {
		if (!running || reading) return;
		reading = Promise.all([client.info('memory'), options.keyspace ? client.info('keyspace') : Promise.resolve(null)])
			.then(([memory, keyspace]) => {
				if (!running) return;
				const at = now();
				const sample = redisMemorySample(memory, at);
				cell.ok(keyspace === null ? sample : {...sample, keys: redisKeyCount(keyspace)}, at);
			})
			.catch(fail)
			.finally(() => {
				reading = null;
			});
	}

	function tick(): void {
		const client = redis;
		if (!running || !client) return;
		if (client.status === 'ready') read(client);
	}

	function createClient(): Redis {
		const client = new Redis(options.url, {
			lazyConnect: true,
			connectTimeout: timeoutMs,
			commandTimeout: timeoutMs,
			maxRetriesPerRequest: 1,
			enableOfflineQueue: false,
			retryStrategy: redisRetryDelay,
			connectionName: 'va-top',
			// ioredis arms this timer on every disconnect and only clears it when a live socket closes;
			// kept short so stop() can outwait it (default 2 s).
			disconnectTimeout: disconnectGraceMs,
		});
		// ioredis throws an unhandled 'error' without a listener; every error is a status instead.
		client.on('error', (error: unknown) => {
			fail(error);
		});
		// A server that accepts but never answers leaves ioredis in 'connect' for good (its command timeout
		// fails the handshake commands but does not drop the socket): after timeoutMs, say so and destroy
		// the socket, which makes ioredis reconnect through the retry strategy.
		client.on('connecting', () => {
			clearTimeout(handshakeTimer);
			if (!running) return;
			handshakeTimer = setTimeout(() => {
				// Only while this attempt is still in its handshake (not between retries, not ready).
				if (!running || (client.status !== 'connecting' && client.status !== 'connect')) return;
				fail(timeoutError());
				destroySocket(client);
			}, timeoutMs);
		});
		client.on('ready', () => {
			clearTimeout(handshakeTimer);
			read(client);
		});
		client.on('close', () => {
			clearTimeout(handshakeTimer);
			// A clean close (server shutdown) emits no 'error': say so, the reconnect errors follow.
			if (running && cell.view().status.kind === 'ok') fail(new Error('Connection is closed.'));
		});
		return client;
	}

	async function closeClient(client: Redis): Promise<void> {
		if (client.status === 'end') return;
		const ended = new Promise<void>((resolve) => {
			client.once('end', resolve);
		});
		if (client.status === 'ready') {
			await atMost(client.quit(), timeoutMs);
		}

		// Between retries there is no socket and ioredis emits no 'end': its disconnect timer on the dead
		// socket then simply runs out. Otherwise wait for 'end', bounded.
		const status: string = client.status;
		const hasSocket = status !== 'reconnecting' && status !== 'end' && status !== 'wait';
		client.disconnect();
		if (hasSocket) await atMost(ended, timeoutMs);
		else await new Promise((resolve) => setTimeout(resolve, disconnectGraceMs + 20));
		// A peer that never closes its side keeps a half-closed socket: destroy it for sure.
		destroySocket(client);
	}

	return {
		start() {
			if (running) return;
			running = true;
			cell.connecting();
			redis = createClient();
			// Failures arrive as 'error' events too; the rejection only needs catching.
			redis.connect().catch(() => undefined);
			timer = setInterval(tick, options.intervalMs);
		},
		async stop() {
			running = false;
			clearInterval(timer);
			clearTimeout(handshakeTimer);
			timer = undefined;
			const client = redis;
			redis = null;
			if (client) await closeClient(client);
			await reading;
		},
		view: cell.view,
		subscribe: cell.subscribe,
	};
}
