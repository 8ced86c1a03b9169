// Reads SHOW POOLS and SHOW STATS over ONE kept connection to PgBouncer's admin console. A failed reading drops the
// connection; the next tick connects again, so a restarted PgBouncer is read again within an interval.
import type pg from 'pg';
import type {SourceStatus} from '../../core/types.js';
import {passwordOf} from '../../core/redact.js';
import type {Collector} from '../collector.js';
import {redactSecrets} from '../describe-error.js';
import {createListeners} from '../listeners.js';
import {closeConsole, consoleAddress, consoleClient, show, within} from './admin-console.js';
import {describePgbouncerError} from './describe.js';
import {parsePgbouncer, type PgbouncerSample} from './parse.js';

export interface PgbouncerView {
	endpoint: string;
	status: SourceStatus;
	/** The last good reading, kept while PgBouncer cannot be read (shown as stale), null before the first. */
	sample: PgbouncerSample | null;
}

export interface PgbouncerCollectorOptions {
	/** postgres://USER[:PASSWORD]@HOST:PORT/pgbouncer; the password never leaves this module. */
	url: string;
	/** Shown in the view and in reasons: `127.0.0.1:6432`. */
	endpoint: string;
	intervalMs: number;
	/** Bounds connecting and each SHOW. Default 2000. */
	timeoutMs?: number;
	now?: () => number;
}

export function createPgbouncerCollector(options: PgbouncerCollectorOptions): Collector<PgbouncerView> {
	const timeoutMs = options.timeoutMs ?? 2000;
	const now = options.now ?? Date.now;
	const address = consoleAddress(options.url);
	const secrets = [passwordOf(options.url)];
	const listeners = createListeners();

	let current: PgbouncerView = {endpoint: options.endpoint, status: {kind: 'connecting', since: now()}, sample: null};
	let running = false;
	let timer: NodeJS.Timeout | undefined;
	let client: pg.Client | null = null;
	let connected = false;
	let reading: Promise<void> | null = null;

	function setStatus(status: SourceStatus, sample = current.sample): void {
		current = {endpoint: options.endpoint, status, sample};
		listeners.notify();
	}

	function fail(error: unknown): void {
		const reason = redactSecrets(describePgbouncerError(error, options.endpoint, address.user, timeoutMs), secrets);
		// With a last good sample on screen it is 'reconnecting'; it was never read: 'unreachable'.
		const kind = current.sample ? 'reconnecting' : 'unreachable';
		if (current.status.kind === kind && current.status.reason === reason) return;
		const since = current.status.kind === kind ? current.status.since : now();
		setStatus({kind, reason, since});
	}

	async function dropClient(): Promise<void> {
		const old = client;
		const polite = connected;
		client = null;
		connected = false;
		// Mid-handshake there is nobody to say goodbye to: just destroy the socket.
		if (old) await closeConsole(old, polite ? timeoutMs : 0);
	}

	async function connectedClient(): Promise<pg.Client> {
		if (client) return client;
		const fresh = consoleClient(address, timeoutMs);
		// PgBouncer going away emits 'error' on an idle client, which would crash the process without a listener.
		fresh.on('error', (error) => {
			if (client !== fresh) return;
			void dropClient();
			if (running) fail(error);
		});
		client = fresh;
		// connect() never settles when end() is called mid-handshake (stop() does that): 'end' settles it then.
		await within(
			new Promise<void>((resolve, reject) => {
				fresh.once('end', () => reject(new Error('Connection terminated')));
				fresh.connect().then(() => resolve(), reject);
			}),
			timeoutMs + 100,
		);
		connected = true;
		return fresh;
	}

	async function readOnce(): Promise<void> {
		try {
			const admin = await connectedClient();
			const pools = await show(admin, 'POOLS', timeoutMs);
			const stats = await show(admin, 'STATS', timeoutMs);
			if (!running) return;
			const sample = parsePgbouncer(pools, stats, now());
			setStatus({kind: 'ok', at: sample.at}, sample);
		} catch (error) {
			if (!running) return;
			// Whatever failed (login, a timeout, PgBouncer gone), this connection is no longer trusted.
			await dropClient();
			if (running) fail(error);
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
			if (current.status.kind !== 'connecting') setStatus({kind: 'connecting', since: now()});
			tick();
			timer = setInterval(tick, options.intervalMs);
		},
		async stop() {
			running = false;
			clearInterval(timer);
			timer = undefined;
			await dropClient();
			await reading;
		},
		view: () => current,
		subscribe: listeners.subscribe,
	};
}
