// Pure: Qdrant's part of the one-shot report, its header summary ("3 peers green") and text lines.
import {readingError, type SourceReportPart} from '../../core/source-model.js';
import {peerCount, worstStatus, type QdrantSample} from './parse.js';

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/** For the header, after the source's name: `3 peers green`, `3 peers (1 down) red`. */
export function qdrantSummary(sample: QdrantSample): string {
	const down = sample.cluster.peers.filter(peer => peer.failures > 0).length;
	const status = worstStatus(sample.collections) ?? 'no collections';
	return `${plural(peerCount(sample.cluster), 'peer', 'peers')}${down > 0 ? ` (${down} down)` : ''} ${status}`;
}

export const qdrantReport: SourceReportPart<QdrantSample> = {
	json: (reading, sample) => ({
		endpoint: reading.endpoint,
		reachable: sample !== null,
		error: readingError(reading.status),
		clusterEnabled: sample?.cluster.enabled ?? null,
		peers: sample === null ? null : peerCount(sample.cluster),
		peersDown: sample === null ? null : sample.cluster.peers.filter(peer => peer.failures > 0).map(peer => ({id: peer.id, uri: peer.uri, failures: peer.failures, error: peer.lastError})),
		leader: sample?.cluster.leader ?? null,
		status: sample === null ? null : worstStatus(sample.collections),
		collections: sample === null ? [] : sample.collections.map(collection => ({name: collection.name, status: collection.status, points: collection.points, segments: collection.segments, error: collection.error})),
		metrics: sample?.metrics ?? null,
	}),
	lines(sample) {
		const lines = [`  Peers: ${peerCount(sample.cluster)}${sample.cluster.enabled ? '' : ' (cluster mode off)'}${sample.cluster.leader ? `, leader ${sample.cluster.leader}` : ''}`];
		for (const peer of sample.cluster.peers.filter(candidate => candidate.failures > 0)) lines.push(`  Peer ${peer.id} (${peer.uri}): DOWN, ${peer.failures} failed sends`);
		if (sample.collections.length === 0) lines.push('  Collections: none');
		for (const collection of sample.collections) {
			const detail = collection.status === null ? `not read (${collection.error ?? 'no reading'})` : `${collection.status}, ${collection.points ?? '?'} points, ${collection.segments ?? '?'} segments`;
			lines.push(`  Collection ${collection.name}: ${detail}`);
		}

		return lines;
	},
};
