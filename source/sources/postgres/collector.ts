// Reads PostgreSQL connection usage through ONE long-lived client of its own (never a pool):
// once connected it keeps reading even when the server is at max_connections and refuses new clients.
import pg from 'pg';
import type {SourceReading} from '../../core/source-model.js';
import type {Collector} from '../collector.js';
import {describeError, redactSecrets} from '../describe-error.js';
import {createReadingCell} from '../kit/status.js';
import {passwordOf} from '../../core/redact.js';
import {postgresSample, type PostgresSample, type ReadingRow} from './parse.js';

export type PostgresView = SourceReading<PostgresSample>;

export interface PostgresCollectorOptions {
	/** postgres://user:password@host:port/db; the password never leaves this module. */
	connectionString: string;
	/** Shown in the view and in reasons, e.g. '127.0.0.1:5432'. */
	endpoint: string;
	intervalMs: number;
	/** --capacity: also the database's size (pg_database_size walks its files, so only when asked). */
	databaseSize?: boolean;
	/** Bounds connecting and each query (client and server side). Default 2000. */
	timeoutMs?: number;
	now?: () => number;
}

export interface PostgresCollector extends Collector<PostgresView> {
	/**
	 * Client backends of other roles whose state this role may not read (it is neither superuser nor in
	 * pg_read_all_stats). They count in `connections`, but `active` cannot include them. null before a reading.
	 */
	hiddenSessions(): number | null;
}

// Other roles' sessions appear to an unprivileged role with backend_type and state NULL, but datid and
// usesysid still set: count those as client backends so `connections` stays right, and report them as hidden.
// Background processes (checkpointer, autovacuum launcher, ...) have no usesysid or no datid.
const readingSql = `
SELECT
	count(*) FILTER (WHERE backend_type = 'client backend')::int AS visible,
	count(*) FILTER (WHERE backend_type = 'client backend' AND state = 'active')::int AS active,
	count(*) FILTER (WHERE backend_type IS NULL AND datid IS NOT NULL AND usesysid IS NOT NULL)::int AS hidden,
	current_setting('max_connections')::int AS max_connections
FROM pg_stat_activity`;

/** Ends a client and makes sure its socket is gone, even when the server never answers the goodbye. */
const sizeSql = 'SELECT current_database() AS name, pg_database_size(current_database())::text AS size';

async function closeClient(client: pg.Client, timeoutMs: number): Promise<void> {
	let timer: NodeJS.Timeout | undefined;
	try {
		// Mid-handshake there is nobody to say goodbye to: end() would wait for a server that may never answer
		// (stop() then hung until the connect timeout, and --once ran over its 3 s).
		if (timeoutMs <= 0) return;
		await Promise.race([
			client.end().catch(() => undefined),
			new Promise<void>((resolve) => {
				timer = setTimeout(resolve, timeoutMs);
			}),
		]);
	} finally {
		clearTimeout(timer);
		// `connection` is not in the typings; destroying an already closed stream is a no-op.
		(client as unknown as {connection?: {stream?: {destroy?: () => void}}}).connection?.stream?.destroy?.();
	}
}

export function createPostgresCollector(options: PostgresCollectorOptions): PostgresCollector {
	const timeoutMs = options.timeoutMs ?? 2000;
	const now = options.now ?? Date.now;
	const secrets = [passwordOf(options.connectionString)];
	const cell = createReadingCell<PostgresSample>(options.endpoint, now);
	let hidden: number | null = null;
	let running = false;
	let timer: NodeJS.Timeout | undefined;
	// At most one client exists: `client` (connecting or connected) or `closing` (being ended), never both.
	let client: pg.Client | null = null;
	let closing: Promise<void> | null = null;
	let reading: Promise<void> | null = null;
	/** Clients whose handshake finished: only those are ended politely. */
	const connected = new WeakSet<pg.Client>();

	function fail(error: unknown): void {
		// With a last good sample kept on screen the source is 'reconnecting', else it was never reachable (the kit's rule).
		cell.fail(redactSecrets(describeError(error, options.endpoint, timeoutMs), secrets));
	}

	function dropClient(): Promise<void> {
		const old = client;
		client = null;
		if (!old) return closing ?? Promise.resolve();
		const done = closeClient(old, connected.has(old) ? timeoutMs : 0).finally(() => {
			if (closing === done) closing = null;
		});
		closing = done;
		return done;
	}

	async function connectedClient(): Promise<pg.Client> {
		if (client) return client;
		if (closing) await closing;
		if (!running) throw new Error('stopped');
		const fresh = new pg.Client({
			connectionString: options.connectionString,
			connectionTimeoutMillis: timeoutMs,
			query_timeout: timeoutMs,
			statement_timeout: timeoutMs,
			application_name: 'va-top',
			keepAlive: true,
		});
		// An idle client loses its server (restart, pg_terminate_backend): pg emits 'error', which would
		// otherwise crash the process. Drop it now so the next tick reconnects.
		fresh.on('error', (error) => {
			if (client !== fresh) return;
			void dropClient();
			if (running) fail(error);
		});
		client = fresh;
		// pg never settles connect() when end() is called mid-handshake (stop() does that): its 'end' event
		// settles it instead.
		await new Promise<void>((resolve, reject) => {
			fresh.once('end', () => {
				reject(new Error('Connection terminated'));
			});
			fresh.connect().then(() => {
				resolve();
			}, reject);
		});
		connected.add(fresh);
		return fresh;
	}

	async function readOnce(): Promise<void> {
		try {
			const db = await connectedClient();
			const result = await db.query<ReadingRow>(readingSql);
			const size = options.databaseSize ? await readSize(db) : undefined;
			if (!running) return;
			const row = result.rows[0];
			const sample = {...postgresSample(row, now()), ...size};
			hidden = row!.hidden;
			cell.ok(sample, sample.at);
		} catch (error) {
			if (!running) return;
			// Whatever failed (connect, query timeout, server gone), this client is no longer trusted.
			await dropClient();
			if (running) fail(error);
		}
	}

	/** The size, or null when the server will not say (no CONNECT privilege on it, say); anything else fails the reading. */
	async function readSize(db: pg.Client): Promise<{database: string; sizeBytes: number | null}> {
		try {
			const {rows} = await db.query<{name: string; size: string}>(sizeSql);
			const bytes = Number(rows[0]?.size);
			return {database: rows[0]?.name ?? '', sizeBytes: Number.isFinite(bytes) ? bytes : null};
		} catch (error) {
			if (!(error instanceof pg.DatabaseError)) throw error;
			return {database: '', sizeBytes: null};
		}
	}

	function tick(): void {
		// Readings never overlap: a slow one makes the next tick skip.
		if (!running || reading) return;
		reading = readOnce().finally(() => {
			reading = null;
		});
	}

	return {
		start() {
			if (running) return;
			running = true;
			cell.connecting();
			tick();
			timer = setInterval(tick, options.intervalMs);
		},
		async stop() {
			running = false;
			clearInterval(timer);
			timer = undefined;
			await dropClient();
			await reading;
			await closing;
		},
		view: cell.view,
		subscribe: cell.subscribe,
		hiddenSessions: () => hidden,
	};
}
