// The rules of a PostgreSQL tier of several nodes, on hand-made tiers. Pure.
import {describe, expect, it} from 'vitest';
import type {Concern} from '../../../source/core/assessment.js';
import {createJudge, emptyClock} from '../../../source/core/threshold-judge.js';
import {defaultThresholds, type Thresholds} from '../../../source/core/thresholds.js';
import {pgNodesConcerns, type ConnectionRungs} from '../../../source/sources/postgres/nodes-rules.js';
import {buildTopology, type PgNodeRaw, type PgNodeReading, type PgTopology} from '../../../source/sources/postgres/topology.js';

const rungs: ConnectionRungs = {immediate: 80, soon: 70, immediateAction: 'Scale database connections or add read replica', soonAction: 'Plan database capacity'};
const MiB = 1024 * 1024;

function raw(inRecovery: boolean, over: Partial<PgNodeRaw> = {}): PgNodeRaw {
	return {
		inRecovery,
		connections: 10,
		active: 2,
		hiddenSessions: 0,
		maxConnections: 100,
		systemId: '1',
		currentLsn: inRecovery ? null : '1/0',
		receiveLsn: inRecovery ? '1/0' : null,
		replayLsn: inRecovery ? '1/0' : null,
		replayPaused: inRecovery ? false : null,
		replayAgeSeconds: inRecovery ? 0 : null,
		receiverStatus: inRecovery ? 'streaming' : null,
		upstream: null,
		streamingName: inRecovery ? 'r' : null,
		replication: inRecovery ? [] : [{applicationName: 'r1', clientAddr: null, state: 'streaming', syncState: 'async', replayLsn: '1/0', lagBytes: 0, writeLagSeconds: null, flushLagSeconds: null, replayLagSeconds: null}, {applicationName: 'r2', clientAddr: null, state: 'streaming', syncState: 'async', replayLsn: '1/0', lagBytes: 0, writeLagSeconds: null, flushLagSeconds: null, replayLagSeconds: null}],
		...over,
	};
}

const node = (endpoint: string, value: PgNodeRaw | null): PgNodeReading => ({endpoint, raw: value, error: value ? null : `connection refused at ${endpoint}`, at: value ? 1 : null});

function concerns(tier: PgTopology, thresholds: Thresholds = defaultThresholds, oneShot = false): Concern[] {
	const judge = createJudge(emptyClock, 1000, {hysteresis: 5, oneShot});
	return pgNodesConcerns(tier, rungs, {judge, thresholds, oneShot, project: 'p', service: 's', now: 1000});
}

const healthy = () => [node('p:5432', raw(false)), node('r1:5432', raw(true, {streamingName: 'r1'})), node('r2:5432', raw(true, {streamingName: 'r2'}))];

