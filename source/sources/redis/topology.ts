// Redis as several nodes: a Sentinel-managed master with its replicas, or a Redis Cluster. The wire formats
// (SENTINEL replies, CLUSTER NODES, CLUSTER INFO, INFO replication) turned into one topology, and what changed
// between two readings (a failover). Pure.
import {parseRedisInfo, redisMemorySample, type RedisSample} from './parse.js';

export type RedisMode = 'standalone' | 'sentinel' | 'cluster';
export type RedisRole = 'master' | 'replica' | 'unknown';

export interface RedisNodeSample {
	endpoint: string;
	role: RedisRole;
	reachable: boolean;
	error: string | null;
	/** INFO memory of this node (sent to it, not to whichever node a client picks). */
	memory: RedisSample | null;
	/** Replicas: the master they replicate (host:port). */
	masterEndpoint: string | null;
	/** Replicas: master_link_status is up. */
	linkUp: boolean | null;
	/** Cluster: the cluster itself flags the node `fail` (or `pfail`: one node's suspicion). */
	clusterFlags: string[];
	/** Cluster: hash slots this master serves. */
	slots: number;
	/** Cluster: the node id (stable across restarts and role changes). */
	id: string | null;
	at: number | null;
}

export interface SentinelSample {
	endpoint: string;
	reachable: boolean;
	error: string | null;
	/** The master this sentinel names (host:port), null when it does not answer. */
	master: string | null;
}

export interface RedisFailover {
	at: number;
	from: string;
	to: string;
}

export interface RedisTopology {
	mode: Exclude<RedisMode, 'standalone'>;
	nodes: RedisNodeSample[];
	/** Sentinel: the master the sentinels agree on. Cluster: null (every master serves its slots). */
	master: string | null;
	sentinel: {
		name: string;
		sentinels: SentinelSample[];
		reachable: number;
		/** From SENTINEL MASTER; null when no sentinel answered. */
		quorum: number | null;
		/** SENTINEL MASTER's flags for the master: s_down, o_down, failover_in_progress… */
		masterFlags: string[];
		/** Every master change seen since start, oldest first (bounded). */
		failovers: RedisFailover[];
	} | null;
	cluster: {
		/** CLUSTER INFO's cluster_state ('ok' | 'fail'), null when no node answered. */
		state: string | null;
		slotsAssigned: number | null;
		slotsFail: number | null;
		knownNodes: number | null;
		/** The node whose CLUSTER NODES this is. */
		seenFrom: string | null;
	} | null;
	at: number;
}

/** A flat [key, value, key, value…] reply (SENTINEL MASTER, one entry of SENTINEL REPLICAS) as a record. */
export function pairsToRecord(reply: unknown): Record<string, string> {
	const out: Record<string, string> = {};
	if (!Array.isArray(reply)) return out;
	for (let index = 0; index + 1 < reply.length; index += 2) out[String(reply[index])] = String(reply[index + 1]);
	return out;
}

export interface ClusterNodeLine {
	id: string;
	endpoint: string;
	flags: string[];
	role: RedisRole;
	masterId: string | null;
	linkState: string;
	slots: number;
}

function slotCount(ranges: readonly string[]): number {
	let count = 0;
	for (const range of ranges) {
		// Importing/migrating markers ([…]) are not served slots.
		if (range.startsWith('[')) continue;
		const [from, to] = range.split('-').map(Number);
		if (from === undefined || !Number.isInteger(from)) continue;
		count += to === undefined ? 1 : Number.isInteger(to) ? to - from + 1 : 0;
	}

	return count;
}

/**
 * CLUSTER NODES: `<id> <ip:port@cport[,hostname]> <flags> <master> <ping-sent> <pong-recv> <epoch> <link-state> <slot>…`.
 * Nodes without an address (noaddr, or still in handshake) cannot be read and are left out.
 */
export function parseClusterNodes(text: string): ClusterNodeLine[] {
	const out: ClusterNodeLine[] = [];
	for (const line of text.split(/\r?\n/)) {
		const parts = line.trim().split(' ');
		if (parts.length < 8) continue;
		const [id, address, flagText, master, , , , linkState, ...slots] = parts;
		const flags = flagText!.split(',');
		if (flags.includes('noaddr') || flags.includes('handshake')) continue;
		const endpoint = address!.split('@')[0]!;
		if (!/:\d+$/.test(endpoint) || endpoint.startsWith(':')) continue;
		out.push({
			id: id!,
			endpoint,
			flags: flags.filter(flag => flag !== 'myself'),
			role: flags.includes('master') ? 'master' : flags.includes('slave') ? 'replica' : 'unknown',
			masterId: master === '-' ? null : master!,
			linkState: linkState!,
			slots: slotCount(slots),
		});
	}

	return out;
}

/** The fields of INFO replication this needs. */
export function replicationInfo(text: string): {role: RedisRole; masterEndpoint: string | null; linkUp: boolean | null; connectedReplicas: number | null} {
	const fields = parseRedisInfo(text);
	const role = fields.role === 'master' ? 'master' : fields.role === 'slave' ? 'replica' : 'unknown';
	return {
		role,
		masterEndpoint: role === 'replica' && fields.master_host ? `${fields.master_host}:${fields.master_port ?? '6379'}` : null,
		linkUp: role === 'replica' ? fields.master_link_status === 'up' : null,
		connectedReplicas: fields.connected_slaves === undefined ? null : Number(fields.connected_slaves),
	};
}

