// The stand-in's answers must be what Qdrant's published API says. These are the fields its OpenAPI schema
// (qdrant/qdrant docs/redoc/master/openapi.json, commit 74f3e85) marks required, listed here by hand.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {protectLargeIntegers} from '../../../source/sources/qdrant/parse.js';

const fixture = (name: string) => JSON.parse(protectLargeIntegers(readFileSync(path.join(import.meta.dirname, '../../fixtures/qdrant', name), 'utf8'))) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const required = {
	response: ['result', 'status', 'time'],
	clusterEnabled: ['consensus_thread_status', 'message_send_failures', 'peer_id', 'peers', 'raft_info', 'status'],
	raftInfo: ['commit', 'is_voter', 'pending_operations', 'term'],
	peerInfo: ['uri'],
	consensusWorking: ['consensus_thread_status', 'last_update'],
	collections: ['collections'],
	collectionInfo: ['config', 'optimizer_status', 'payload_schema', 'segments_count', 'status'],
	collectionConfig: ['hnsw_config', 'optimizer_config', 'params'],
	hnswConfig: ['ef_construct', 'full_scan_threshold', 'm'],
	optimizersConfig: ['default_segment_number', 'flush_interval_sec'],
	walConfig: ['wal_capacity_mb', 'wal_segments_ahead'],
};

function expectFields(value: Record<string, unknown>, fields: readonly string[]): void {
	for (const field of fields) expect(value, field).toHaveProperty(field);
}

describe("the stand-in's recorded answers against Qdrant's OpenAPI schema", () => {
	it('GET /cluster (enabled) has ClusterStatus, RaftInfo, PeerInfo and ConsensusThreadStatus fields', () => {
		const body = fixture('cluster-enabled.json');
		expectFields(body, required.response);
		expectFields(body.result, required.clusterEnabled);
		expect(body.result.status).toBe('enabled');
		expectFields(body.result.raft_info, required.raftInfo);
		for (const peer of Object.values(body.result.peers)) expectFields(peer as Record<string, unknown>, required.peerInfo);
		expectFields(body.result.consensus_thread_status, required.consensusWorking);
		expect(['Follower', 'Candidate', 'Leader', 'PreCandidate']).toContain(body.result.raft_info.role);
	});

	it('GET /cluster (disabled) is the one-of with only status', () => {
		expect(fixture('cluster-disabled.json').result).toEqual({status: 'disabled'});
	});

	it('GET /collections and GET /collections/{name} have CollectionsResponse and CollectionInfo fields', () => {
		const list = fixture('collections.json');
		expectFields(list, required.response);
		expectFields(list.result, required.collections);
		const info = fixture('collection.json');
		expectFields(info, required.response);
		expectFields(info.result, required.collectionInfo);
		expect(['green', 'yellow', 'grey', 'red']).toContain(info.result.status);
		expectFields(info.result.config, required.collectionConfig);
		expectFields(info.result.config.hnsw_config, required.hnswConfig);
		expectFields(info.result.config.optimizer_config, required.optimizersConfig);
		expectFields(info.result.config.wal_config, required.walConfig);
	});

	it('an error is an ErrorResponse: status.error and time', () => {
		const body = fixture('not-found.json');
		expect(typeof body.status.error).toBe('string');
		expect(typeof body.time).toBe('number');
	});
});
