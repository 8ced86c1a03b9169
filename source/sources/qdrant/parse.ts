// Qdrant's REST answers turned into one sample. Shapes from Qdrant's published OpenAPI schema
// (docs/redoc/master/openapi.json: ClusterStatus, RaftInfo, MessageSendErrors, CollectionsResponse,
// CollectionInfo, CollectionStatus) and its /metrics text. Pure: every function takes the decoded body.
import {compareNatural} from '../../core/compare.js';

export type CollectionStatus = 'green' | 'yellow' | 'grey' | 'red';

export interface QdrantPeer {
	id: string;
	uri: string;
	/** This peer is the one va-top asks. */
	self: boolean;
	/**
	 * Consecutive failed consensus sends to this peer (message_send_failures, cleared on the first success): a peer
	 * that does not take messages is down as far as the cluster can tell.
	 */
	failures: number;
	lastError: string | null;
}

export interface QdrantCluster {
	/** false for a single node (cluster mode off): it is its own only peer. */
	enabled: boolean;
	peerId: string | null;
	peers: QdrantPeer[];
	leader: string | null;
	role: string | null;
	pendingOperations: number | null;
	/** working, stopped, stopped_with_err; null when cluster mode is off. */
	consensus: string | null;
	consensusError: string | null;
}

export interface QdrantCollection {
	name: string;
	/** null when this collection's details could not be read (then `error` says why). */
	status: CollectionStatus | null;
	points: number | null;
	segments: number | null;
	indexedVectors: number | null;
	/** optimizer_status { error } when the optimizers report a failure. */
	optimizerError: string | null;
	error: string | null;
}

export interface QdrantMetrics {
	collectionsTotal: number | null;
	peersTotal: number | null;
	pendingOperations: number | null;
	version: string | null;
}

export interface QdrantSample {
	at: number;
	cluster: QdrantCluster;
	collections: QdrantCollection[];
	/** From /metrics when it answers; null when it is off or refused (the rest does not need it). */
	metrics: QdrantMetrics | null;
}

/**
 * Peer ids are random 64-bit integers, past what a JavaScript number holds exactly: JSON.parse would round
 * 5323786941526538811 to 5323786941526539000 and the peer would no longer match its own key in `peers`. Quote every
 * integer of 16 digits or more before parsing, so ids stay exact strings.
 */
export function protectLargeIntegers(text: string): string {
	let out = '';
	let index = 0;
	while (index < text.length) {
		const char = text[index]!;
		if (char === '"') {
			// A string literal is copied as it is, escapes included: digits inside it are not numbers.
			let end = index + 1;
			while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
			out += text.slice(index, end + 1);
			index = end + 1;
			continue;
		}

		const number = (char >= '0' && char <= '9') || char === '-' ? /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(index, index + 40)) : null;
		if (number) {
			const token = number[0];
			out += /^-?\d{16,}$/.test(token) ? `"${token}"` : token;
			index += token.length;
			continue;
		}

		out += char;
		index++;
	}

	return out;
}

/** Every Qdrant answer is {result, status, time}; an error is {status: {error}}. */
export function resultOf(body: unknown, what: string): unknown {
	if (body === null || typeof body !== 'object') throw new Error(`${what}: not a JSON object`);
	const record = body as {result?: unknown; status?: unknown};
	if (record.status !== null && typeof record.status === 'object' && typeof (record.status as {error?: unknown}).error === 'string') {
		throw new Error(`${what}: ${(record.status as {error: string}).error}`);
	}

	if (record.result === undefined) throw new Error(`${what}: no result in the answer`);
	return record.result;
}

const asRecord = (value: unknown): Record<string, unknown> => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
const asNumber = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const asText = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const asId = (value: unknown): string | null => (typeof value === 'number' || (typeof value === 'string' && value !== '') ? String(value) : null);

