// Proves the test environment is what scripts/services-up.sh promises, against the real services.
import {execFile} from 'node:child_process';
import {promisify} from 'node:util';
import {Redis} from 'ioredis';
import pg from 'pg';
import {afterEach, describe, expect, it} from 'vitest';
import {
	PG_ADMIN_URL,
	PG_DATABASE,
	PG_HOST,
	PG_MAX_CONNECTIONS,
	PG_PORT,
	PG_URL,
	PG_USER,
	REDIS_AUTH_PORT,
	REDIS_AUTH_URL,
	REDIS_HOST,
	REDIS_PASSWORD,
	REDIS_URL,
	TEST_IMAGE,
	dockerRequest,
	requireDocker,
	requirePostgres,
	requireRedis,
	requireRedisAuth,
	waitFor,
} from '../support/services.js';

const run = promisify(execFile);

const docker = await requireDocker();
const postgres = await requirePostgres();
const redis = await requireRedis();
const redisAuth = await requireRedisAuth();

describe.skipIf(!docker)('docker engine', () => {
	it('answers /_ping with OK', async () => {
		const {status, body} = await dockerRequest('/_ping');
		expect(status).toBe(200);
		expect(body).toBe('OK');
	});

	it(`has ${TEST_IMAGE} with PATH=/bin and a shell`, async () => {
		const {status, body} = await dockerRequest(`/images/${encodeURIComponent(TEST_IMAGE)}/json`);
		expect(status).toBe(200);
		const image = JSON.parse(body) as {Config: {Env: string[]; Cmd: string[]}};
		expect(image.Config.Env).toContain('PATH=/bin');
		expect(image.Config.Cmd).toEqual(['/bin/sh']);
	});

	it('runs the image without a network: applets work and busybox is the real binary', async () => {
		const {stdout} = await run(
			'docker',
			['run', '--rm', '--network', 'none', TEST_IMAGE, 'sh', '-c', 'readlink /bin/sh; [ -L /bin/busybox ] || echo binary; httpd --help 2>&1 | head -n 1'],
			{timeout: 20_000},
		);
		const lines = stdout.trim().split('\n');
		expect(lines[0]).toBe('busybox');
		expect(lines[1]).toBe('binary');
		expect(lines[2]).toMatch(/^BusyBox v/);
	});
});

describe.skipIf(!postgres)('postgres', () => {
	const clients: pg.Client[] = [];
	const connect = async (connectionString: string) => {
		const client = new pg.Client({connectionString, connectionTimeoutMillis: 5000});
		clients.push(client);
		await client.connect();
		return client;
	};
	afterEach(async () => {
		await Promise.all(clients.splice(0).map(async client => client.end().catch(() => undefined)));
	});

	it(`voiceassist logs in over TCP and max_connections is ${PG_MAX_CONNECTIONS}`, async () => {
		const client = await connect(PG_URL);
		const {rows} = await client.query<{user: string; db: string; max: string; stats: boolean}>(
			`SELECT current_user AS user, current_database() AS db, current_setting('max_connections') AS max,
			        pg_has_role(current_user, 'pg_read_all_stats', 'member') AS stats`,
		);
		expect(rows[0]).toEqual({user: PG_USER, db: PG_DATABASE, max: String(PG_MAX_CONNECTIONS), stats: true});
	});

	it('voiceassist owns its database and va_admin is a superuser; listening on loopback only', async () => {
		const admin = await connect(PG_ADMIN_URL);
		const owner = await admin.query<{owner: string}>(
			`SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1`,
			[PG_DATABASE],
		);
		expect(owner.rows[0]?.owner).toBe(PG_USER);
		const su = await admin.query<{rolsuper: boolean}>(`SELECT rolsuper FROM pg_roles WHERE rolname = current_user`);
		expect(su.rows[0]?.rolsuper).toBe(true);
		const listen = await admin.query<{listen_addresses: string}>('SHOW listen_addresses');
		expect(listen.rows[0]?.listen_addresses).toBe('127.0.0.1');
	});

	it('rejects a wrong password (scram, not trust)', async () => {
		const client = new pg.Client({
			host: PG_HOST,
			port: PG_PORT,
			user: PG_USER,
			password: 'not-the-password',
			database: PG_DATABASE,
			connectionTimeoutMillis: 5000,
		});
		clients.push(client);
		await expect(client.connect()).rejects.toMatchObject({code: '28P01'});
	});
});

describe.skipIf(!redis)('redis without password', () => {
	it('answers PING and keeps nothing on disk', async () => {
		const client = new Redis(REDIS_URL, {lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null});
		try {
			await client.connect();
			expect(await client.ping()).toBe('PONG');
			expect(await client.config('GET', 'save')).toEqual(['save', '']);
			expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
		} finally {
			client.disconnect();
		}
	});
});

describe.skipIf(!redisAuth)('redis with password', () => {
	const options = {
		lazyConnect: true,
		maxRetriesPerRequest: 0,
		retryStrategy: () => null,
		enableReadyCheck: false,
		enableOfflineQueue: false,
	} as const;

	it('refuses commands without the password', async () => {
		const client = new Redis({host: REDIS_HOST, port: REDIS_AUTH_PORT, ...options});
		client.on('error', () => undefined);
		try {
			await client.connect();
			await expect(client.ping()).rejects.toThrow(/NOAUTH/);
		} finally {
			client.disconnect();
		}
	});

	it('answers with the password', async () => {
		const client = new Redis(REDIS_AUTH_URL, options);
		try {
			await client.connect();
			expect(await waitFor(async () => client.ping(), {timeoutMs: 5000})).toBe('PONG');
		} finally {
			client.disconnect();
		}
	});

	it('a wrong password is refused and the error does not echo any password', async () => {
		const client = new Redis({host: REDIS_HOST, port: REDIS_AUTH_PORT, password: 'wrong-secret', ...options});
		const errors: Error[] = [];
		client.on('error', (error: Error) => errors.push(error));
		try {
			let failure: unknown;
			try {
				await client.connect();
				await client.ping();
			} catch (error) {
				failure = error;
			}
			const all = [failure, ...errors].filter(Boolean).map(error => String((error as Error).message));
			expect(all.join('\n')).toMatch(/WRONGPASS|NOAUTH|invalid password/i);
			expect(all.join('\n')).not.toContain('wrong-secret');
			expect(all.join('\n')).not.toContain(REDIS_PASSWORD);
		} finally {
			client.disconnect();
		}
	});
});
