// Servers of the fault suite's own, on free loopback ports, so they can be stopped and restarted at will while the
// shared PostgreSQL (5432) and Redis (6379/6380) stay up: a PostgreSQL cluster in a temp directory, a redis-server,
// and a "black hole" that accepts TCP connections and never answers.
import {execFile, spawn, type ChildProcess} from 'node:child_process';
import {appendFileSync, chownSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {describe, it} from 'vitest';
import {tcpOpen, waitFor} from '../../support/services.js';

const run = promisify(execFile);
const pgBin = '/usr/lib/postgresql/15/bin';

/** A port nothing listens on right now (the kernel's pick for port 0). */
export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const {port} = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

export interface OwnPostgres {
	port: number;
	/** Superuser `postgres` with this password, scram over TCP. */
	password: string;
	url: string;
	maxConnections: number;
	start(): Promise<void>;
	stop(): Promise<void>;
	/** Removes the cluster (stopping it first). */
	destroy(): Promise<void>;
}

/**
 * A tool the suite needs (tmux, PostgreSQL's binaries): missing, the tests that need it are skipped, but with CI=true a
 * failing test says so, as test/support/services.ts does for the services.
 */
export function requireTool(label: string, available: boolean, hint: string): boolean {
	if (!available && process.env.CI === 'true') {
		describe(`${label} (required in CI)`, () => {
			it(`${label} is required in CI`, () => {
				throw new Error(`${label} is missing and CI=true forbids skipping: ${hint}`);
			});
		});
	}

	return available;
}

export function postgresAvailable(): Promise<boolean> {
	return run(`${pgBin}/initdb`, ['--version']).then(
		() => true,
		() => false,
	);
}

/** initdb a throwaway cluster owned by the postgres user, listening only on 127.0.0.1:port. */
export async function ownPostgres(options: {password: string; maxConnections: number}): Promise<OwnPostgres> {
	const dir = mkdtempSync(path.join(tmpdir(), 'va-faults-pg-'));
	const data = path.join(dir, 'data');
	const {uid, gid} = await postgresIds();
	chownSync(dir, uid, gid);
	const pwfile = path.join(dir, 'pw');
	writeFileSync(pwfile, `${options.password}\n`, {mode: 0o600});
	chownSync(pwfile, uid, gid);
	await run('runuser', ['-u', 'postgres', '--', `${pgBin}/initdb`, '-D', data, '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync', '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${pwfile}`], {timeout: 60_000});
	rmSync(pwfile);
	const port = await freePort();
	// No reserved slots: at max_connections every new client gets "sorry, too many clients already".
	const settings = [
		`port = ${port}`,
		"listen_addresses = '127.0.0.1'",
		`unix_socket_directories = '${dir}'`,
		`max_connections = ${options.maxConnections}`,
		'superuser_reserved_connections = 0',
		'fsync = off',
		'synchronous_commit = off',
		"shared_buffers = '16MB'",
	];
	appendFileSync(path.join(data, 'postgresql.conf'), `\n# va-top fault suite\n${settings.join('\n')}\n`);
	const log = path.join(dir, 'server.log');
	const pgCtl = (args: string[]) => run('runuser', ['-u', 'postgres', '--', `${pgBin}/pg_ctl`, '-D', data, ...args], {timeout: 60_000});
	let running = false;
	const server: OwnPostgres = {
		port,
		password: options.password,
		url: `postgres://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${port}/postgres`,
		maxConnections: options.maxConnections,
		async start() {
			if (running) return;
			await pgCtl(['-l', log, '-w', '-t', '60', 'start']);
			running = true;
			await waitFor(() => tcpOpen('127.0.0.1', port), {timeoutMs: 20_000, message: `own postgres on ${port}`});
		},
		async stop() {
			if (!running) return;
			await pgCtl(['-m', 'fast', '-w', '-t', '60', 'stop']);
			running = false;
		},
		async destroy() {
			await server.stop().catch(() => undefined);
			rmSync(dir, {recursive: true, force: true});
		},
	};
	return server;
}

async function postgresIds(): Promise<{uid: number; gid: number}> {
	const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
	return {uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim())};
}

export interface OwnRedis {
	port: number;
	password: string;
	url: string;
	start(): Promise<void>;
	stop(): Promise<void>;
	/** Stops it and removes its directory. */
	destroy(): Promise<void>;
}

/** A redis-server child process with requirepass, no persistence; restartable on the same port. */
export async function ownRedis(options: {password: string}): Promise<OwnRedis> {
	const port = await freePort();
	const dir = mkdtempSync(path.join(tmpdir(), 'va-faults-redis-'));
	let child: ChildProcess | null = null;
	const server: OwnRedis = {
		port,
		password: options.password,
		url: `redis://:${encodeURIComponent(options.password)}@127.0.0.1:${port}`,
		async start() {
			if (child !== null && child.exitCode === null) return;
			// The password goes in a config file on stdin, never on a command line others can read.
			const started = spawn('redis-server', ['-'], {stdio: ['pipe', 'ignore', 'ignore']});
			started.stdin!.end(
				[`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, 'save ""', 'appendonly no', 'daemonize no', `requirepass ${options.password}`].join('\n') + '\n',
			);
			child = started;
			await waitFor(() => tcpOpen('127.0.0.1', port), {timeoutMs: 20_000, message: `own redis on ${port}`});
		},
		async stop() {
			const current = child;
			child = null;
			if (!current || current.exitCode !== null) return;
			const exited = new Promise(resolve => current.once('exit', resolve));
			current.kill('SIGTERM');
			await exited;
		},
		async destroy() {
			await server.stop();
			rmSync(dir, {recursive: true, force: true});
		},
	};
	return server;
}

export interface BlackHole {
	port: number;
	/** Connections accepted so far. */
	accepted(): number;
	close(): Promise<void>;
}

/** Accepts every TCP connection on a loopback port and never sends a byte. */
export async function blackHole(): Promise<BlackHole> {
	const sockets = new Set<net.Socket>();
	let accepted = 0;
	const server = net.createServer(socket => {
		accepted++;
		sockets.add(socket);
		socket.on('error', () => undefined);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	return {
		port: (server.address() as net.AddressInfo).port,
		accepted: () => accepted,
		async close() {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>(resolve => server.close(() => resolve()));
		},
	};
}
