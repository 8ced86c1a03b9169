// The rules of Redis as several nodes, on hand-made topologies. Pure.
import {describe, expect, it} from 'vitest';
import type {Concern} from '../../../source/core/assessment.js';
import {createJudge, emptyClock} from '../../../source/core/threshold-judge.js';
import {defaultThresholds} from '../../../source/core/thresholds.js';
import {redisTopologyConcerns, type MemoryRungs} from '../../../source/sources/redis/topology-rules.js';
import type {RedisNodeSample, RedisTopology} from '../../../source/sources/redis/topology.js';

const rungs: MemoryRungs = {immediate: 85, soon: 70, immediateAction: 'Scale Redis: raise maxmemory or move to a cluster', soonAction: 'Plan Redis capacity'};

function node(endpoint: string, role: 'master' | 'replica', ratio: number | null, over: Partial<RedisNodeSample> = {}): RedisNodeSample {
	const max = 64 * 1024 * 1024;
	return {
		endpoint,
		role,
		reachable: ratio !== null,
		error: ratio === null ? `connection refused at ${endpoint}` : null,
		memory: ratio === null ? null : {usedMemoryBytes: Math.round(max * ratio), usedMemoryRssBytes: 0, maxMemoryBytes: max, totalSystemMemoryBytes: 0, limitBytes: max, limitSource: 'maxmemory', fragmentationRatio: 1, ratio, at: 1},
		masterEndpoint: null,
		linkUp: role === 'replica' ? true : null,
		clusterFlags: [],
		slots: 0,
		id: endpoint,
		at: 1,
		...over,
	};
}

function concerns(topology: RedisTopology, oneShot = true): Concern[] {
	const judge = createJudge(emptyClock, 1000, {hysteresis: 5, oneShot});
	return redisTopologyConcerns(topology, rungs, {judge, thresholds: defaultThresholds, oneShot, project: 'p', service: 's', now: 1000});
}

function cluster(nodes: RedisNodeSample[], state = 'ok'): RedisTopology {
	return {mode: 'cluster', nodes, master: null, sentinel: null, cluster: {state, slotsAssigned: 16384, slotsFail: 0, knownNodes: nodes.length, seenFrom: nodes[0]!.endpoint}, at: 1};
}

const sixNodes = () => [
	node('n:7000', 'master', 0.2, {slots: 5461}),
	node('n:7001', 'master', 0.2, {slots: 5462}),
	node('n:7002', 'master', 0.2, {slots: 5461}),
	node('n:7003', 'replica', 0.2, {masterEndpoint: 'n:7000'}),
	node('n:7004', 'replica', 0.2, {masterEndpoint: 'n:7001'}),
	node('n:7005', 'replica', 0.2, {masterEndpoint: 'n:7002'}),
];

function sentinelSet(over: Partial<NonNullable<RedisTopology['sentinel']>> = {}, nodes = [node('m:6381', 'master', 0.3), node('r:6382', 'replica', 0.3, {masterEndpoint: 'm:6381'})]): RedisTopology {
	const sentinels = ['s:26379', 's:26380', 's:26381'].map(endpoint => ({endpoint, reachable: true, error: null, master: 'm:6381'}));
	return {mode: 'sentinel', nodes, master: 'm:6381', sentinel: {name: 'vamaster', sentinels, reachable: 3, quorum: 2, masterFlags: [], failovers: [], ...over}, cluster: null, at: 1};
}

