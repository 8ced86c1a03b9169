// PgBouncer's admin console through node-postgres, the way it must be spoken to: the simple query protocol only
// (a plain client.query(text): no values, no name, no rowMode, which would switch pg to the extended protocol),
// and no startup parameters it does not know (statement_timeout and friends are refused at login; pgbouncer 718,
// node-postgres 2103). Time is bounded here, on our side.
import pg from 'pg';
import {withTimeout} from '../kit/timeouts.js';
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
	const result = await withTimeout(client.query(`SHOW ${command}`), timeoutMs, 'query');
	return result.rows as Row[];
}
