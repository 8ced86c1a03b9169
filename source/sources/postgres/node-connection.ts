// One long-lived pg client per PostgreSQL node (never a pool): once connected it keeps reading even when the node is at
// max_connections. A failed reading drops the client; the next attempt waits out the kit's backoff, so a node that is
// down costs nothing between attempts and its last reason is kept.
import pg from 'pg';

export interface NodeConnection {
	/** The connected client, connecting first if needed. Rejects with the connect error, or the last one while backing off. */
	client(): Promise<pg.Client>;
	/** Drops the client after a failure and arms the backoff. */
	failed(error: unknown): Promise<void>;
	/** A reading went well: the backoff starts over. */
	succeeded(): void;
	close(): Promise<void>;
}

export interface NodeConnectionOptions {
	url: string;
	timeoutMs: number;
	backoff(attempt: number): number;
	now(): number;
}

/** Ends a client and makes sure its socket is gone, even when the server never answers the goodbye. */
async function closeClient(client: pg.Client, timeoutMs: number): Promise<void> {
	let timer: NodeJS.Timeout | undefined;
	try {
		if (timeoutMs <= 0) return;
		await Promise.race([client.end().catch(() => undefined), new Promise<void>(resolve => (timer = setTimeout(resolve, timeoutMs)))]);
	} finally {
		clearTimeout(timer);
		(client as unknown as {connection?: {stream?: {destroy?: () => void}}}).connection?.stream?.destroy?.();
	}
}

export function createNodeConnection(options: NodeConnectionOptions): NodeConnection {
	let current: pg.Client | null = null;
	let connected = false;
	let connecting: Promise<pg.Client> | null = null;
	let attempts = 0;
	let retryAt = 0;
	let lastError: unknown = null;
	let closed = false;

	async function drop(): Promise<void> {
		const old = current;
		const wasConnected = connected;
		current = null;
		connected = false;
		connecting = null;
		if (old) await closeClient(old, wasConnected ? options.timeoutMs : 0);
	}

	async function connect(): Promise<pg.Client> {
		const fresh = new pg.Client({
			connectionString: options.url,
			connectionTimeoutMillis: options.timeoutMs,
			query_timeout: options.timeoutMs,
			statement_timeout: options.timeoutMs,
			application_name: 'va-top',
			keepAlive: true,
		});
		// An idle client loses its server (restart, failover): pg emits 'error', which would otherwise crash the process.
		fresh.on('error', error => {
			if (current !== fresh) return;
			lastError = error;
			void drop();
		});
		current = fresh;
		await new Promise<void>((resolve, reject) => {
			// pg never settles connect() when end() is called mid-handshake: its 'end' event settles it instead.
			fresh.once('end', () => reject(new Error('Connection terminated')));
			fresh.connect().then(() => resolve(), reject);
		});
		if (closed || current !== fresh) {
			await closeClient(fresh, options.timeoutMs);
			throw new Error('stopped');
		}

		connected = true;
		return fresh;
	}

	return {
		async client() {
			if (closed) throw new Error('stopped');
			if (current && connected) return current;
			if (connecting) return connecting;
			if (lastError !== null && options.now() < retryAt) throw lastError;
			connecting = connect().finally(() => {
				connecting = null;
			});
			return connecting;
		},
		async failed(error) {
			// The error client() threw while backing off is the last one again: not a new attempt, the backoff stands.
			if (error === lastError && options.now() < retryAt) return;
			lastError = error;
			attempts++;
			retryAt = options.now() + options.backoff(attempts);
			await drop();
		},
		succeeded() {
			attempts = 0;
			lastError = null;
		},
		async close() {
			closed = true;
			await drop();
		},
	};
}
