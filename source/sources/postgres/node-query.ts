// One round trip per node and reading: connection usage (as the single-node reading has it), the node's role from
// pg_is_in_recovery(), and its replication position. On a primary the rows of pg_stat_replication come along as JSON;
// on a replica the WAL receiver's status and the LSNs it has received and replayed.
import type {PgNodeRaw, PgReplicationRow} from './topology.js';

/**
 * Every LSN is text ('0/3000148'): pg returns pg_lsn as text anyway, and the byte arithmetic is done exactly with
 * BigInt in topology.ts (the same as pg_wal_lsn_diff). Functions that fail during recovery (pg_current_wal_lsn) are
 * only called behind pg_is_in_recovery(). Needs pg_monitor (or superuser) to see other roles' sessions and the
 * replication columns; without it they read as NULL, which the rules treat as "not assessed".
 */
export const nodeReadingSql = `
WITH recovery AS (SELECT pg_is_in_recovery() AS replaying),
activity AS (
	SELECT
		count(*) FILTER (WHERE backend_type = 'client backend')::int AS visible,
		count(*) FILTER (WHERE backend_type = 'client backend' AND state = 'active')::int AS active,
		count(*) FILTER (WHERE backend_type IS NULL AND datid IS NOT NULL AND usesysid IS NOT NULL)::int AS hidden
	FROM pg_stat_activity
)
SELECT
	(SELECT replaying FROM recovery) AS in_recovery,
	activity.visible, activity.active, activity.hidden,
	current_setting('max_connections')::int AS max_connections,
	current_setting('cluster_name') AS cluster_name,
	(SELECT system_identifier::text FROM pg_control_system()) AS system_id,
	CASE WHEN (SELECT replaying FROM recovery) THEN NULL ELSE pg_current_wal_lsn()::text END AS current_lsn,
	CASE WHEN (SELECT replaying FROM recovery) THEN pg_last_wal_receive_lsn()::text END AS receive_lsn,
	CASE WHEN (SELECT replaying FROM recovery) THEN pg_last_wal_replay_lsn()::text END AS replay_lsn,
	CASE WHEN (SELECT replaying FROM recovery) THEN pg_is_wal_replay_paused() END AS replay_paused,
	CASE WHEN (SELECT replaying FROM recovery) THEN extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END AS replay_age_seconds,
	(SELECT status FROM pg_stat_wal_receiver LIMIT 1) AS receiver_status,
	(SELECT sender_host || ':' || sender_port FROM pg_stat_wal_receiver LIMIT 1) AS receiver_upstream,
	(SELECT conninfo FROM pg_stat_wal_receiver LIMIT 1) AS receiver_conninfo,
	(SELECT coalesce(json_agg(json_build_object(
		'application_name', application_name,
		'client_addr', client_addr::text,
		'state', state,
		'sync_state', sync_state,
		'replay_lsn', replay_lsn::text,
		'write_lag', extract(epoch FROM write_lag)::float8,
		'flush_lag', extract(epoch FROM flush_lag)::float8,
		'replay_lag', extract(epoch FROM replay_lag)::float8,
		'lag_bytes', CASE WHEN (SELECT replaying FROM recovery) THEN pg_wal_lsn_diff(pg_last_wal_replay_lsn(), replay_lsn)
			ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) END::float8
	) ORDER BY application_name), '[]'::json) FROM pg_stat_replication) AS replication
FROM activity`;

interface NodeRow {
	in_recovery: boolean;
	visible: number;
	active: number;
	hidden: number;
	max_connections: number;
	cluster_name: string | null;
	system_id: string | null;
	current_lsn: string | null;
	receive_lsn: string | null;
	replay_lsn: string | null;
	replay_paused: boolean | null;
	replay_age_seconds: number | null;
	receiver_status: string | null;
	receiver_upstream: string | null;
	receiver_conninfo: string | null;
	replication: unknown;
}

/** The part of pg.Client this needs, so a test or the collector can hand in any client. */
export interface Queryable {
	query<Row extends Record<string, unknown>>(sql: string): Promise<{rows: Row[]}>;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const number = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

function replicationRows(value: unknown): PgReplicationRow[] {
	if (!Array.isArray(value)) return [];
	return value.map((raw: Record<string, unknown>) => ({
		applicationName: text(raw.application_name) ?? '',
		clientAddr: text(raw.client_addr),
		state: text(raw.state),
		syncState: text(raw.sync_state),
		replayLsn: text(raw.replay_lsn),
		lagBytes: number(raw.lag_bytes),
		writeLagSeconds: number(raw.write_lag),
		flushLagSeconds: number(raw.flush_lag),
		replayLagSeconds: number(raw.replay_lag),
	}));
}

/** The application_name a replica streams under: primary_conninfo's, else cluster_name, else 'walreceiver'. */
export function streamingName(conninfo: string | null, clusterName: string | null): string {
	const match = conninfo === null ? null : /(?:^|\s)application_name=('(?:[^'\\]|\\.)*'|\S+)/.exec(conninfo);
	if (match) return match[1]!.replace(/^'|'$/g, '').replace(/\\(.)/g, '$1');
	return clusterName !== null && clusterName !== '' ? clusterName : 'walreceiver';
}

/** Runs the reading on a connected client. Throws when the answer cannot be a reading (never a silent zero). */
export async function queryNode(client: Queryable): Promise<PgNodeRaw> {
	const {rows} = await client.query<NodeRow & Record<string, unknown>>(nodeReadingSql);
	const row = rows[0];
	if (!row || !(row.max_connections > 0)) throw new Error('node reading returned no max_connections');
	const clusterName = text(row.cluster_name);
	const conninfo = text(row.receiver_conninfo);
	return {
		inRecovery: row.in_recovery === true,
		connections: row.visible + row.hidden,
		active: row.active,
		hiddenSessions: row.hidden,
		maxConnections: row.max_connections,
		systemId: text(row.system_id),
		currentLsn: text(row.current_lsn),
		receiveLsn: text(row.receive_lsn),
		replayLsn: text(row.replay_lsn),
		replayPaused: typeof row.replay_paused === 'boolean' ? row.replay_paused : null,
		replayAgeSeconds: number(row.replay_age_seconds),
		receiverStatus: text(row.receiver_status),
		upstream: text(row.receiver_upstream),
		streamingName: row.in_recovery ? streamingName(conninfo, clusterName) : null,
		replication: replicationRows(row.replication),
	};
}
