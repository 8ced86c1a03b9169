/**
 * PgBouncer for the tests: the shared one scripts/services-up.sh keeps on 127.0.0.1:6432 (read-only use, and clients
 * held waiting on its pool of 2), and test-owned ones (Debian's binary, a config in a temp dir, a port of the pool
 * source's range 16400-16599) that a test may stop, kill or restart at will.
 *
 * Both sit in front of the shared test PostgreSQL (5432), database voiceassist, users from a userlist with the same
 * fixture passwords as the PostgreSQL roles: voiceassist (in stats_users: what va-top needs) and va_admin (admin_users).
 */
import {execFileSync, spawn, type ChildProcess} from 'node:child_process';
import {chownSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {describe, it} from 'vitest';
import {IN_CI, PG_HOST, PG_PORT, tcpOpen, waitFor} from './services.js';

export const PGBOUNCER_PORT = Number(process.env.VA_TEST_PGBOUNCER_PORT || 6432);
/** The shared one's pool_size for database voiceassist (scripts/services-up.sh). */
export const PGBOUNCER_POOL_SIZE = 2;
export const pgbouncerUrl = (port: number, user = 'voiceassist', password = user) => `postgres://${user}:${password}@127.0.0.1:${port}/pgbouncer`;
/** The app's way in: database voiceassist through the pooler. */
export const pooledUrl = (port: number) => `postgres://voiceassist:voiceassist@127.0.0.1:${port}/voiceassist`;

/** The shared PgBouncer on 6432; like the other services, missing it fails the run in CI (never a silent skip). */
export async function requirePgbouncer(): Promise<boolean> {
	const open = await tcpOpen('127.0.0.1', PGBOUNCER_PORT);
	if (!open && IN_CI) {
		describe('pgbouncer (required in CI)', () => {
			it('pgbouncer is required in CI', () => {
				throw new Error(`pgbouncer is not reachable at 127.0.0.1:${PGBOUNCER_PORT}, and CI=true forbids skipping: scripts/setup.sh (scripts/services-up.sh) must have started it`);
			});
		});
	}

	return open;
}

export function pgbouncerInstalled(): boolean {
	try {
		execFileSync('pgbouncer', ['--version'], {stdio: 'ignore'});
		return true;
	} catch {
		return false;
	}
}

/** Clients of the pooled database that hold its server connections (session mode: from their first query on). */
export interface Holders {
	/** Clients that got a server connection. */
	holding: pg.Client[];
	/** Clients whose first query waits for one (cl_waiting). */
	waiting: pg.Client[];
	release(): Promise<void>;
}

/** Takes every server connection of the pool (poolSize clients with a query done), then sends `waiting` more queries. */
export async function holdPool(port: number, poolSize: number, waiting: number): Promise<Holders> {
	const open = async () => {
		const client = new pg.Client({connectionString: pooledUrl(port), connectionTimeoutMillis: 5000});
		client.on('error', () => undefined); // the pooler may be stopped under it
		await client.connect();
		return client;
	};

	const holding = await Promise.all(Array.from({length: poolSize}, open));
	await Promise.all(holding.map(async client => client.query('SELECT 1')));
	const waiters = await Promise.all(Array.from({length: waiting}, open));
	// Never awaited here: these queries finish only when a holder lets go.
	for (const client of waiters) client.query('SELECT 1').catch(() => undefined);
	return {
		holding,
		waiting: waiters,
		async release() {
			await Promise.all([...holding, ...waiters].map(async client => client.end().catch(() => undefined)));
		},
	};
}

export interface OwnPgbouncer {
	port: number;
	/** The admin console as the stats user. */
	url: string;
	start(): Promise<void>;
	/** SIGINT: PgBouncer's immediate shutdown; resolves when the process is gone. */
	stop(signal?: NodeJS.Signals): Promise<void>;
	destroy(): Promise<void>;
}

function postgresIds(): {uid: number; gid: number} | undefined {
	if (process.getuid?.() !== 0) return undefined;
	// PgBouncer refuses to run as root.
	const uid = Number(execFileSync('id', ['-u', 'postgres'], {encoding: 'utf8'}).trim());
	const gid = Number(execFileSync('id', ['-g', 'postgres'], {encoding: 'utf8'}).trim());
	return {uid, gid};
}

/** A PgBouncer of the test's own on `port`, started now; its config and log in a temp dir removed by destroy(). */
export async function ownPgbouncer(port: number, options: {poolSize?: number} = {}): Promise<OwnPgbouncer> {
	const dir = mkdtempSync(path.join(tmpdir(), 'va-pgbouncer-'));
	const ids = postgresIds();
	const ini = path.join(dir, 'pgbouncer.ini');
	const poolSize = options.poolSize ?? 2;
	writeFileSync(
		ini,
		[
			'[databases]',
			`voiceassist = host=${PG_HOST} port=${PG_PORT} dbname=voiceassist pool_size=${poolSize}`,
			'[pgbouncer]',
			'listen_addr = 127.0.0.1',
			`listen_port = ${port}`,
			'unix_socket_dir =',
			'auth_type = scram-sha-256',
			`auth_file = ${path.join(dir, 'userlist.txt')}`,
			'admin_users = va_admin',
			'stats_users = voiceassist',
			'pool_mode = session',
			`default_pool_size = ${poolSize}`,
			`logfile = ${path.join(dir, 'pgbouncer.log')}`,
			'',
		].join('\n'),
	);
	writeFileSync(path.join(dir, 'userlist.txt'), '"voiceassist" "voiceassist"\n"va_admin" "va_admin"\n"outsider" "outsider"\n', {mode: 0o600});
	if (ids) {
		chownSync(dir, ids.uid, ids.gid);
		for (const file of ['pgbouncer.ini', 'userlist.txt']) chownSync(path.join(dir, file), ids.uid, ids.gid);
	}

	let child: ChildProcess | undefined;
	const self: OwnPgbouncer = {
		port,
		url: pgbouncerUrl(port),
		async start() {
			if (child) return;
			const started = spawn('pgbouncer', [ini], {stdio: 'ignore', ...(ids ?? {})});
			child = started;
			started.once('exit', () => {
				if (child === started) child = undefined;
			});
			await waitFor(async () => tcpOpen('127.0.0.1', port, 200), {timeoutMs: 10_000, message: `own pgbouncer listening on ${port}`});
		},
		async stop(signal = 'SIGINT') {
			const running = child;
			if (!running || running.exitCode !== null) return;
			const gone = new Promise(resolve => running.once('exit', resolve));
			running.kill(signal);
			await gone;
			child = undefined;
		},
		async destroy() {
			await self.stop();
			rmSync(dir, {recursive: true, force: true});
		},
	};
	await self.start();
	return self;
}
