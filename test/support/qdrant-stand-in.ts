// A STAND-IN for Qdrant, not Qdrant. No Qdrant server can be installed on this project's machines (neither Debian
// nor the npm registry ships one), so tests that need one run this small HTTP server of the project's own. It answers
// GET /cluster, /collections, /collections/{name}, /metrics, /, /healthz, /readyz with the bodies in
// test/fixtures/qdrant/ (written from Qdrant's published OpenAPI schema: see the README there), changed only where a
// test sets the state: peers, a peer that stops taking messages, collections and their status, an API key, a delay, or
// a server that is gone. It is what va-top's Qdrant source is tested against; a real Qdrant may differ in detail.
import {readFileSync} from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

// VA_TOP_QDRANT_FIXTURES: where the bodies are when this runs bundled (scripts/data-tier-up.sh).
const fixtures = process.env.VA_TOP_QDRANT_FIXTURES ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/qdrant');
const fixture = (name: string) => readFileSync(path.join(fixtures, name), 'utf8');

export type StandInCollectionStatus = 'green' | 'yellow' | 'grey' | 'red';

export interface StandInCollection {
	status: StandInCollectionStatus;
	points: number;
	segments: number;
	/** optimizer_status { error } (a red collection usually has one). */
	optimizerError?: string;
}

export interface StandInState {
	/** Distributed mode; false answers /cluster as a single node ("disabled"). */
	cluster: boolean;
	/** Peer ids (large integers as text, as Qdrant's u64 ids) and their URIs; the first is the peer answering. */
	peers: Array<{id: string; uri: string}>;
	/** URIs of peers the answering peer fails to send consensus messages to, with the count of failures. */
	failing: Map<string, {count: number; error: string}>;
	collections: Map<string, StandInCollection>;
	/** /metrics answers 200 (true) or 404 (false, as a deployment that does not expose it). */
	metrics: boolean;
	/** Required in the `api-key` header (or `Authorization: Bearer`) except on /, /healthz, /readyz, /livez. */
	apiKey: string | null;
	/** Every answer waits this long first (a slow Qdrant). */
	delayMs: number;
	/** Every answer is HTTP 500 with Qdrant's error body (a Qdrant that is up but failing). */
	failing500: boolean;
}

export interface QdrantStandIn {
	port: number;
	url: string;
	state: StandInState;
	/** Requests seen, by path, and the api-key header each carried (for checks that the key is sent). */
	requests: Array<{path: string; apiKey: string | undefined}>;
	/** Stops listening and drops every connection: Qdrant is gone. */
	close(): Promise<void>;
	/** Listens again on the same port. */
	reopen(): Promise<void>;
}

/** The three peers of the recorded distributed cluster. */
export function recordedPeers(): StandInState['peers'] {
	const peers = JSON.parse(fixture('cluster-enabled.json').replace(/"peer_id": (\d+)/, '"peer_id": "$1"')).result.peers as Record<string, {uri: string}>;
	const self = /"peer_id": (\d+)/.exec(fixture('cluster-enabled.json'))![1]!;
	const entries = Object.entries(peers).map(([id, info]) => ({id, uri: info.uri}));
	return [...entries.filter(entry => entry.id === self), ...entries.filter(entry => entry.id !== self)];
}

export function defaultStandInState(): StandInState {
	return {
		cluster: true,
		peers: recordedPeers(),
		failing: new Map(),
		collections: new Map([
			['transcripts', {status: 'green', points: 120_000, segments: 5}],
			['voice-embeddings', {status: 'green', points: 48_210, segments: 4}],
		]),
		metrics: true,
		apiKey: null,
		delayMs: 0,
		failing500: false,
	};
}

const openPaths = new Set(['/', '/healthz', '/readyz', '/livez']);

function clusterBody(state: StandInState): string {
	if (!state.cluster) return fixture('cluster-disabled.json');
	const recorded = fixture('cluster-enabled.json');
	const self = state.peers[0]!.id;
	const peers = state.peers.map(peer => `${JSON.stringify(peer.id)}: {"uri": ${JSON.stringify(peer.uri)}}`).join(',\n      ');
	const failures = [...state.failing].map(([uri, failure]) => `${JSON.stringify(uri)}: {"count": ${failure.count}, "latest_error": ${JSON.stringify(failure.error)}, "latest_error_timestamp": "2026-08-04T11:49:02.108Z"}`).join(', ');
	// Ids stay bare integers in the body, as Qdrant writes them (u64).
	return recorded
		.replace(/"peer_id": \d+/, `"peer_id": ${self}`)
		.replace(/"leader": \d+/, `"leader": ${self}`)
		.replace(/"peers": \{[\s\S]*?\n {4}\},/, `"peers": {\n      ${peers}\n    },`)
		.replace(/"message_send_failures": \{\}/, `"message_send_failures": {${failures}}`);
}

