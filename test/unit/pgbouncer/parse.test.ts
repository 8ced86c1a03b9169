import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {parsePgbouncer, PgbouncerShapeError, poolName, totalWaiting, type Row} from '../../../source/sources/pgbouncer/parse.js';

const recorded = JSON.parse(readFileSync(new URL('../../fixtures/pgbouncer/pgbouncer-1.18-waiting.json', import.meta.url), 'utf8')) as {pools: Row[]; stats: Row[]};

// PgBouncer 1.7 (before maxwait_us and the cancel columns), as its SHOW POOLS documentation lists the columns.
const olderPool: Row = {database: 'app', user: 'web', cl_active: 5, cl_waiting: 0, sv_active: 5, sv_idle: 0, sv_used: 0, sv_tested: 0, sv_login: 0, maxwait: 3, pool_mode: 'transaction'};

describe('parsePgbouncer: SHOW POOLS and SHOW STATS rows read by column name', () => {
	it('reads the recorded 1.18 rows: the waiting client, both servers busy and the wait to the microsecond', () => {
		const sample = parsePgbouncer(recorded.pools, recorded.stats, 1000);
		expect(sample).toEqual({
			at: 1000,
			pools: [
				{database: 'voiceassist', user: 'voiceassist', clientsActive: 2, clientsWaiting: 1, serversActive: 2, serversIdle: 0, maxWaitMs: 1503.562, mode: 'session', avgWaitMs: 0.715},
			],
		});
	});

	it("leaves out the admin console's own pseudo-pool (database and user pgbouncer: va-top's own connection)", () => {
		const sample = parsePgbouncer(recorded.pools.slice(0, 1), [], 0);
		expect(sample.pools).toEqual([]);
	});

	it('reads a version without maxwait_us, pool_mode or SHOW STATS rows: whole seconds, mode and average unknown', () => {
		const {pool_mode: _mode, ...withoutMode} = olderPool;
		const [pool] = parsePgbouncer([withoutMode], [], 0).pools;
		expect(pool).toMatchObject({database: 'app', user: 'web', maxWaitMs: 3000, mode: null, avgWaitMs: null});
	});

	it('ignores columns it does not know, in any order', () => {
		const shuffled: Row = {future_column: 'x', ...Object.fromEntries(Object.entries(recorded.pools[1]!).reverse())};
		expect(parsePgbouncer([shuffled], [], 0).pools[0]?.clientsWaiting).toBe(1);
	});

	it('takes int8 counts as pg hands them over (strings) and bigints', () => {
		const [pool] = parsePgbouncer([{...olderPool, cl_waiting: '7', sv_idle: 2n}], [], 0).pools;
		expect(pool).toMatchObject({clientsWaiting: 7, serversIdle: 2});
	});

	it('refuses rows without a column every version has, naming it', () => {
		const {cl_waiting: _waiting, ...missing} = olderPool;
		expect(() => parsePgbouncer([missing], [], 0)).toThrow(PgbouncerShapeError);
		expect(() => parsePgbouncer([missing], [], 0)).toThrow('SHOW POOLS has no cl_waiting column');
	});

	it('refuses a count that is not one, rather than reading it as zero', () => {
		expect(() => parsePgbouncer([{...olderPool, cl_waiting: 'many'}], [], 0)).toThrow('cl_waiting is "many", expected a count');
		expect(() => parsePgbouncer([{...olderPool, sv_active: -1}], [], 0)).toThrow('expected a count');
		expect(() => parsePgbouncer([{...olderPool, sv_active: null}], [], 0)).toThrow('expected a count');
	});

	it('sums the waiting clients over every pool and names a pool database/user', () => {
		const sample = parsePgbouncer([{...olderPool, cl_waiting: 2}, {...olderPool, user: 'batch', cl_waiting: 3}], [], 0);
		expect(totalWaiting(sample)).toBe(5);
		expect(sample.pools.map(poolName)).toEqual(['app/web', 'app/batch']);
	});
});
