// One long-lived ioredis connection per Redis node (or sentinel) a topology reading talks to, so that every command
// goes to the node named (INFO per cluster node, not to a random one). Connections reconnect on their own with the
// bounded backoff; a node that is down fails its commands at once with the reason it went down, instead of making
// every reading wait. Nodes that leave the topology have their connection closed.
import {Redis} from 'ioredis';
import {describeError} from '../describe-error.js';
import {closeClient, destroySocket, disconnectGraceMs} from '../kit/redis-connections.js';

export interface NodePoolOptions {
	/** Used for every node of this pool (data nodes and sentinels have separate pools). */
	password?: string;
	username?: string;
	/** Bounds connecting and each command. */
	timeoutMs: number;
	/** Reconnect delay by attempt. */
	retryDelay(attempt: number): number;
	connectionName?: string;
	/** Words an error for a node (default: describeError); the kit's adds secret scrubbing. */
	describe?(error: unknown, endpoint: string): string;
}

export interface NodePool {
	/** Sends one command to the node at host:port; rejects with an Error whose message is already worded (describeError). */
	call(endpoint: string, command: string, ...args: string[]): Promise<unknown>;
	/** Subscribes a separate connection of this node to a channel; returns a function that unsubscribes and closes it. */
	subscribe(endpoint: string, channel: string, onMessage: (message: string) => void): () => void;
	/** Closes the connections of nodes not in the set. */
	retain(endpoints: ReadonlySet<string>): void;
	endpoints(): string[];
	close(): Promise<void>;
}

/** '127.0.0.1:6379' → host and port; IPv6 as '[::1]:6379'. */
export function splitEndpoint(endpoint: string): {host: string; port: number} {
	const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(endpoint);
	if (!match) throw new Error(`not host:port: ${endpoint}`);
	return {host: match[1]!, port: Number(match[2])};
}

interface Entry {
	client: Redis;
	lastError: unknown;
	/** Fires when an attempt has not become ready within the timeout: its socket is dropped so ioredis retries. */
	handshakeTimer: NodeJS.Timeout | undefined;
}

export function createNodePool(options: NodePoolOptions): NodePool {
	const entries = new Map<string, Entry>();
	const subscribers = new Set<Redis>();
	let closed = false;

	function timeoutError(): Error {
		return Object.assign(new Error('connect ETIMEDOUT'), {code: 'ETIMEDOUT'});
	}

	function newClient(endpoint: string, entry?: Entry): Redis {
		const {host, port} = splitEndpoint(endpoint);
		const client = new Redis({
			host,
			port,
			password: options.password,
			username: options.username,
			lazyConnect: true,
			connectTimeout: options.timeoutMs,
			commandTimeout: options.timeoutMs,
			maxRetriesPerRequest: 1,
			enableOfflineQueue: false,
			retryStrategy: options.retryDelay,
			connectionName: options.connectionName ?? 'va-top',
			disconnectTimeout: disconnectGraceMs,
			// A cluster node answers MOVED for keys it does not own; this pool never sends keys.
			enableReadyCheck: true,
			// INFO memory and INFO replication of one reading leave in one write.
			enableAutoPipelining: true,
		});
		client.on('error', (error: unknown) => {
			if (entry) entry.lastError = error;
		});
		if (entry) {
			client.on('connecting', () => {
				clearTimeout(entry.handshakeTimer);
				if (closed) return;
				entry.handshakeTimer = setTimeout(() => {
					if (client.status !== 'connecting' && client.status !== 'connect') return;
					entry.lastError = timeoutError();
					destroySocket(client);
				}, options.timeoutMs);
			});
			client.on('ready', () => {
				clearTimeout(entry.handshakeTimer);
				entry.lastError = null;
			});
			client.on('close', () => clearTimeout(entry.handshakeTimer));
		}

		return client;
	}

	function entryFor(endpoint: string): Entry {
		let entry = entries.get(endpoint);
		if (entry === undefined) {
			entry = {client: undefined as unknown as Redis, lastError: null, handshakeTimer: undefined};
			entry.client = newClient(endpoint, entry);
			entries.set(endpoint, entry);
			entry.client.connect().catch(() => undefined);
		}

		return entry;
	}

	/** Resolves when the connection is ready; rejects at once while it is between retries, with why it went down. */
	async function ready(entry: Entry): Promise<void> {
		const {client} = entry;
		if (client.status === 'ready') return;
		if (client.status === 'reconnecting' && entry.lastError) throw entry.lastError;
		await new Promise<void>((resolve, reject) => {
			const timer = setTimeout(() => {
				cleanup();
				reject(entry.lastError ?? timeoutError());
			}, options.timeoutMs);
			const onReady = () => {
				cleanup();
				resolve();
			};

			const onEnd = () => {
				cleanup();
				reject(entry.lastError ?? new Error('Connection is closed.'));
			};

			// A failed attempt ends in 'reconnecting': fail this call with its reason, the next one tries again.
			const onReconnecting = () => {
				if (!entry.lastError) return;
				cleanup();
				reject(entry.lastError);
			};

			function cleanup() {
				clearTimeout(timer);
				client.off('ready', onReady);
				client.off('end', onEnd);
				client.off('reconnecting', onReconnecting);
			}

			client.on('ready', onReady);
			client.on('end', onEnd);
			client.on('reconnecting', onReconnecting);
		});
	}

	return {
		async call(endpoint, command, ...args) {
			if (closed) throw new Error('stopped');
			const entry = entryFor(endpoint);
			try {
				await ready(entry);
				return await entry.client.call(command, ...args);
			} catch (error) {
				throw new Error(options.describe ? options.describe(error, endpoint) : describeError(error, endpoint, options.timeoutMs));
			}
		},
		subscribe(endpoint, channel, onMessage) {
			const client = newClient(endpoint);
			subscribers.add(client);
			client.on('message', (_channel: string, message: string) => {
				onMessage(message);
			});
			// Re-subscribes by itself after a reconnect (ioredis autoResubscribe).
			client.connect().then(
				async () => client.subscribe(channel),
				() => undefined,
			).catch(() => undefined);
			return () => {
				subscribers.delete(client);
				void closeClient(client, options.timeoutMs);
			};
		},
		retain(endpoints) {
			for (const [endpoint, entry] of entries) {
				if (endpoints.has(endpoint)) continue;
				entries.delete(endpoint);
				clearTimeout(entry.handshakeTimer);
				void closeClient(entry.client, options.timeoutMs);
			}
		},
		endpoints: () => [...entries.keys()],
		async close() {
			closed = true;
			const all = [...entries.values()];
			entries.clear();
			for (const entry of all) clearTimeout(entry.handshakeTimer);
			const subs = [...subscribers];
			subscribers.clear();
			await Promise.all([...all.map(async entry => closeClient(entry.client, options.timeoutMs)), ...subs.map(async client => closeClient(client, options.timeoutMs))]);
		},
	};
}
