// SHOW POOLS and SHOW STATS rows of PgBouncer's admin console → the pool sample. Pure.
// Columns are read by name: versions add and remove them (1.8 added maxwait_us, 1.18 the cancel columns).

/** One pool: a (database, user) pair, as SHOW POOLS lists it. */
export interface PgbouncerPool {
	database: string;
	user: string;
	/** cl_active: clients linked to a server connection or idle with nothing to do. */
	clientsActive: number;
	/** cl_waiting: clients that sent a query and wait for a server connection. */
	clientsWaiting: number;
	serversActive: number;
	serversIdle: number;
	/** How long the oldest waiting client has waited (maxwait + maxwait_us), ms; 0 when none waits. */
	maxWaitMs: number;
	/** session, transaction or statement; null when the version does not say. */
	mode: string | null;
	/** SHOW STATS avg_wait_time of the pool's database (per second, over the last stats period), ms; null when not given. */
	avgWaitMs: number | null;
}

export interface PgbouncerSample {
	/** The pools of real databases; the admin console's own pseudo-pool is left out. */
	pools: PgbouncerPool[];
	at: number;
}

export type Row = Readonly<Record<string, unknown>>;

/** SHOW POOLS or SHOW STATS did not have the shape every PgBouncer since 1.8 has. */
export class PgbouncerShapeError extends Error {
	override readonly name = 'PgbouncerShapeError';
}

/** The admin console lists itself as database pgbouncer, user pgbouncer: that is va-top's own connection. */
function isConsole(row: Row): boolean {
	return row.database === 'pgbouncer' && row.user === 'pgbouncer';
}

/** A count as pg hands it over: a number, or a string for int8 columns. */
function count(row: Row, column: string, what: string): number {
	const value = row[column];
	if (value === undefined) throw new PgbouncerShapeError(`${what} has no ${column} column`);
	const number = typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
	if (!Number.isFinite(number) || number < 0) throw new PgbouncerShapeError(`${what}: ${column} is ${JSON.stringify(String(value)).slice(0, 30)}, expected a count`);
	return number;
}

function optionalCount(row: Row, column: string, what: string): number | null {
	return row[column] === undefined || row[column] === null ? null : count(row, column, what);
}

function text(row: Row, column: string, what: string): string {
	const value = row[column];
	if (typeof value !== 'string') throw new PgbouncerShapeError(`${what} has no ${column} column`);
	return value;
}

/** avg_wait_time per database, µs → ms (SHOW STATS, 1.8 and later). */
function averageWaits(statsRows: readonly Row[]): Map<string, number> {
	const waits = new Map<string, number>();
	for (const row of statsRows) {
		if (typeof row.database !== 'string') continue;
		const micros = optionalCount(row, 'avg_wait_time', 'SHOW STATS');
		if (micros !== null) waits.set(row.database, micros / 1000);
	}

	return waits;
}

export function parsePgbouncer(poolRows: readonly Row[], statsRows: readonly Row[], at: number): PgbouncerSample {
	const waits = averageWaits(statsRows);
	const pools: PgbouncerPool[] = [];
	for (const row of poolRows) {
		if (isConsole(row)) continue;
		const database = text(row, 'database', 'SHOW POOLS');
		// maxwait is whole seconds; maxwait_us the microseconds on top (absent before 1.8).
		const maxWaitSeconds = count(row, 'maxwait', 'SHOW POOLS');
		const maxWaitMicros = optionalCount(row, 'maxwait_us', 'SHOW POOLS') ?? 0;
		pools.push({
			database,
			user: text(row, 'user', 'SHOW POOLS'),
			clientsActive: count(row, 'cl_active', 'SHOW POOLS'),
			clientsWaiting: count(row, 'cl_waiting', 'SHOW POOLS'),
			serversActive: count(row, 'sv_active', 'SHOW POOLS'),
			serversIdle: count(row, 'sv_idle', 'SHOW POOLS'),
			maxWaitMs: maxWaitSeconds * 1000 + maxWaitMicros / 1000,
			mode: typeof row.pool_mode === 'string' ? row.pool_mode : null,
			avgWaitMs: waits.get(database) ?? null,
		});
	}

	return {pools, at};
}

/** Clients waiting over all pools: the figure the chart and the header show. */
export function totalWaiting(sample: PgbouncerSample): number {
	return sample.pools.reduce((sum, pool) => sum + pool.clientsWaiting, 0);
}

/** The pool's name as the screen and the concerns say it: `voiceassist/app` (database/user). */
export function poolName(pool: Pick<PgbouncerPool, 'database' | 'user'>): string {
	return `${pool.database}/${pool.user}`;
}
