// Reads Redis memory use (INFO memory) on the run's one connection to that Redis (kit/redis-connections.ts: the
// queues source reads on the same socket), which reconnects on its own with the kit's backoff; every failure
// becomes the reading's status, never an unhandled error.
import type {SourceReading} from '../../core/source-model.js';
import type {Collector} from '../collector.js';
import {describeError, redactSecrets} from '../describe-error.js';
import {backoffDelay} from '../kit/backoff.js';
import {createRedisConnections, type RedisConnection, type RedisConnections} from '../kit/redis-connections.js';
import {createReadingCell} from '../kit/status.js';
import {passwordOf} from '../../core/redact.js';
import {redisMemorySample, type RedisSample} from './parse.js';

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
	/** The run's shared connections (kit.redis()); without it the collector holds a connection of its own. */
	connections?: RedisConnections;
}

/** Reconnect delay: the kit's backoff (500 ms per failed attempt up to 5 s, never giving up while running). */
export const redisRetryDelay = backoffDelay;

const vagueReason = /^(?:not connected|connection closed by server) at /;

export function createRedisCollector(options: RedisCollectorOptions): Collector<RedisView> {
	const timeoutMs = options.timeoutMs ?? 2000;
	const now = options.now ?? Date.now;
	const secrets = [passwordOf(options.url)];
	const cell = createReadingCell<RedisSample>(options.endpoint, now);
	const connections = options.connections ?? createRedisConnections(timeoutMs);
	let running = false;
	let timer: NodeJS.Timeout | undefined;
	let connection: RedisConnection | null = null;
	let reading: Promise<void> | null = null;

	function fail(error: unknown): void {
		if (!running) return;
		const reason = redactSecrets(describeError(error, options.endpoint, timeoutMs), secrets);
		// Dropping a socket makes ioredis fail its pending commands too ("not connected"): those echoes
		// must not replace the reason that explains the drop.
		const status = cell.view().status;
		const failing = status.kind === 'unreachable' || status.kind === 'reconnecting';
		if (failing && vagueReason.test(reason)) return;
		cell.fail(reason);
	}

	function tick(): void {
		const held = connection;
		if (!running || reading || !held || !held.ready()) return;
		reading = held.client
			.info('memory')
			.then((text) => {
				if (!running) return;
				const at = now();
				cell.ok(redisMemorySample(text, at), at);
			})
			.catch(fail)
			.finally(() => {
				reading = null;
			});
	}

	return {
		start() {
			if (running) return;
			running = true;
			cell.connecting();
			connection = connections.acquire(options.url);
			connection.subscribe((event, error) => {
				if (event === 'ready') tick();
				else if (event === 'error') fail(error);
				// A clean close (server shutdown) emits no 'error': say so, the reconnect errors follow.
				else if (cell.view().status.kind === 'ok') fail(new Error('Connection is closed.'));
			});
			tick();
			timer = setInterval(tick, options.intervalMs);
		},
		async stop() {
			running = false;
			clearInterval(timer);
			timer = undefined;
			const held = connection;
			connection = null;
			await held?.release();
			await reading;
		},
		view: cell.view,
		subscribe: cell.subscribe,
	};
}
