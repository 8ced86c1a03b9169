// Pure: PostgreSQL's part of the one-shot report (JSON fields documented in the README; add, never rename).
import {formatPercent} from '../../core/format.js';
import {readingError, type SourceReportPart} from '../../core/source-model.js';
import type {PostgresSample} from './parse.js';

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

export const postgresReport: SourceReportPart<PostgresSample> = {
	json: (reading, pg) => ({
		endpoint: reading.endpoint,
		reachable: pg !== null,
		connections: pg?.connections ?? null,
		active: pg?.active ?? null,
		maxConnections: pg?.maxConnections ?? null,
		ratio: pg === null ? null : round(pg.ratio, 4),
		error: readingError(reading.status),
	}),
	lines: pg => [`  Connections: ${pg.connections}/${pg.maxConnections} (${formatPercent(pg.ratio * 100)}), active: ${pg.active}`],
};