export function clusterInfo(text: string): {state: string | null; slotsAssigned: number | null; slotsFail: number | null; knownNodes: number | null} {
	const fields = parseRedisInfo(text);
	const number = (key: string) => (fields[key] === undefined || !Number.isFinite(Number(fields[key])) ? null : Number(fields[key]));
	return {state: fields.cluster_state ?? null, slotsAssigned: number('cluster_slots_assigned'), slotsFail: number('cluster_slots_fail'), knownNodes: number('cluster_known_nodes')};
}

/** What one node answered: INFO memory and INFO replication, or why it did not. */
export interface RedisNodeAnswer {
	endpoint: string;
	memoryText: string | null;
	replicationText: string | null;
	error: string | null;
	at: number | null;
}

/** One node's sample from its answers; the role from INFO replication wins over what others say of it. */
export function nodeSample(answer: RedisNodeAnswer, told: {role: RedisRole; masterEndpoint?: string | null; id?: string | null; clusterFlags?: string[]; slots?: number}): RedisNodeSample {
	let memory: RedisSample | null = null;
	let error = answer.error;
	if (answer.memoryText !== null && answer.at !== null) {
		try {
			memory = redisMemorySample(answer.memoryText, answer.at);
		} catch (parseError) {
			error = parseError instanceof Error ? parseError.message : String(parseError);
		}
	}

	const replication = answer.replicationText === null ? null : replicationInfo(answer.replicationText);
	return {
		endpoint: answer.endpoint,
		role: replication?.role ?? told.role,
		reachable: memory !== null,
		error: memory === null ? (error ?? 'no reading') : null,
		memory,
		masterEndpoint: replication?.masterEndpoint ?? told.masterEndpoint ?? null,
		linkUp: replication?.linkUp ?? null,
		clusterFlags: told.clusterFlags ?? [],
		slots: told.slots ?? 0,
		id: told.id ?? null,
		at: memory === null ? null : answer.at,
	};
}

/** The master most sentinels name; ties go to the first sentinel's answer. null when none answers. */
export function agreedMaster(sentinels: readonly SentinelSample[]): string | null {
	const votes = new Map<string, number>();
	for (const sentinel of sentinels) if (sentinel.master !== null) votes.set(sentinel.master, (votes.get(sentinel.master) ?? 0) + 1);
	let best: string | null = null;
	let bestVotes = 0;
	for (const [master, count] of votes) {
		if (count > bestVotes) {
			best = master;
			bestVotes = count;
		}
	}

	return best;
}

export const maxFailoversKept = 50;

/** The failover history carried from the previous topology, plus this reading's move if the master changed. */
export function nextFailovers(previous: RedisTopology | undefined, master: string | null, at: number): RedisFailover[] {
	const kept = previous?.sentinel?.failovers ?? [];
	const before = previous?.master ?? null;
	if (before === null || master === null || before === master) return kept;
	return [...kept, {at, from: before, to: master}].slice(-maxFailoversKept);
}

export interface RedisTopologyEvent {
	level: 'INFO' | 'SOON' | 'IMMEDIATE';
	key: string;
	text: string;
}

/** Failovers between two readings: the Sentinel master moved, or a Cluster replica took over its master's slots. */
export function redisTopologyEvents(previous: RedisTopology | undefined, next: RedisTopology): RedisTopologyEvent[] {
	if (previous === undefined) return [];
	const events: RedisTopologyEvent[] = [];
	if (next.mode === 'sentinel' && previous.master !== null && next.master !== null && previous.master !== next.master) {
		events.push({level: 'IMMEDIATE', key: 'redis.failover', text: `redis master moved ${previous.master} → ${next.master}`});
	}

	if (next.mode === 'cluster') {
		const before = new Map(previous.nodes.filter(node => node.id !== null).map(node => [node.id!, node]));
		for (const node of next.nodes) {
			const last = node.id === null ? undefined : before.get(node.id);
			if (last?.role !== 'replica' || node.role !== 'master') continue;
			const from = last.masterEndpoint ?? 'its master';
			events.push({level: 'IMMEDIATE', key: `redis.failover:${node.id}`, text: `redis cluster failover: ${node.endpoint} took over from ${from}`});
		}

		const wasState = previous.cluster?.state ?? null;
		const state = next.cluster?.state ?? null;
		if (wasState !== null && state !== null && wasState !== state) {
			events.push({level: state === 'ok' ? 'INFO' : 'IMMEDIATE', key: 'redis.cluster-state', text: `redis cluster_state ${wasState} → ${state}`});
		}
	}

	return events;
}

/** The node whose memory is fullest, among those read. */
export function fullestNode(nodes: readonly RedisNodeSample[]): RedisNodeSample | undefined {
	let worst: RedisNodeSample | undefined;
	for (const node of nodes) if (node.memory !== null && (worst?.memory === undefined || worst.memory === null || node.memory.ratio > worst.memory.ratio)) worst = node;
	return worst;
}

/** Whose memory the single-node fields show: the Sentinel master's, or the Cluster's fullest node's. */
export function headlineNode(topology: RedisTopology): RedisNodeSample | undefined {
	if (topology.mode === 'sentinel') return topology.nodes.find(node => node.endpoint === topology.master && node.memory !== null);
	return fullestNode(topology.nodes);
}