function collectionsBody(state: StandInState): string {
	const body = JSON.parse(fixture('collections.json'));
	body.result.collections = [...state.collections.keys()].map(name => ({name}));
	return JSON.stringify(body);
}

function collectionBody(collection: StandInCollection): string {
	const body = JSON.parse(fixture('collection.json'));
	body.result.status = collection.status;
	body.result.points_count = collection.points;
	body.result.indexed_vectors_count = collection.points;
	body.result.segments_count = collection.segments;
	if (collection.optimizerError !== undefined) body.result.optimizer_status = {error: collection.optimizerError};
	return JSON.stringify(body);
}

function metricsBody(state: StandInState): string {
	return fixture('metrics.txt')
		.replace(/^collections_total \d+/m, `collections_total ${state.collections.size}`)
		.replace(/^cluster_peers_total \d+/m, `cluster_peers_total ${state.cluster ? state.peers.length : 1}`);
}

/** Starts the stand-in on 127.0.0.1 (port 0: any free port). */
export async function startQdrantStandIn(options: {port?: number; state?: Partial<StandInState>} = {}): Promise<QdrantStandIn> {
	const state: StandInState = {...defaultStandInState(), ...options.state};
	const requests: QdrantStandIn['requests'] = [];
	const sockets = new Set<net.Socket>();

	const server = http.createServer((request, response) => {
		const url = new URL(request.url ?? '/', 'http://stand-in');
		const apiKey = request.headers['api-key'] as string | undefined;
		requests.push({path: url.pathname, apiKey});
		const send = (status: number, body: string, type = 'application/json') => {
			const write = () => {
				if (response.destroyed) return;
				response.writeHead(status, {'content-type': type, 'content-length': Buffer.byteLength(body)});
				response.end(body);
			};

			if (state.delayMs > 0) setTimeout(write, state.delayMs);
			else write();
		};

		if (request.method !== 'GET') return send(405, '');
		if (state.apiKey !== null && !openPaths.has(url.pathname)) {
			const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
			const given = apiKey ?? bearer;
			if (given === undefined) return send(401, 'Must provide an API key or an Authorization bearer token', 'text/plain');
			if (given !== state.apiKey) return send(401, 'Invalid API key or JWT', 'text/plain');
		}

		if (state.failing500 && !openPaths.has(url.pathname)) {
			return send(500, JSON.stringify({status: {error: 'Service internal error: task panicked'}, time: 0.000031}));
		}

		if (url.pathname === '/') return send(200, JSON.stringify({title: 'qdrant - vector search engine', version: '1.15.1', commit: null}));
		if (url.pathname === '/healthz' || url.pathname === '/livez') return send(200, 'healthz check passed', 'text/plain');
		if (url.pathname === '/readyz') return send(200, 'all shards are ready', 'text/plain');
		if (url.pathname === '/cluster') return send(200, clusterBody(state));
		if (url.pathname === '/collections') return send(200, collectionsBody(state));
		if (url.pathname === '/metrics') return state.metrics ? send(200, metricsBody(state), 'text/plain; version=0.0.4') : send(404, '');
		const match = /^\/collections\/([^/]+)$/.exec(url.pathname);
		if (match) {
			const name = decodeURIComponent(match[1]!);
			const collection = state.collections.get(name);
			if (collection === undefined) return send(404, fixture('not-found.json').replace('`missing`', `\`${name}\``));
			return send(200, collectionBody(collection));
		}

		return send(404, '');
	});
	server.on('connection', socket => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});

	const listen = async (port: number) =>
		new Promise<number>((resolve, reject) => {
			server.once('error', reject);
			server.listen(port, '127.0.0.1', () => {
				server.off('error', reject);
				resolve((server.address() as net.AddressInfo).port);
			});
		});

	const port = await listen(options.port ?? 0);
	return {
		port,
		url: `http://127.0.0.1:${port}`,
		state,
		requests,
		async close() {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>(resolve => server.close(() => resolve()));
		},
		async reopen() {
			await listen(port);
		},
	};
}