describe('rules of a PostgreSQL tier', () => {
	it('finds nothing to say about a healthy primary with two streaming replicas', () => {
		expect(concerns(buildTopology(healthy(), 1))).toEqual([]);
	});

	it('applies the connection ratio per node, worded with the node, the primary under the single-node key', () => {
		const nodes = healthy();
		nodes[1] = node('r1:5432', raw(true, {streamingName: 'r1', connections: 85}));
		nodes[0] = node('p:5432', raw(false, {connections: 75}));
		const found = concerns(buildTopology(nodes, 1));
		expect(found.map(concern => [concern.level, concern.key])).toEqual([
			['SOON', 'database.connections'],
			['IMMEDIATE', 'database.connections:r1:5432'],
		]);
		expect(found[1]!.message).toBe('database connections on r1:5432 (replica) 85/100 (2 active) 85% > 80%: Scale database connections or add read replica');
	});

	it('says a replica is LAG behind, SOON over 16 MB and IMMEDIATE over 256 MB, or over 30 s and 300 s', () => {
		const at = (lsn: string, over: Partial<PgNodeRaw> = {}) => {
			const nodes = healthy();
			nodes[1] = node('r1:5432', raw(true, {streamingName: 'r1', replayLsn: lsn, receiveLsn: lsn, ...over}));
			return concerns(buildTopology(nodes, 1));
		};

		// 1/0 minus 0/FE000000 = 32 MiB.
		const soon = at('0/FE000000');
		expect(soon.map(concern => concern.level)).toEqual(['SOON']);
		expect(soon[0]!.message).toBe('Replica r1:5432 is 32M behind: reads from it are stale (32M > 16M): Check the replica (replay paused, disk, network) or take it out of the read pool');
		// 300 MiB behind.
		expect(at('0/ED400000').map(concern => [concern.level, concern.key])).toEqual([['IMMEDIATE', 'database.replica-lag:r1:5432']]);
		// No byte lag, but it has not replayed what it received for 400 s, replay paused.
		const slow = at('1/0', {receiveLsn: '1/100', replayAgeSeconds: 400, replayPaused: true});
		expect(slow[0]!.level).toBe('IMMEDIATE');
		expect(slow[0]!.message).toMatch(/^Replica r1:5432 is 400s behind, replay paused: reads from it are stale \(400s > 300s\)/);
		// Under both: nothing.
		expect(at('0/FF800000')).toEqual([]);
	});

	it('follows --replica-lag-soon given in bytes', () => {
		const nodes = healthy();
		nodes[1] = node('r1:5432', raw(true, {streamingName: 'r1', replayLsn: '0/FF000000', receiveLsn: '0/FF000000'}));
		expect(concerns(buildTopology(nodes, 1), {...defaultThresholds, replicaLagSoon: 8 * MiB})[0]!.message).toContain('(16M > 8M)');
	});

	it('calls a replica whose WAL receiver stopped IMMEDIATE, and the primary short of a replica SOON', () => {
		const nodes = healthy();
		nodes[2] = node('r2:5432', raw(true, {streamingName: 'r2', receiverStatus: null}));
		nodes[0] = node('p:5432', raw(false, {replication: raw(false).replication.slice(0, 1)}));
		const found = concerns(buildTopology(nodes, 1));
		expect(found.map(concern => [concern.level, concern.key, concern.message.split(':')[0]])).toEqual([
			['IMMEDIATE', 'database.streaming:r2:5432', 'Replica r2'],
			['SOON', 'database.replicas', 'Primary p'],
		]);
		expect(found[0]!.message).toContain('Replica r2:5432 is not streaming (WAL receiver not running)');
		expect(found[1]!.message).toContain('Primary p:5432 streams to 1 of the 2 replicas configured (not streaming: r2:5432)');
	});

	it('says a stopped replica is not streaming when the primary confirms it, and not assessed when nobody can', () => {
		const first = buildTopology(healthy(), 1);
		const stopped = [node('p:5432', raw(false, {replication: raw(false).replication.slice(0, 1)})), healthy()[1]!, node('r2:5432', null)];
		const found = concerns(buildTopology(stopped, 2, first));
		expect(found[0]!.message).toBe('Replica r2:5432 is not streaming (unreachable: connection refused at r2:5432; the primary has no stream to it): Restart the replica or re-create it with pg_basebackup; take it out of the read pool meanwhile');
		const blind = concerns(buildTopology([node('p:5432', null), healthy()[1]!, node('r2:5432', null)], 2, first));
		expect(blind.map(concern => [concern.level, concern.key])).toEqual([
			['UNKNOWN', 'database.node:p:5432'],
			['UNKNOWN', 'database.node:r2:5432'],
		]);
	});

	it('calls two primaries, and a tier of replicas only, IMMEDIATE', () => {
		const two = concerns(buildTopology([node('p:5432', raw(false)), node('r1:5432', raw(false, {replication: []})), healthy()[2]!], 1));
		expect(two.find(concern => concern.key === 'database.primaries')?.message).toBe('2 nodes answer as primary: p:5432, r1:5432: Fence the old primary: only one node may take writes');
		const none = concerns(buildTopology([node('r1:5432', raw(true)), node('r2:5432', raw(true))], 1));
		expect(none.map(concern => [concern.level, concern.message.split(':')[0]])).toEqual([['IMMEDIATE', 'no primary']]);
	});

	it('keeps the single-node wording for one node', () => {
		const found = concerns(buildTopology([node('db:5432', raw(false, {connections: 90, replication: []}))], 1));
		expect(found.map(concern => concern.key)).toEqual(['database.connections']);
	});
});
