// Several PostgreSQL nodes as one tier: roles from pg_is_in_recovery() (never from the order given), each replica's
// lag behind the primary, who streams and who does not, and a promotion noticed between two readings. Pure.

/** One row of the primary's pg_stat_replication. Time lags are NULL once the replica has been idle ~10 s. */
export interface PgReplicationRow {
	applicationName: string;
	clientAddr: string | null;
	state: string | null;
	syncState: string | null;
	replayLsn: string | null;
	/** pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn): the robust figure. */
	lagBytes: number | null;
	writeLagSeconds: number | null;
	flushLagSeconds: number | null;
	replayLagSeconds: number | null;
}

/** What one node answered (node-query.ts). */
export interface PgNodeRaw {
	inRecovery: boolean;
	connections: number;
	active: number;
	hiddenSessions: number;
	maxConnections: number;
	systemId: string | null;
	/** Primary only: pg_current_wal_lsn(). */
	currentLsn: string | null;
	/** Replica only. */
	receiveLsn: string | null;
	replayLsn: string | null;
	replayPaused: boolean | null;
	/** Seconds since the last replayed transaction's commit. */
	replayAgeSeconds: number | null;
	/** pg_stat_wal_receiver.status, null when no WAL receiver runs. */
	receiverStatus: string | null;
	/** sender_host:sender_port of the WAL receiver. */
	upstream: string | null;
	/** The application_name this replica streams under (matches its row on the primary). */
	streamingName: string | null;
	replication: PgReplicationRow[];
}

/** What the collector hands over per configured node: its answer, or why there is none. */
export interface PgNodeReading {
	endpoint: string;
	raw: PgNodeRaw | null;
	/** Why the node could not be read (already worded and redacted), null when it answered. */
	error: string | null;
	/** Epoch ms of the answer, null when none. */
	at: number | null;
}

export type PgRole = 'primary' | 'replica' | 'unknown';

export interface PgNodeSample {
	endpoint: string;
	/** From pg_is_in_recovery(); an unreachable node keeps the role it last had, 'unknown' if it never answered. */
	role: PgRole;
	reachable: boolean;
	error: string | null;
	connections: number | null;
	active: number | null;
	maxConnections: number | null;
	/** connections / maxConnections. */
	ratio: number | null;
	/** Replicas: bytes of WAL the primary has that this replica has not replayed. */
	lagBytes: number | null;
	/** Replicas: the larger of the replay delay it sees itself and the primary's replay_lag. */
	lagSeconds: number | null;
	/** Replicas: the WAL receiver's status ('streaming', 'stopped', …) or 'not streaming'. Primaries: null. */
	state: string | null;
	/** Replicas: true when streaming from its upstream, false when not, null when that cannot be told. */
	streaming: boolean | null;
	replayPaused: boolean | null;
	streamingName: string | null;
	upstream: string | null;
	/** Primaries: their pg_stat_replication rows. */
	replication: PgReplicationRow[];
	hiddenSessions: number | null;
	at: number | null;
}

export interface PgTopology {
	nodes: PgNodeSample[];
	/** The primary whose figures today's single-node fields carry; null when no node answers as a primary. */
	primary: string | null;
	/** Every node answering as a primary: more than one is a split brain. */
	primaries: string[];
	/** Nodes given beyond the first: the replicas the operator expects. */
	replicasConfigured: number;
	/** Rows in the primary's pg_stat_replication in state streaming (or catchup); null without a primary. */
	replicasStreaming: number | null;
	at: number;
}

/** The runbook's largest PostgreSQL tier: one primary and five read replicas. */
export const runbookMaxReplicas = 5;

/** '16/B374D848' → its byte position. Throws on anything else, so a bad value is never a zero lag. */
export function lsnToBigInt(lsn: string): bigint {
	const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(lsn.trim());
	if (!match) throw new Error(`not an LSN: ${lsn}`);
	return (BigInt(`0x${match[1]}`) << 32n) + BigInt(`0x${match[2]}`);
}

/** pg_wal_lsn_diff(a, b) in bytes (may be negative). */
export function lsnDiff(a: string, b: string): number {
	return Number(lsnToBigInt(a) - lsnToBigInt(b));
}

const streamingStates = new Set(['streaming', 'catchup']);

function replicaLag(raw: PgNodeRaw, primary: PgNodeRaw | null, row: PgReplicationRow | undefined): {bytes: number | null; seconds: number | null} {
	let bytes: number | null = null;
	const sameCluster = primary !== null && (primary.systemId === null || raw.systemId === null || primary.systemId === raw.systemId);
	if (sameCluster && primary.currentLsn !== null && raw.replayLsn !== null) {
		// Read a moment apart: the replica may have replayed past the primary position we read first.
		bytes = Math.max(0, lsnDiff(primary.currentLsn, raw.replayLsn));
	} else if (row?.lagBytes !== null && row?.lagBytes !== undefined) {
		bytes = Math.max(0, row.lagBytes);
	}

	// Its own view: behind what it has received by the time since the last transaction it replayed.
	let own: number | null = null;
	if (raw.receiveLsn !== null && raw.replayLsn !== null) {
		own = lsnDiff(raw.receiveLsn, raw.replayLsn) > 0 ? Math.max(0, raw.replayAgeSeconds ?? 0) : 0;
	}

	const fromPrimary = row?.replayLagSeconds ?? null;
	const seconds = own === null ? fromPrimary : fromPrimary === null ? own : Math.max(own, fromPrimary);
	return {bytes, seconds};
}

