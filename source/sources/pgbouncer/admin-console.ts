// PgBouncer's admin console through node-postgres, the way it must be spoken to: the simple query protocol only
// (a plain client.query(text): no values, no name, no rowMode, which would switch pg to the extended protocol),
// and no startup parameters it does not know (statement_timeout and friends are refused at login; pgbouncer 718,
// node-postgres 2103). Time is bounded here, on our side.
import pg from 'pg';
import type {Row} from './parse.js';

/** The parts of a postgres:// URL the console needs; nothing else of the URL (its query string) reaches the login. */
export interface ConsoleAddress {
	host: string;
	port: number;
	user: string;
	password: string | undefined;
	database: string;
}

export function consoleAddress(url: string): ConsoleAddress {
	const parsed = new URL(url);
	return {
		host: parsed.hostname.replace(/^\[|\]$/g, ''),
		port: parsed.port === '' ? 6432 : Number(parsed.port),
		user: decodeURIComponent(parsed.username),
		password: parsed.password === '' ? undefined : decodeURIComponent(parsed.password),
		database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'pgbouncer',
	};
}

export function timeoutError(): Error {
	return Object.assign(new Error('timeout expired'), {code: 'ETIMEDOUT'});
}

/** Settles with the promise, or rejects with a timeout after ms; the timer never outlives it. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	try {
		return await Promise.race([
			promise,
			new Promise<never>((_, reject) => {
				timer = setTimeout(() => reject(timeoutError()), ms);
			}),
		]);
	} finally {
		clearTimeout(timer);
	}
}

/** A new, unconnected console client: user, database and password only at login. */
export function consoleClient(address: ConsoleAddress, timeoutMs: number): pg.Client {
	return new pg.Client({
		host: address.host,
		port: address.port,
		user: address.user,
		password: address.password ?? '',
		database: address.database,
		connectionTimeoutMillis: timeoutMs,
		keepAlive: true,
	});
}

/** One SHOW command over the simple protocol, bounded; its rows as objects keyed by column name. */
export async function show(client: pg.Client, command: 'POOLS' | 'STATS', timeoutMs: number): Promise<Row[]> {
	const result = await within(client.query(`SHOW ${command}`), timeoutMs);
	return result.rows as Row[];
}

/** Ends a client and makes sure its socket is gone, even when the other end never answers the goodbye. */
export async function closeConsole(client: pg.Client, politeMs: number): Promise<void> {
	try {
		if (politeMs > 0) await within(client.end(), politeMs).catch(() => undefined);
	} finally {
		// `connection` is not in the typings; destroying an already closed stream is a no-op.
		(client as unknown as {connection?: {stream?: {destroy?: () => void}}}).connection?.stream?.destroy?.();
	}
}
