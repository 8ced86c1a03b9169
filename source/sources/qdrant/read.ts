// One reading of Qdrant: /cluster (peers and their send failures), /collections, each collection's status, points and
// segments, and /metrics when it answers. /cluster failing means Qdrant cannot be read; a collection that fails is
// listed with its error, never dropped (a red collection that cannot be read must not vanish from view).
import type {QdrantHttp} from './http.js';
import {parseCluster, parseCollection, parseCollectionNames, parseMetrics, resultOf, type QdrantCollection, type QdrantSample} from './parse.js';

/** At most this many collections are read per interval (four at a time); the rest wait for the next readings. */
export const collectionsPerReading = 64;
const parallel = 4;

export interface QdrantReadState {
	/** Where the next reading of collection details starts, for a deployment with more than collectionsPerReading. */
	offset: number;
	/** Last details read of each collection, shown until it is read again. */
	known: Map<string, QdrantCollection>;
}

export function freshReadState(): QdrantReadState {
	return {offset: 0, known: new Map()};
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function inBatches<T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
	const out: R[] = [];
	for (let index = 0; index < items.length; index += size) out.push(...(await Promise.all(items.slice(index, index + size).map(work))));
	return out;
}

/**
 * Reads once. `metrics`: try /metrics this time (the collector stops asking for a while after a 401/403/404).
 * Returns the sample and whether /metrics answered.
 */
export async function readQdrant(client: QdrantHttp, state: QdrantReadState, options: {metrics: boolean}, now: () => number): Promise<{sample: QdrantSample; metricsRefused: boolean}> {
	const [clusterBody, namesBody] = await Promise.all([client.json('/cluster', true), client.json('/collections')]);
	const cluster = parseCluster(resultOf(clusterBody, '/cluster'));
	const names = parseCollectionNames(resultOf(namesBody, '/collections')).sort();

	const batch = names.length <= collectionsPerReading ? names : [...names, ...names].slice(state.offset % names.length, (state.offset % names.length) + collectionsPerReading);
	state.offset = names.length <= collectionsPerReading ? 0 : (state.offset + collectionsPerReading) % names.length;
	// /metrics goes alongside the collection details, so a slow Qdrant costs one round trip less.
	const [read, metricsAnswer] = await Promise.all([
		inBatches(batch, parallel, async name => {
			try {
				return parseCollection(name, resultOf(await client.json(`/collections/${encodeURIComponent(name)}`), `collection ${name}`));
			} catch (error) {
				return {name, status: null, points: null, segments: null, indexedVectors: null, optimizerError: null, error: messageOf(error)} satisfies QdrantCollection;
			}
		}),
		options.metrics ? client.get('/metrics').catch(() => null) : Promise.resolve(null),
	]);
	for (const collection of read) state.known.set(collection.name, collection);
	for (const name of state.known.keys()) if (!names.includes(name)) state.known.delete(name);

	// A refusal (401, 403, 404) pauses asking; a timeout on /metrics alone does not make Qdrant unreadable.
	const metricsOk = metricsAnswer !== null && metricsAnswer.status >= 200 && metricsAnswer.status < 300;
	const metrics = metricsOk ? parseMetrics(metricsAnswer.body) : null;
	const metricsRefused = metricsAnswer !== null && !metricsOk;

	return {
		sample: {at: now(), cluster, collections: names.map(name => state.known.get(name)!).filter(Boolean), metrics},
		metricsRefused,
	};
}