/** GET /cluster's result. */
export function parseCluster(result: unknown): QdrantCluster {
	const cluster = asRecord(result);
	if (cluster.status === 'disabled') {
		return {enabled: false, peerId: null, peers: [], leader: null, role: null, pendingOperations: null, consensus: null, consensusError: null};
	}

	if (cluster.status !== 'enabled') throw new Error(`/cluster: unknown status ${JSON.stringify(cluster.status)}`);
	const peerId = asId(cluster.peer_id);
	const failures = asRecord(cluster.message_send_failures);
	const peers = Object.entries(asRecord(cluster.peers)).map(([id, info]): QdrantPeer => {
		const uri = asText(asRecord(info).uri) ?? '';
		// Keyed by the peer's address as Qdrant formats a URI: compare without a trailing slash.
		const failure = Object.entries(failures).find(([address]) => address.replace(/\/$/, '') === uri.replace(/\/$/, ''));
		const record = asRecord(failure?.[1]);
		return {id, uri, self: id === peerId, failures: asNumber(record.count) ?? 0, lastError: asText(record.latest_error)};
	});
	const raft = asRecord(cluster.raft_info);
	const thread = asRecord(cluster.consensus_thread_status);
	return {
		enabled: true,
		peerId,
		peers: peers.sort((a, b) => compareNatural(a.id, b.id)),
		leader: asId(raft.leader),
		role: asText(raft.role),
		pendingOperations: asNumber(raft.pending_operations),
		consensus: asText(thread.consensus_thread_status),
		consensusError: asText(thread.err),
	};
}

/** GET /collections' result: the names. */
export function parseCollectionNames(result: unknown): string[] {
	const list = asRecord(result).collections;
	if (!Array.isArray(list)) throw new Error('/collections: no collections list');
	return list.map(entry => asText(asRecord(entry).name)).filter((name): name is string => name !== null);
}

const statuses = new Set<string>(['green', 'yellow', 'grey', 'red']);

/** GET /collections/{name}'s result. */
export function parseCollection(name: string, result: unknown): QdrantCollection {
	const info = asRecord(result);
	const status = typeof info.status === 'string' && statuses.has(info.status) ? (info.status as CollectionStatus) : null;
	if (status === null) throw new Error(`collection ${name}: unknown status ${JSON.stringify(info.status)}`);
	const optimizer = info.optimizer_status;
	return {
		name,
		status,
		points: asNumber(info.points_count),
		segments: asNumber(info.segments_count),
		indexedVectors: asNumber(info.indexed_vectors_count),
		optimizerError: optimizer !== null && typeof optimizer === 'object' ? asText(asRecord(optimizer).error) : null,
		error: null,
	};
}

/** The few figures of /metrics (Prometheus text) this uses; null when none of them is there. */
export function parseMetrics(text: string): QdrantMetrics | null {
	const values = new Map<string, {labels: string; value: number}>();
	for (const line of text.split(/\r?\n/)) {
		if (line === '' || line.startsWith('#')) continue;
		const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
		if (!match) continue;
		const value = Number(match[3]);
		if (Number.isFinite(value) && !values.has(match[1]!)) values.set(match[1]!, {labels: match[2] ?? '', value});
	}

	// A prefix (metrics_prefix in Qdrant's config) may stand before every name.
	const find = (name: string) => [...values.entries()].find(([key]) => key === name || key.endsWith(`_${name}`))?.[1];
	const version = /version="([^"]*)"/.exec(find('app_info')?.labels ?? '')?.[1] ?? null;
	const metrics: QdrantMetrics = {
		collectionsTotal: find('collections_total')?.value ?? null,
		peersTotal: find('cluster_peers_total')?.value ?? null,
		pendingOperations: find('cluster_pending_operations_total')?.value ?? null,
		version,
	};
	return Object.values(metrics).every(value => value === null) ? null : metrics;
}

/** Peers the cluster knows, at least this one. */
export function peerCount(cluster: QdrantCluster): number {
	return cluster.enabled ? cluster.peers.length : 1;
}

/** The worst collection status: red over yellow over grey over green; null without collections read. */
export function worstStatus(collections: readonly QdrantCollection[]): CollectionStatus | null {
	const order: CollectionStatus[] = ['red', 'yellow', 'grey', 'green'];
	for (const status of order) if (collections.some(collection => collection.status === status)) return status;
	return null;
}