/**
 * The tier from this reading's answers. `previous` lends an unreachable node the role and streaming name it last had,
 * so "the replica stopped" is told apart from "a node never seen".
 */
export function buildTopology(readings: readonly PgNodeReading[], at: number, previous?: PgTopology): PgTopology {
	const before = new Map((previous?.nodes ?? []).map(node => [node.endpoint, node]));
	const primaries = readings.filter(reading => reading.raw !== null && !reading.raw.inRecovery);
	const primaryReading = primaries[0] ?? null;
	const primaryRaw = primaryReading?.raw ?? null;
	const rows = primaryRaw?.replication ?? [];
	const rowFor = (name: string | null) => {
		if (name === null) return undefined;
		const matching = rows.filter(row => row.applicationName === name);
		// Two replicas streaming under one name cannot be told apart: no row is better than the wrong one.
		return matching.length === 1 ? matching[0] : undefined;
	};

	const nodes = readings.map((reading): PgNodeSample => {
		const raw = reading.raw;
		const last = before.get(reading.endpoint);
		if (raw === null) {
			const role = last?.role ?? 'unknown';
			const name = last?.streamingName ?? null;
			const row = role === 'replica' ? rowFor(name) : undefined;
			// The primary can still vouch for a replica va-top cannot reach; without a primary nobody can.
			const streaming = role === 'replica' && primaryRaw !== null && name !== null ? row !== undefined && streamingStates.has(row.state ?? '') : null;
			return {
				endpoint: reading.endpoint,
				role,
				reachable: false,
				error: reading.error,
				connections: null,
				active: null,
				maxConnections: null,
				ratio: null,
				lagBytes: row?.lagBytes ?? null,
				lagSeconds: row?.replayLagSeconds ?? null,
				state: role === 'replica' ? (streaming === false ? 'not streaming' : (row?.state ?? null)) : null,
				streaming,
				replayPaused: null,
				streamingName: name,
				upstream: last?.upstream ?? null,
				replication: [],
				hiddenSessions: null,
				at: null,
			};
		}

		const base = {
			endpoint: reading.endpoint,
			reachable: true,
			error: null,
			connections: raw.connections,
			active: raw.active,
			maxConnections: raw.maxConnections,
			ratio: raw.connections / raw.maxConnections,
			hiddenSessions: raw.hiddenSessions,
			at: reading.at,
		};
		if (!raw.inRecovery) {
			return {...base, role: 'primary', lagBytes: null, lagSeconds: null, state: null, streaming: null, replayPaused: null, streamingName: null, upstream: null, replication: raw.replication};
		}

		const row = rowFor(raw.streamingName);
		const lag = replicaLag(raw, primaryRaw, row);
		const streaming = raw.receiverStatus === 'streaming';
		return {
			...base,
			role: 'replica',
			lagBytes: lag.bytes,
			lagSeconds: lag.seconds,
			state: raw.receiverStatus ?? 'not streaming',
			streaming,
			replayPaused: raw.replayPaused,
			streamingName: raw.streamingName,
			upstream: raw.upstream,
			replication: raw.replication,
		};
	});

	return {
		nodes,
		primary: primaryReading?.endpoint ?? null,
		primaries: primaries.map(reading => reading.endpoint),
		replicasConfigured: Math.max(0, readings.length - 1),
		replicasStreaming: primaryRaw === null ? null : rows.filter(row => streamingStates.has(row.state ?? '')).length,
		at,
	};
}

export interface TopologyEvent {
	level: 'INFO' | 'SOON' | 'IMMEDIATE';
	key: string;
	text: string;
}

/** A replica that now answers as the primary: a promotion, logged once, naming the old primary's fate. */
export function topologyEvents(previous: PgTopology | undefined, next: PgTopology): TopologyEvent[] {
	if (previous === undefined) return [];
	const before = new Map(previous.nodes.map(node => [node.endpoint, node]));
	const events: TopologyEvent[] = [];
	for (const node of next.nodes) {
		const last = before.get(node.endpoint);
		if (!node.reachable || node.role !== 'primary' || last?.role !== 'replica') continue;
		const oldPrimary = previous.primary;
		const fate = oldPrimary === null || oldPrimary === node.endpoint
			? ''
			: next.nodes.find(other => other.endpoint === oldPrimary)?.reachable === false
				? ` (the old primary ${oldPrimary} is unreachable)`
				: next.primaries.includes(oldPrimary)
					? ` (the old primary ${oldPrimary} is still a primary: two primaries)`
					: ` (the old primary ${oldPrimary} is now a ${next.nodes.find(other => other.endpoint === oldPrimary)?.role ?? 'unknown node'})`;
		events.push({level: 'IMMEDIATE', key: `postgres.promotion:${node.endpoint}`, text: `postgres: replica ${node.endpoint} was promoted to primary${fate}`});
	}

	return events;
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/** "1 primary + 2 replicas of the runbook's max 1 + 5". */
export function tierText(topology: PgTopology): string {
	const primaries = topology.nodes.filter(node => node.reachable && node.role === 'primary').length;
	const replicas = topology.nodes.filter(node => node.reachable && node.role === 'replica').length;
	return `${plural(primaries, 'primary', 'primaries')} + ${plural(replicas, 'replica', 'replicas')} of the runbook's max 1 + ${runbookMaxReplicas}`;
}
