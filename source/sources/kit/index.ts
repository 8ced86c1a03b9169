// The shared kit every collector uses: one status machine, one backoff, bounded timeouts, error words.
import {passwordOf} from '../../core/redact.js';
import {describeError, redactSecrets} from '../describe-error.js';
import {backoffDelay} from './backoff.js';
import {createPoller, type Poller} from './poller.js';
import type {RedisConnections} from './redis-connections.js';
import {createReadingCell, type ReadingCell} from './status.js';
import {atMost, timeoutError, withTimeout} from './timeouts.js';

export {backoffDelay} from './backoff.js';
export {createPoller, type Poller} from './poller.js';
export type {RedisConnection, RedisConnections} from './redis-connections.js';
export {createReadingCell, type ReadingCell} from './status.js';
export {atMost, timeoutError, withTimeout} from './timeouts.js';

/** The timeout of every reading: about 2 s, so the one-shot check ends within 3 s. */
export const readingTimeoutMs = 2000;

export interface Kit {
	/** Between readings (--interval). */
	intervalMs: number;
	/** Bound on connecting and on each request. */
	timeoutMs: number;
	now(): number;
	/** The status machine for a source reading at `endpoint` (the text shown, no credentials). */
	cell<Sample>(endpoint: string): ReadingCell<Sample>;
	/** One short line for any error (`connection refused at 127.0.0.1:5432`), with the given secrets scrubbed. */
	describe(error: unknown, endpoint: string, secrets?: ReadonlyArray<string | undefined>): string;
	backoff(attempt: number): number;
	poller(read: () => Promise<void>): Poller;
	atMost: typeof atMost;
	withTimeout: typeof withTimeout;
	timeoutError: typeof timeoutError;
	/** The password of a URL, for `describe`'s secrets. */
	passwordOf(url: string): string | undefined;
	/**
	 * One Redis connection per URL for the whole run, shared by every source that reads that Redis (the redis source and
	 * the queues): acquire() it in start(), release() it in stop(). It reconnects by itself with the kit's backoff.
	 * Async so ioredis loads only when a source opens (sources' open() is async; --help never loads it).
	 */
	redis(): Promise<RedisConnections>;
}

export function createKit(options: {intervalMs: number; timeoutMs?: number; now?: () => number}): Kit {
	const now = options.now ?? Date.now;
	const timeoutMs = options.timeoutMs ?? readingTimeoutMs;
	let redis: Promise<RedisConnections> | undefined;
	return {
		intervalMs: options.intervalMs,
		timeoutMs,
		now,
		cell: endpoint => createReadingCell(endpoint, now),
		describe: (error, endpoint, secrets = []) => redactSecrets(describeError(error, endpoint, timeoutMs), secrets),
		backoff: backoffDelay,
		poller: read => createPoller(options.intervalMs, read),
		atMost,
		withTimeout,
		timeoutError,
		passwordOf,
		redis: async () => {
			redis ??= import('./redis-connections.js').then(module => module.createRedisConnections(timeoutMs));
			return redis;
		},
	};
}
