// Pure: PgBouncer's part of the one-shot report. JSON `pgbouncer` {reachable, error, pools[]} (README; add, never rename).
import {readingError, type SourceReportPart} from '../../core/source-model.js';
import {formatWait} from './charts.js';
import {poolName, type PgbouncerSample} from './parse.js';

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

export const pgbouncerReport: SourceReportPart<PgbouncerSample> = {
	json: (reading, sample) => ({
		endpoint: reading.endpoint,
		reachable: sample !== null,
		error: readingError(reading.status),
		// Not read: null, never an empty list that would read as "no pool waits".
		pools:
			sample?.pools.map(pool => ({
				database: pool.database,
				user: pool.user,
				clientsActive: pool.clientsActive,
				clientsWaiting: pool.clientsWaiting,
				serversActive: pool.serversActive,
				serversIdle: pool.serversIdle,
				maxWaitMs: round(pool.maxWaitMs, 1),
				mode: pool.mode,
				avgWaitMs: pool.avgWaitMs === null ? null : round(pool.avgWaitMs, 3),
			})) ?? null,
	}),
	lines: sample =>
		sample.pools.length === 0
			? ['  Pools: none yet (no client has connected through PgBouncer)']
			: sample.pools.map(
					pool =>
						`  Pool ${poolName(pool)}${pool.mode === null ? '' : ` (${pool.mode})`}: clients ${pool.clientsActive} active, ${pool.clientsWaiting} waiting${pool.clientsWaiting > 0 ? ` (oldest ${formatWait(pool.maxWaitMs)})` : ''}; servers ${pool.serversActive} active, ${pool.serversIdle} idle`,
				),
};
