// Pure: the pg_stat_activity reading's row → the PostgreSQL sample.
import type {PgTopology} from './topology.js';

export interface PostgresSample {
	/** Client backends in pg_stat_activity. */
	connections: number;
	/** Client backends whose state is 'active' (the runbook's count). */
	active: number;
	maxConnections: number;
	/** connections / maxConnections, 0..1. */
	ratio: number;
	at: number;
	/**
	 * With several nodes (--pg given again, --pg-replicas): every node, its role and replication. The fields above then
	 * describe the primary (or, while no node answers as one, the first node that answers). Absent for one node.
	 */
	topology?: PgTopology;
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
