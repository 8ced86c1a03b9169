// Qdrant's answers as the project's fixtures record them (test/fixtures/qdrant, from the published OpenAPI schema),
// parsed into the source's sample.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {
	parseCluster,
	parseCollection,
	parseCollectionNames,
	parseMetrics,
	peerCount,
	protectLargeIntegers,
	resultOf,
	worstStatus,
} from '../../../source/sources/qdrant/parse.js';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '../../fixtures/qdrant', name), 'utf8');
const decoded = (name: string) => JSON.parse(protectLargeIntegers(fixture(name))) as unknown;

describe('Qdrant answers parsed', () => {
	it('keeps 64-bit peer ids exact, so the answering peer is found among the peers', () => {
		const cluster = parseCluster(resultOf(decoded('cluster-enabled.json'), '/cluster'));
		expect(cluster.peerId).toBe('5323786941526538811');
		expect(cluster.leader).toBe('5323786941526538811');
		expect(cluster.peers.filter(peer => peer.self).map(peer => peer.id)).toEqual(['5323786941526538811']);
		// Without the protection JSON.parse rounds the id and no peer is itself.
		const rounded = parseCluster(resultOf(JSON.parse(fixture('cluster-enabled.json')), '/cluster'));
		expect(rounded.peers.some(peer => peer.self)).toBe(false);
	});

	it('leaves digits inside strings alone and short numbers as numbers', () => {
		const text = '{"a": 12345678901234567, "b": "error: 12345678901234567, x", "c": 1.5e3, "d": [-98765432109876543]}';
		expect(JSON.parse(protectLargeIntegers(text))).toEqual({a: '12345678901234567', b: 'error: 12345678901234567, x', c: 1500, d: ['-98765432109876543']});
	});

	it('reads a distributed cluster: three peers, the leader, consensus working, no peer failing', () => {
		const cluster = parseCluster(resultOf(decoded('cluster-enabled.json'), '/cluster'));
		expect(cluster).toMatchObject({enabled: true, role: 'Leader', pendingOperations: 0, consensus: 'working', consensusError: null});
		expect(peerCount(cluster)).toBe(3);
		expect(cluster.peers.map(peer => peer.failures)).toEqual([0, 0, 0]);
	});

	it('matches message_send_failures to the peer by its URI', () => {
		const body = fixture('cluster-enabled.json').replace(
			'"message_send_failures": {}',
			'"message_send_failures": {"http://qdrant-2.qdrant-headless:6335/": {"count": 12, "latest_error": "Can\'t send raft message: transport error", "latest_error_timestamp": "2026-08-04T11:49:02Z"}}',
		);
		const cluster = parseCluster(resultOf(JSON.parse(protectLargeIntegers(body)), '/cluster'));
		const failing = cluster.peers.filter(peer => peer.failures > 0);
		expect(failing).toEqual([{id: '8479328201712934223', uri: 'http://qdrant-2.qdrant-headless:6335/', self: false, failures: 12, lastError: "Can't send raft message: transport error"}]);
	});

	it('reads a single node (cluster disabled) as one peer', () => {
		const cluster = parseCluster(resultOf(decoded('cluster-disabled.json'), '/cluster'));
		expect(cluster.enabled).toBe(false);
		expect(peerCount(cluster)).toBe(1);
	});

	it('reads collection names and one collection: status, points, segments', () => {
		expect(parseCollectionNames(resultOf(decoded('collections.json'), '/collections'))).toEqual(['transcripts', 'voice-embeddings']);
		expect(parseCollection('transcripts', resultOf(decoded('collection.json'), 'c'))).toEqual({
			name: 'transcripts',
			status: 'green',
			points: 120000,
			segments: 5,
			indexedVectors: 120000,
			optimizerError: null,
			error: null,
		});
	});

	it("turns Qdrant's error body into an error naming what was asked, and an unknown status into an error, never green", () => {
		expect(() => resultOf(decoded('not-found.json'), 'collection missing')).toThrow("collection missing: Not found: Collection `missing` doesn't exist!");
		const body = JSON.parse(fixture('collection.json'));
		body.result.status = 'purple';
		expect(() => parseCollection('x', resultOf(body, 'x'))).toThrow('collection x: unknown status "purple"');
	});

	it('reads the optimizer error of a red collection', () => {
		const body = JSON.parse(fixture('collection.json'));
		body.result.status = 'red';
		body.result.optimizer_status = {error: 'Service internal error: No space left on device'};
		expect(parseCollection('x', resultOf(body, 'x'))).toMatchObject({status: 'red', optimizerError: 'Service internal error: No space left on device'});
	});

	it('reads the few /metrics figures it uses, with or without a metrics prefix', () => {
		expect(parseMetrics(fixture('metrics.txt'))).toEqual({collectionsTotal: 2, peersTotal: 3, pendingOperations: 0, version: '1.15.1'});
		const prefixed = fixture('metrics.txt').replace(/^(app_info|collections_total|cluster_\w+)/gm, 'prod_$1');
		expect(parseMetrics(prefixed)).toEqual({collectionsTotal: 2, peersTotal: 3, pendingOperations: 0, version: '1.15.1'});
		expect(parseMetrics('# nothing here\n')).toBeNull();
	});

	it('ranks collection statuses red, yellow, grey, green', () => {
		const of = (...statuses: Array<'green' | 'yellow' | 'grey' | 'red' | null>) =>
			worstStatus(statuses.map((status, index) => ({name: `c${index}`, status, points: null, segments: null, indexedVectors: null, optimizerError: null, error: null})));
		expect(of('green', 'yellow', 'grey')).toBe('yellow');
		expect(of('green', 'red', 'yellow')).toBe('red');
		expect(of('green', 'grey')).toBe('grey');
		expect(of()).toBeNull();
		expect(of(null)).toBeNull();
	});
});