describe('rules of a Redis Cluster', () => {
	it('finds nothing to say about six healthy nodes', () => {
		expect(concerns(cluster(sixNodes()))).toEqual([]);
	});

	it('names the one master over 85 % IMMEDIATE while the average of the cluster is low', () => {
		const nodes = sixNodes();
		nodes[1] = node('n:7001', 'master', 0.95, {slots: 5462});
		const [memory, ...rest] = concerns(cluster(nodes));
		expect(rest).toEqual([]);
		expect(memory).toMatchObject({level: 'IMMEDIATE', key: 'redis.memory', subject: 'n:7001'});
		expect(memory!.message).toBe('redis memory on n:7001 (master, of maxmemory) 95% > 85%: Scale Redis: raise maxmemory or move to a cluster');
	});

	it('lists the other nodes over SOON after the fullest one', () => {
		const nodes = sixNodes();
		nodes[1] = node('n:7001', 'master', 0.9, {slots: 5462});
		nodes[4] = node('n:7004', 'replica', 0.75, {masterEndpoint: 'n:7001'});
		expect(concerns(cluster(nodes))[0]!.message).toContain('(also over 70%: n:7004 75%)');
	});

	it('calls cluster_state fail IMMEDIATE, a failed node SOON, and its orphaned master short of a replica', () => {
		const nodes = sixNodes();
		nodes[4] = node('n:7004', 'replica', null, {masterEndpoint: 'n:7001', clusterFlags: ['fail']});
		nodes[1] = node('n:7001', 'master', null, {slots: 5462, clusterFlags: ['fail']});
		const found = concerns(cluster(nodes, 'fail'));
		expect(found.map(concern => [concern.level, concern.key])).toEqual([
			['IMMEDIATE', 'redis.cluster-state'],
			['SOON', 'redis.node-down:n:7001'],
			['SOON', 'redis.node-down:n:7004'],
		]);
		expect(found[0]!.message).toBe('redis cluster_state is fail, 16384 of 16384 slots assigned; failed: n:7001, n:7004: Bring the failed masters back, or fail over to their replicas (CLUSTER FAILOVER)');
		expect(found[1]!.message).toContain('redis node n:7001 (master of 5462 slots) is down: the cluster flags it fail');
	});

	it('says a master that lost its replica has none, and a node va-top cannot read is not assessed', () => {
		const nodes = sixNodes();
		nodes[3] = node('n:7003', 'replica', null, {masterEndpoint: 'n:7000', clusterFlags: ['fail']});
		nodes[5] = node('n:7005', 'replica', null, {masterEndpoint: 'n:7002'});
		const found = concerns(cluster(nodes));
		expect(found.map(concern => [concern.level, concern.key])).toEqual([
			['SOON', 'redis.node-down:n:7003'],
			['UNKNOWN', 'redis.node:n:7005'],
			['SOON', 'redis.replicas:n:7000'],
		]);
	});
});

describe('rules of a Redis Sentinel set', () => {
	it('finds nothing to say about a master with a replica in sync and three sentinels', () => {
		expect(concerns(sentinelSet())).toEqual([]);
	});

	it('calls fewer sentinels than the quorum IMMEDIATE', () => {
		const sentinels = ['s:26379', 's:26380', 's:26381'].map((endpoint, index) => ({endpoint, reachable: index === 0, error: index === 0 ? null : 'connection refused', master: index === 0 ? 'm:6381' : null}));
		const found = concerns(sentinelSet({sentinels, reachable: 1}));
		expect(found.map(concern => [concern.level, concern.message.split(':')[0]])).toEqual([['IMMEDIATE', 'only 1 of 3 sentinels answer, quorum 2 (down']]);
		// None answers at all: the quorum is not known, and none is below any.
		const none = sentinels.map(sentinel => ({...sentinel, reachable: false, master: null}));
		expect(concerns(sentinelSet({sentinels: none, reachable: 0, quorum: null}))[0]!.message).toContain('only 0 of 3 sentinels answer, quorum 2');
	});

	it('says a master with no replica in sync, naming why, SOON', () => {
		const found = concerns(sentinelSet({}, [node('m:6381', 'master', 0.3), node('r:6382', 'replica', 0.3, {masterEndpoint: 'm:6381', linkUp: false})]));
		expect(found.map(concern => concern.message)).toEqual(['redis master m:6381 has no replica in sync (r:6382 link down): Add a replica (runbook: 3 masters + 3 replicas), or repair the one that is down']);
	});

	it('calls a master the sentinels see down IMMEDIATE, and one va-top cannot read not assessed', () => {
		const found = concerns(sentinelSet({masterFlags: ['s_down', 'o_down']}, [node('m:6381', 'master', null), node('r:6382', 'replica', 0.3, {masterEndpoint: 'm:6381', linkUp: false})]));
		expect(found.map(concern => [concern.level, concern.key])).toEqual([
			['IMMEDIATE', 'redis.master-down'],
			['SOON', 'redis.replicas'],
			['UNKNOWN', 'redis.node:m:6381'],
		]);
	});

	it("names the master's memory against its maxmemory", () => {
		const found = concerns(sentinelSet({}, [node('m:6381', 'master', 0.9), node('r:6382', 'replica', 0.3, {masterEndpoint: 'm:6381'})]));
		expect(found[0]!.message).toMatch(/^redis memory on m:6381 \(master, of maxmemory\) 90% > 85%/);
	});
});
