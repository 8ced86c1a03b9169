// Queue depths read on the Redis connection va-top already holds for the redis source (one socket per Redis URL,
// see kit/redis-connections.ts): one pipelined round trip per interval, never a connection of its own.
import type {SourceStatus} from '../../core/types.js';
import {passwordOf} from '../../core/redact.js';
import type {Collector} from '../collector.js';
import {describeError, redactSecrets} from '../describe-error.js';
import type {RedisConnections} from '../kit/redis-connections.js';
import {createListeners} from '../listeners.js';
import type {QueuesSample} from './parse.js';
import {createQueueReader} from './read.js';
import type {QueueSpec} from './spec.js';

export interface QueuesView {
	endpoint: string;
	status: SourceStatus;
	sample: QueuesSample | null;
}

export interface QueuesCollectorOptions {
	/** The redis source's URL: the queues live in the same Redis, read on the same connection. */
	url: string;
	endpoint: string;
	queues: readonly QueueSpec[];
	connections: RedisConnections;
	intervalMs: number;
	timeoutMs?: number;
	now?: () => number;
}

/** Replies that only echo a drop already explained (ioredis fails pending commands when its socket goes). */
const vagueReason = /^(?:not connected|connection closed by server) at /;

/** A command refused for one key, in words: the key's own error, not the connection's. */
export function describeKeyError(error: Error, endpoint: string, timeoutMs: number): string {
	const message = error.message.split('\n', 1)[0]!;
	const noPermission = /^NOPERM\b.*?'([a-z|]+)' command/i.exec(message);
	if (noPermission) return `the Redis user may not run ${noPermission[1]!.toUpperCase()} (its ACL)`;
	if (/^NOPERM\b/.test(message)) return 'the Redis user may not read this key (its ACL)';
	if (/^WRONGTYPE\b/.test(message)) return 'the key changed type while being read';
	return describeError(error, endpoint, timeoutMs);
}

export function createQueuesCollector(options: QueuesCollectorOptions): Collector<QueuesView> {
	const timeoutMs = options.timeoutMs ?? 2000;
	const now = options.now ?? Date.now;
	const secrets = [passwordOf(options.url)];
	const listeners = createListeners();
	const reader = createQueueReader(options.queues, error => describeKeyError(error, options.endpoint, timeoutMs));

	let current: QueuesView = {endpoint: options.endpoint, status: {kind: 'connecting', since: now()}, sample: null};
	let running = false;
	let timer: NodeJS.Timeout | undefined;
	let reading: Promise<void> | null = null;
	let connection: ReturnType<RedisConnections['acquire']> | null = null;

	function setStatus(status: SourceStatus, sample = current.sample): void {
		current = {endpoint: options.endpoint, status, sample};
		listeners.notify();
	}

	function fail(error: unknown): void {
		if (!running) return;
		const reason = redactSecrets(describeError(error, options.endpoint, timeoutMs), secrets);
		const failing = current.status.kind === 'unreachable' || current.status.kind === 'reconnecting';
		if (failing && vagueReason.test(reason)) return;
		const kind = current.sample ? 'reconnecting' : 'unreachable';
		if (current.status.kind === kind && current.status.reason === reason) return;
		const since = current.status.kind === kind ? current.status.since : now();
		setStatus({kind, reason, since});
	}

	function tick(): void {
		const held = connection;
		if (!running || reading || !held) return;
		if (!held.ready()) {
			// Not ready: the connection's own failure says why (it reconnects by itself).
			if (held.lastError() !== null) fail(held.lastError());
			return;
		}

		reading = reader
			.read(held.client, now)
			.then(sample => {
				if (running) setStatus({kind: 'ok', at: sample.at}, sample);
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
			if (current.status.kind !== 'connecting') setStatus({kind: 'connecting', since: now()});
			connection = options.connections.acquire(options.url);
			connection.subscribe((event, error) => {
				if (event === 'ready') tick();
				else if (event === 'error') fail(error);
				// A clean close (server shutdown) emits no 'error': say so, the reconnect errors follow.
				else if (current.status.kind === 'ok') fail(new Error('Connection is closed.'));
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
			await reading;
			await held?.release();
		},
		view: () => current,
		subscribe: listeners.subscribe,
	};
}
