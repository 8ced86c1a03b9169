// Pure: Qdrant's concerns. A red collection (an operation failed and was not recovered) is IMMEDIATE, a yellow one
// (optimizing) SOON; a peer the cluster cannot send to is down, IMMEDIATE; so is a stopped consensus thread. A
// collection whose details could not be read is not assessed (UNKNOWN), never taken for green.
import type {Concern} from '../../core/assessment.js';
import type {ConcernContext} from '../../core/source-model.js';
import type {QdrantSample} from './parse.js';

export const qdrantActions = {
	red: 'Check the Qdrant logs and recover the collection (snapshot or re-create the failed shard)',
	yellow: 'Let the optimization finish; plan capacity if it stays yellow',
	peer: 'Bring the peer back, or remove it and re-replicate its shards (runbook: Qdrant distributed, 6+ nodes)',
	consensus: 'Restart the peer; check its disk and network (consensus stopped)',
	unread: 'Check that the collection answers (GET /collections/NAME)',
} as const;

function concern(level: Concern['level'], key: string, subject: string, metric: string, action: string, message: string, label: string): Concern {
	return {level, scope: 'qdrant', key, subject, metric, value: null, threshold: null, action, message: `${message}: ${action}`, label};
}

export function qdrantConcerns(sample: QdrantSample, _context: ConcernContext): Concern[] {
	const out: Concern[] = [];
	for (const collection of sample.collections) {
		const key = `qdrant.collection:${collection.name}`;
		if (collection.status === 'red') {
			const why = collection.optimizerError ? ` (${collection.optimizerError})` : '';
			out.push(concern('IMMEDIATE', key, collection.name, 'collection-status', qdrantActions.red, `qdrant collection ${collection.name} is red${why}`, `qdrant ${collection.name} red`));
		} else if (collection.status === 'yellow') {
			out.push(concern('SOON', key, collection.name, 'collection-status', qdrantActions.yellow, `qdrant collection ${collection.name} is yellow (optimizing)`, `qdrant ${collection.name} yellow`));
		} else if (collection.status === null) {
			out.push(concern('UNKNOWN', key, collection.name, 'collection-status', qdrantActions.unread, `qdrant collection ${collection.name} not assessed: ${collection.error ?? 'no reading'}`, `qdrant ${collection.name} not assessed`));
		}
	}

	const self = sample.cluster.peers.find(peer => peer.self);
	for (const peer of sample.cluster.peers) {
		if (peer.failures <= 0) continue;
		const latest = peer.lastError ? `; latest: ${peer.lastError}` : '';
		const from = self ? ` from peer ${self.id}` : '';
		out.push(concern('IMMEDIATE', `qdrant.peer:${peer.id}`, peer.uri || peer.id, 'peer', qdrantActions.peer, `qdrant peer ${peer.id} (${peer.uri}) is down: ${peer.failures} failed sends in a row${from}${latest}`, `qdrant peer ${peer.uri || peer.id} down`));
	}

	if (sample.cluster.consensus === 'stopped' || sample.cluster.consensus === 'stopped_with_err') {
		const why = sample.cluster.consensusError ? ` (${sample.cluster.consensusError})` : '';
		out.push(concern('IMMEDIATE', 'qdrant.consensus', 'consensus', 'consensus', qdrantActions.consensus, `qdrant consensus thread ${sample.cluster.consensus.replace(/_/g, ' ')}${why}`, 'qdrant consensus stopped'));
	}

	return out;
}
