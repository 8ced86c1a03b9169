// One ioredis connection per Redis URL for the whole run, shared by every source that reads that Redis (the redis
// source's INFO memory and the queues' depths travel on the same socket). The first acquire() opens it, the last
// release() closes it. It reconnects on its own with the kit's backoff; sources never reconnect it themselves, they
// read while it is ready and word its failures for their own status.
import {Redis} from 'ioredis';
import {backoffDelay} from './backoff.js';
import {atMost, timeoutError} from './timeouts.js';

/** ioredis arms this timer on every disconnect and only clears it when a live socket closes; short so stop() can outwait it. */
export const disconnectGraceMs = 200;

export interface RedisConnection {
	readonly client: Redis;
	/** True when commands can be sent now. */
	ready(): boolean;
	/** The connection's last failure (an error as thrown), null once ready again. */
	lastError(): unknown;
	/**
	 * Called on every change: ready, a failure (with the error), closed by the server. Returns unsubscribe.
	 * A source that subscribes after the connection became ready sees ready() true at once.
	 */
	subscribe(listener: (event: 'ready' | 'error' | 'close', error?: unknown) => void): () => void;
	/** This user is done with it; the socket closes when the last user releases. */
	release(): Promise<void>;
}

export interface RedisConnections {
	acquire(url: string): RedisConnection;
}

interface Shared {
	client: Redis;
	users: number;
	error: unknown;
	listeners: Set<(event: 'ready' | 'error' | 'close', error?: unknown) => void>;
	/** Fires when a connection attempt has not become ready within the timeout. */
	handshakeTimer?: NodeJS.Timeout;
	closing?: Promise<void>;
}

/** `stream` is not in the typings; destroying a closed socket is a no-op. */
export function destroySocket(client: Redis): void {
	(client as unknown as {stream?: {destroy?: () => void}}).stream?.destroy?.();
}

/** quit, bounded; then disconnect, and the socket destroyed for sure. Every Redis client of va-top closes this way. */
export async function closeClient(client: Redis, timeoutMs: number): Promise<void> {
	if (client.status === 'end') return;
	const ended = new Promise<void>(resolve => {
		client.once('end', resolve);
	});
	if (client.status === 'ready') await atMost(client.quit(), timeoutMs);
	// Between retries there is no socket and ioredis emits no 'end': its disconnect timer on the dead socket then
	// simply runs out. Otherwise wait for 'end', bounded.
	const status: string = client.status;
	const hasSocket = status !== 'reconnecting' && status !== 'end' && status !== 'wait';
	client.disconnect();
	if (hasSocket) await atMost(ended, timeoutMs);
	else await new Promise(resolve => setTimeout(resolve, disconnectGraceMs + 20));
	// A peer that never closes its side keeps a half-closed socket: destroy it for sure.
	destroySocket(client);
}

export function createRedisConnections(timeoutMs: number): RedisConnections {
	const open = new Map<string, Shared>();

	function create(url: string): Shared {
		const client = new Redis(url, {
			lazyConnect: true,
			connectTimeout: timeoutMs,
			commandTimeout: timeoutMs,
			maxRetriesPerRequest: 1,
			enableOfflineQueue: false,
			retryStrategy: attempt => backoffDelay(attempt),
			connectionName: 'va-top',
			disconnectTimeout: disconnectGraceMs,
		});
		const shared: Shared = {client, users: 0, error: null, listeners: new Set()};
		const emit = (event: 'ready' | 'error' | 'close', error?: unknown) => {
			for (const listener of shared.listeners) listener(event, error);
		};

		// ioredis throws an unhandled 'error' without a listener; every error goes to the sources instead.
		client.on('error', (error: unknown) => {
			shared.error = error;
			emit('error', error);
		});
		// A server that accepts but never answers leaves ioredis in 'connect' for good (its command timeout fails the
		// handshake commands but does not drop the socket): after timeoutMs, say so and destroy the socket, which
		// makes ioredis reconnect through the retry strategy.
		client.on('connecting', () => {
			clearTimeout(shared.handshakeTimer);
			shared.handshakeTimer = setTimeout(() => {
				if (client.status !== 'connecting' && client.status !== 'connect') return;
				shared.error = timeoutError();
				emit('error', shared.error);
				destroySocket(client);
			}, timeoutMs);
		});
		client.on('ready', () => {
			clearTimeout(shared.handshakeTimer);
			shared.error = null;
			emit('ready');
		});
		client.on('close', () => {
			clearTimeout(shared.handshakeTimer);
			emit('close');
		});
		client.on('end', () => {
			clearTimeout(shared.handshakeTimer);
		});
		// Failures arrive as 'error' events too; the rejection only needs catching.
		client.connect().catch(() => undefined);
		return shared;
	}

	return {
		acquire(url) {
			let shared = open.get(url);
			if (shared === undefined) {
				shared = create(url);
				open.set(url, shared);
			}

			const mine = shared;
			mine.users++;
			const subscriptions = new Set<() => void>();
			let released = false;
			return {
				client: mine.client,
				ready: () => mine.client.status === 'ready',
				lastError: () => mine.error,
				subscribe(listener) {
					mine.listeners.add(listener);
					const unsubscribe = () => {
						mine.listeners.delete(listener);
						subscriptions.delete(unsubscribe);
					};
					subscriptions.add(unsubscribe);
					return unsubscribe;
				},
				async release() {
					if (released) return;
					released = true;
					for (const unsubscribe of [...subscriptions]) unsubscribe();
					mine.users--;
					if (mine.users > 0) return;
					if (open.get(url) === mine) open.delete(url);
					// Nothing may outlive the last user: not a handshake timer either.
					clearTimeout(mine.handshakeTimer);
					mine.listeners.clear();
					mine.closing ??= closeClient(mine.client, timeoutMs);
					await mine.closing;
				},
			};
		},
	};
}
