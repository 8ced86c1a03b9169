// Pure: the pg_stat_activity reading's row → the PostgreSQL sample.

export interface PostgresSample {
	/** Client backends in pg_stat_activity. */
	connections: number;
	/** Client backends whose state is 'active' (the runbook's count). */
	active: number;
	maxConnections: number;
	/** connections / maxConnections, 0..1. */
	ratio: number;
	at: number;
}

/** The reading's one row (see collector.ts readingSql). */
export interface ReadingRow {
	visible: number;
	active: number;
	hidden: number;
	max_connections: number;
}

/** The sample from the row; throws when the row cannot give a ratio, so a broken reading never shows as 0 %. */
export function postgresSample(row: ReadingRow | undefined, at: number): PostgresSample {
	if (!row || !(row.max_connections > 0)) throw new Error('pg_stat_activity reading returned no max_connections');
	const connections = row.visible + row.hidden;
	return {connections, active: row.active, maxConnections: row.max_connections, ratio: connections / row.max_connections, at};
}
