// A real PostgreSQL primary with real streaming replicas, owned by the test: initdb in a temp directory, replicas
// made with `pg_basebackup -R -X stream` from it, each on its own loopback port of the test's range. Tests stop,
// pause and promote these freely; the shared server on 5432 is never touched.
import {execFile} from 'node:child_process';
import {chownSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import pg from 'pg';
import {freePortsIn, type PortRange} from './port-range.js';
import {tcpOpen, waitFor} from './services.js';

const run = promisify(execFile);
export const pgBin = '/usr/lib/postgresql/15/bin';

/** A login with pg_monitor only, as the README asks of the role va-top uses. */
export const monitorUser = 'va_monitor';

export interface PgServer {
	/** cluster_name, also the application_name a replica streams under. */
	name: string;
	port: number;
	endpoint: string;
	/** Superuser `postgres` over TCP (scram). */
	adminUrl: string;
	/** The pg_monitor role. */
	monitorUrl: string;
	running(): boolean;
	start(): Promise<void>;
	/** fast: a clean shutdown; immediate: as if the machine lost power. */
	stop(mode?: 'fast' | 'immediate'): Promise<void>;
	/** One statement as the superuser on a short-lived connection. */
	query<Row extends pg.QueryResultRow = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<Row[]>;
}

export interface PgReplicaSet {
	primary: PgServer;
	replicas: PgServer[];
	password: string;
	/** Waits until the primary's pg_stat_replication shows every running replica streaming. */
	waitStreaming(timeoutMs?: number): Promise<void>;
	destroy(): Promise<void>;
}

export async function pgBinariesAvailable(): Promise<boolean> {
	return run(`${pgBin}/pg_basebackup`, ['--version']).then(
		() => true,
		() => false,
	);
}

async function postgresIds(): Promise<{uid: number; gid: number}> {
	const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
	return {uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim())};
}

const asPostgres = async (command: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
	run('runuser', ['-u', 'postgres', '--', command, ...args], {timeout: 60_000, env: {...process.env, ...env}});

function server(options: {name: string; port: number; dir: string; data: string; password: string}): PgServer {
	const {port, data, password} = options;
	const log = path.join(options.dir, `${options.name}.log`);
	let up = false;
	const url = (user: string) => `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
	const self: PgServer = {
		name: options.name,
		port,
		endpoint: `127.0.0.1:${port}`,
		adminUrl: url('postgres'),
		monitorUrl: url(monitorUser),
		running: () => up,
		async start() {
			if (up) return;
			await asPostgres(`${pgBin}/pg_ctl`, ['-D', data, '-l', log, '-w', '-t', '60', 'start']);
			up = true;
			await waitFor(async () => tcpOpen('127.0.0.1', port), {timeoutMs: 20_000, message: `postgres ${options.name} on ${port}`});
		},
		async stop(mode = 'fast') {
			if (!up) return;
			await asPostgres(`${pgBin}/pg_ctl`, ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
			up = false;
		},
		async query(sql, values) {
			const client = new pg.Client({connectionString: self.adminUrl, connectionTimeoutMillis: 5000});
			client.on('error', () => undefined);
			await client.connect();
			try {
				return (await client.query(sql, values)).rows;
			} finally {
				await client.end().catch(() => undefined);
			}
		},
	};
	return self;
}

/** Settings every node shares; replicas inherit the primary's file through pg_basebackup. */
const commonSettings = [
	"listen_addresses = '127.0.0.1'",
	'max_connections = 20',
	'superuser_reserved_connections = 0',
	'fsync = off',
	'synchronous_commit = off',
	'full_page_writes = off',
	"shared_buffers = '16MB'",
	'wal_level = replica',
	'max_wal_senders = 10',
	// Small WAL segments keep the lag tests' writes (a few MB) cheap on disk.
	"wal_keep_size = '64MB'",
	'hot_standby = on',
	// A replica's walreceiver retries quickly after its primary is back.
	"wal_retrieve_retry_interval = '1s'",
];

/** A primary and `replicas` streaming replicas, all running and streaming when this resolves. */
export async function pgReplicaSet(options: {range: PortRange; replicas: number; password: string}): Promise<PgReplicaSet> {
	const ports = await freePortsIn(options.range, options.replicas + 1);
	const dir = mkdtempSync(path.join(tmpdir(), 'va-top-pg-replicas-'));
	const {uid, gid} = await postgresIds();
	chownSync(dir, uid, gid);
	const created: PgServer[] = [];
	const set: PgReplicaSet = {
		primary: undefined as unknown as PgServer,
		replicas: [],
		password: options.password,
		async waitStreaming(timeoutMs = 30_000) {
			const expected = set.replicas.filter(replica => replica.running()).map(replica => replica.name).sort();
			await waitFor(
				async () => {
					const rows = await set.primary.query<{application_name: string}>("SELECT application_name FROM pg_stat_replication WHERE state = 'streaming'");
					const streaming = new Set(rows.map(row => row.application_name));
					return expected.every(name => streaming.has(name));
				},
				{timeoutMs, intervalMs: 200, message: `replicas ${expected.join(', ')} streaming`},
			);
		},
		async destroy() {
			for (const node of created.reverse()) await node.stop('immediate').catch(() => undefined);
			rmSync(dir, {recursive: true, force: true});
		},
	};
	try {
		const primaryData = path.join(dir, 'primary');
		const pwfile = path.join(dir, 'pw');
		writeFileSync(pwfile, `${options.password}\n`, {mode: 0o600});
		chownSync(pwfile, uid, gid);
		await asPostgres(`${pgBin}/initdb`, ['-D', primaryData, '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync', '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${pwfile}`]);
		rmSync(pwfile);
		const primaryName = `primary-${ports[0]}`;
		writeFileSync(path.join(primaryData, 'postgresql.conf'), `\n# va-top test replica set\n${[...commonSettings, `port = ${ports[0]}`, `cluster_name = '${primaryName}'`, `unix_socket_directories = '${dir}'`].join('\n')}\n`, {flag: 'a'});
		// Replication connections need their own pg_hba line: `all` does not cover them.
		writeFileSync(path.join(primaryData, 'pg_hba.conf'), 'local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\nhost replication all 127.0.0.1/32 scram-sha-256\n');
		const primary = server({name: primaryName, port: ports[0]!, dir, data: primaryData, password: options.password});
		created.push(primary);
		set.primary = primary;
		await primary.start();
		await primary.query(`CREATE ROLE ${monitorUser} LOGIN PASSWORD '${options.password.replace(/'/g, "''")}' IN ROLE pg_monitor`);
		await primary.query('CREATE TABLE filler (id bigserial primary key, body text)');

		for (const port of ports.slice(1)) {
			const name = `replica-${port}`;
			const data = path.join(dir, name);
			// The password travels by environment; -R writes it into the replica's primary_conninfo (mode 0600).
			await asPostgres(`${pgBin}/pg_basebackup`, ['-h', '127.0.0.1', '-p', String(ports[0]), '-U', 'postgres', '-D', data, '-R', '-X', 'stream', '--no-sync'], {PGPASSWORD: options.password});
			writeFileSync(path.join(data, 'postgresql.conf'), `\n# this replica\nport = ${port}\ncluster_name = '${name}'\nunix_socket_directories = '${dir}'\n`, {flag: 'a'});
			const replica = server({name, port, dir, data, password: options.password});
			created.push(replica);
			set.replicas.push(replica);
			await replica.start();
		}

		await set.waitStreaming();
		return set;
	} catch (error) {
		await set.destroy();
		throw error;
	}
}
