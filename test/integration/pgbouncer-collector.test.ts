// The PgBouncer source against Debian's real pgbouncer: the shared one on 6432 (pool of 2 in front of the test
// PostgreSQL) for readings and clients held waiting, and test-owned ones (ports 16400-16599) to stop, refuse and hang.
import net from 'node:net';
import pg from 'pg';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {Collector} from '../../source/sources/collector.js';
import type {SourceReading} from '../../source/core/source-model.js';
import {createKit} from '../../source/sources/kit/index.js';
import {createPgbouncerCollector} from '../../source/sources/pgbouncer/collector.js';
import type {PgbouncerSample} from '../../source/sources/pgbouncer/parse.js';
import {holdPool, ownPgbouncer, PGBOUNCER_POOL_SIZE, PGBOUNCER_PORT, pgbouncerUrl, requirePgbouncer, type Holders, type OwnPgbouncer} from '../support/pgbouncer.js';
import {waitFor} from '../support/services.js';

const available = await requirePgbouncer();
const ownPort = 16_400;
const silentPort = 16_401;

type PgbouncerView = SourceReading<PgbouncerSample>;

describe.skipIf(!available)('PgBouncer source against a real PgBouncer', () => {
	const collectors: Array<Collector<PgbouncerView>> = [];
	let holders: Holders | undefined;

	function collector(url: string, port: number, timeoutMs = 1000): Collector<PgbouncerView> {
		const created = createPgbouncerCollector({url, endpoint: `127.0.0.1:${port}`}, createKit({intervalMs: 200, timeoutMs}));
		collectors.push(created);
		created.start();
		return created;
	}

	const pool = (view: PgbouncerView) => view.sample?.pools.find(item => item.database === 'voiceassist' && item.user === 'voiceassist');

	afterEach(async () => {
		await holders?.release();
		holders = undefined;
		await Promise.all(collectors.splice(0).map(async item => item.stop()));
	});

	it('reads the pool of the app database by name, and leaves its own console pool out', async () => {
		// A client through the pooler makes the pool exist.
		const app = new pg.Client({connectionString: `postgres://voiceassist:voiceassist@127.0.0.1:${PGBOUNCER_PORT}/voiceassist`});
		await app.connect();
		await app.query('SELECT 1');
		try {
			const source = collector(pgbouncerUrl(PGBOUNCER_PORT), PGBOUNCER_PORT);
			const view = await waitFor(() => (source.view().status.kind === 'ok' && pool(source.view()) ? source.view() : undefined), {message: 'a reading with the voiceassist pool'});
			expect(pool(view)).toMatchObject({mode: 'session', clientsWaiting: 0});
			expect(pool(view)!.clientsActive).toBeGreaterThanOrEqual(1);
			expect(view.sample!.pools.some(item => item.database === 'pgbouncer')).toBe(false);
		} finally {
			await app.end();
		}
	});

	it('sees clients held waiting for a server connection, as SHOW POOLS says them, and their wait growing', async () => {
		const source = collector(pgbouncerUrl(PGBOUNCER_PORT), PGBOUNCER_PORT);
		await waitFor(() => source.view().status.kind === 'ok', {message: 'first reading'});
		holders = await holdPool(PGBOUNCER_PORT, PGBOUNCER_POOL_SIZE, 3);
		const waiting = await waitFor(() => {
			const found = pool(source.view());
			return found && found.clientsWaiting === 3 && found.maxWaitMs > 500 ? found : undefined;
		}, {message: 'three clients waiting for over 0.5 s', timeoutMs: 8000});
		expect(waiting.serversActive).toBe(PGBOUNCER_POOL_SIZE);
		expect(waiting.serversIdle).toBe(0);

		// Ground truth: the console read directly says the same.
		const direct = new pg.Client({connectionString: pgbouncerUrl(PGBOUNCER_PORT)});
		await direct.connect();
		const rows = (await direct.query('SHOW POOLS')).rows as Array<Record<string, number | string>>;
		await direct.end();
		expect(rows.find(row => row.database === 'voiceassist' && row.user === 'voiceassist')?.cl_waiting).toBe(3);

		await holders.release();
		holders = undefined;
		await waitFor(() => pool(source.view())?.clientsWaiting === 0, {message: 'nobody waiting once the holders let go'});
	});

	describe('with a PgBouncer of the test its own', () => {
		let own: OwnPgbouncer;

		beforeAll(async () => {
			own = await ownPgbouncer(ownPort);
		});

		afterAll(async () => {
			await own?.destroy();
		});

		it('says PgBouncer is gone, with the reason, when it stops, and reads again when it is back', async () => {
			await own.start();
			const source = collector(own.url, ownPort);
			await waitFor(() => source.view().status.kind === 'ok', {message: 'first reading'});
			await own.stop();
			const down = await waitFor(() => {
				const status = source.view().status;
				return status.kind === 'reconnecting' && /connection refused at 127\.0\.0\.1:16400/.test(status.reason) ? status : undefined;
			}, {message: 'reconnecting: connection refused'});
			expect(down.reason).not.toMatch(/ECONNREFUSED|Error|voiceassist:voiceassist/);
			expect(source.view().sample).not.toBeNull();
			await own.start();
			await waitFor(() => source.view().status.kind === 'ok', {message: 'read again after the restart', timeoutMs: 8000});
		});

		it('never read: unreachable with the reason, not a zero', async () => {
			await own.stop();
			const source = collector(own.url, ownPort);
			const status = await waitFor(() => (source.view().status.kind === 'unreachable' ? source.view().status : undefined), {message: 'unreachable'});
			expect(status).toMatchObject({reason: 'connection refused at 127.0.0.1:16400'});
			expect(source.view().sample).toBeNull();
			await own.start();
		});

		it('a user PgBouncer knows but that is not in stats_users: says to add it there', async () => {
			const source = collector(pgbouncerUrl(ownPort, 'outsider'), ownPort);
			const status = await waitFor(() => (source.view().status.kind === 'unreachable' ? source.view().status : undefined), {message: 'refused'});
			expect(status).toMatchObject({reason: expect.stringContaining('add it to stats_users')});
		});

		it('a wrong password: says so, and never prints it', async () => {
			const source = collector(pgbouncerUrl(ownPort, 'voiceassist', 'not-the-Pw-123'), ownPort);
			const status = await waitFor(() => (source.view().status.kind === 'unreachable' ? source.view().status : undefined), {message: 'refused'});
			expect(status).toMatchObject({reason: expect.stringMatching(/password authentication failed/)});
			expect(JSON.stringify(source.view())).not.toContain('not-the-Pw-123');
		});
	});

	it('a server that accepts and never answers: timed out, within the bound', async () => {
		const silent = net.createServer(() => undefined);
		await new Promise<void>(resolve => silent.listen(silentPort, '127.0.0.1', resolve));
		try {
			const source = collector(pgbouncerUrl(silentPort), silentPort, 500);
			const status = await waitFor(() => (source.view().status.kind === 'unreachable' ? source.view().status : undefined), {message: 'timed out', timeoutMs: 5000});
			expect(status).toMatchObject({reason: 'timed out after 500ms at 127.0.0.1:16401'});
		} finally {
			await Promise.all(collectors.splice(0).map(async item => item.stop()));
			silent.close();
		}
	});
});
