// Reads SHOW POOLS and SHOW STATS over ONE kept connection to PgBouncer's admin console, with the kit's status
// machine and poller. A failed reading drops the connection; the next tick connects again, so a restarted PgBouncer
// is read again within an interval.
import type pg from 'pg';
import type {SourceReading} from '../../core/source-model.js';
import type {Collector} from '../collector.js';
import {redactSecrets} from '../describe-error.js';
import type {Kit} from '../kit/index.js';
import {consoleAddress, consoleClient, show} from './admin-console.js';
import {describePgbouncerError} from './describe.js';
import {parsePgbouncer, type PgbouncerSample} from './parse.js';

export interface PgbouncerCollectorOptions {
	/** postgres://USER[:PASSWORD]@HOST:PORT/pgbouncer; the password never leaves this module. */
	url: string;
	/** Shown in the reading and in reasons: `127.0.0.1:6432`. */
	endpoint: string;
}

export function createPgbouncerCollector(options: PgbouncerCollectorOptions, kit: Kit): Collector<SourceReading<PgbouncerSample>> {
	const address = consoleAddress(options.url);
	const secrets = [kit.passwordOf(options.url)];
	const cell = kit.cell<PgbouncerSample>(options.endpoint);
	let running = false;
	let client: pg.Client | null = null;
	let connected = false;

	const fail = (error: unknown) => cell.fail(redactSecrets(describePgbouncerError(error, options.endpoint, address.user, kit.timeoutMs), secrets));

	async function dropClient(): Promise<void> {
		const old = client;
		const polite = connected;
		client = null;
		connected = false;
		if (!old) return;
		// Mid-handshake there is nobody to say goodbye to; a finished login gets a bounded goodbye.
		if (polite) await kit.atMost(old.end(), kit.timeoutMs);
		// `connection` is not in the typings; destroying an already closed stream is a no-op.
		(old as unknown as {connection?: {stream?: {destroy?: () => void}}}).connection?.stream?.destroy?.();
	}

	async function connectedClient(): Promise<pg.Client> {
		if (client) return client;
		const fresh = consoleClient(address, kit.timeoutMs);
		// PgBouncer going away emits 'error' on an idle client, which would crash the process without a listener.
		fresh.on('error', error => {
			if (client !== fresh) return;
			void dropClient();
			if (running) fail(error);
		});
		client = fresh;
		// connect() never settles when end() is called mid-handshake (stop() does that): 'end' settles it then.
		const login = new Promise<void>((resolve, reject) => {
			fresh.once('end', () => reject(new Error('Connection terminated')));
			fresh.connect().then(() => resolve(), reject);
		});
		await kit.withTimeout(login, kit.timeoutMs + 100);
		connected = true;
		return fresh;
	}

	async function read(): Promise<void> {
		try {
			const admin = await connectedClient();
			const pools = await show(admin, 'POOLS', kit.timeoutMs);
			const stats = await show(admin, 'STATS', kit.timeoutMs);
			if (!running) return;
			const sample = parsePgbouncer(pools, stats, kit.now());
			cell.ok(sample, sample.at);
		} catch (error) {
			if (!running) return;
			// Whatever failed (login, a timeout, PgBouncer gone), this connection is no longer trusted.
			await dropClient();
			if (running) fail(error);
		}
	}

	const poller = kit.poller(read);
	return {
		start() {
			if (running) return;
			running = true;
			cell.connecting();
			poller.start();
		},
		async stop() {
			running = false;
			await dropClient();
			await poller.stop();
		},
		view: cell.view,
		subscribe: cell.subscribe,
	};
}
