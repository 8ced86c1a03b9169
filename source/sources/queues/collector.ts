// Queue depths read on the Redis connection va-top already holds for the redis source (one socket per Redis URL,
// kit.redis(): the redis source's INFO and these depths travel on it together): one pipelined round trip per
// interval, never a connection of its own. Status through the kit's cell, readings through its poller.
import type {SourceReading} from '../../core/source-model.js';
import type {Collector} from '../collector.js';
import {describeError} from '../describe-error.js';
import type {Kit} from '../kit/index.js';
import type {RedisConnection, RedisConnections} from '../kit/redis-connections.js';
import {withRates, type QueuesSample} from './parse.js';
import {createQueueReader} from './read.js';
import type {QueueSpec} from './spec.js';

export interface QueuesCollectorOptions {
	/** The redis source's URL: the queues live in the same Redis, read on the same connection. */
	url: string;
	endpoint: string;
	queues: readonly QueueSpec[];
	connections: RedisConnections;
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

export function createQueuesCollector(options: QueuesCollectorOptions, kit: Kit): Collector<SourceReading<QueuesSample>> {
	const secrets = [kit.passwordOf(options.url)];
	const cell = kit.cell<QueuesSample>(options.endpoint);
	const reader = createQueueReader(options.queues, error => describeKeyError(error, options.endpoint, kit.timeoutMs));
	let running = false;
	let connection: RedisConnection | null = null;

	function fail(error: unknown): void {
		if (!running) return;
		const reason = kit.describe(error, options.endpoint, secrets);
		const status = cell.view().status;
		if ((status.kind === 'unreachable' || status.kind === 'reconnecting') && vagueReason.test(reason)) return;
		cell.fail(reason);
	}

	async function read(): Promise<void> {
		const held = connection;
		if (!running || !held) return;
		if (!held.ready()) {
			// Not ready: the connection's own failure says why (it reconnects by itself).
			if (held.lastError() !== null) fail(held.lastError());
			return;
		}

		try {
			const sample = await reader.read(held.client, kit.now);
			if (running) cell.ok(withRates(cell.view().sample, sample), sample.at);
		} catch (error) {
			fail(error);
		}
	}

	const poller = kit.poller(read);
	return {
		start() {
			if (running) return;
			running = true;
			cell.connecting();
			connection = options.connections.acquire(options.url);
			connection.subscribe((event, error) => {
				if (event === 'ready') poller.tick();
				else if (event === 'error') fail(error);
				// A clean close (server shutdown) emits no 'error': say so, the reconnect errors follow.
				else if (cell.view().status.kind === 'ok') fail(new Error('Connection is closed.'));
			});
			poller.start();
		},
		async stop() {
			running = false;
			const held = connection;
			connection = null;
			await poller.stop();
			await held?.release();
		},
		view: cell.view,
		subscribe: cell.subscribe,
	};
}
