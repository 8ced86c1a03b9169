// Redis Sentinel and Cluster wire formats and the topology built from them. Pure.
import {describe, expect, it} from 'vitest';
import {
	agreedMaster,
	clusterInfo,
	fullestNode,
	nextFailovers,
	nodeSample,
	pairsToRecord,
	parseClusterNodes,
	redisTopologyEvents,
	replicationInfo,
	type RedisTopology,
} from '../../../source/sources/redis/topology.js';

// Redis 7 CLUSTER NODES after a master (7001) was killed and its replica (7004) took over.
const clusterNodes = [
	'a1b2 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-5460',
	'c3d4 127.0.0.1:7001@17001 master,fail - 1700000000000 1700000000000 2 disconnected',
	'e5f6 127.0.0.1:7002@17002 master - 0 1700000001000 3 connected 10923-16383',
	'g7h8 127.0.0.1:7003@17003 slave e5f6 0 1700000001000 3 connected',
	'i9j0 127.0.0.1:7004@17004 master - 0 1700000001000 7 connected 5461-10922 [5461->-c3d4]',
	'k1l2 127.0.0.1:7005@17005 slave a1b2 0 1700000001000 1 connected',
	'm3n4 :0@0 master,noaddr - 0 0 0 disconnected',
].join('\n');

const memory = (used: number, max: number) => `# Memory\r\nused_memory:${used}\r\nmaxmemory:${max}\r\ntotal_system_memory:1000000000\r\nused_memory_rss:${used}\r\nmem_fragmentation_ratio:1.1\r\n`;

describe('Redis wire formats', () => {
	it('reads CLUSTER NODES: roles, masters, flags, served slots; nodes without an address left out', () => {
		const nodes = parseClusterNodes(clusterNodes);
		expect(nodes.map(node => [node.endpoint, node.role, node.masterId, node.flags.join(','), node.slots])).toEqual([
			['127.0.0.1:7000', 'master', null, 'master', 5461],
			['127.0.0.1:7001', 'master', null, 'master,fail', 0],
			['127.0.0.1:7002', 'master', null, 'master', 5461],
			['127.0.0.1:7003', 'replica', 'e5f6', 'slave', 0],
			['127.0.0.1:7004', 'master', null, 'master', 5462],
			['127.0.0.1:7005', 'replica', 'a1b2', 'slave', 0],
		]);
	});

	it('reads CLUSTER INFO, INFO replication and a SENTINEL MASTER reply', () => {
		expect(clusterInfo('cluster_state:fail\r\ncluster_slots_assigned:10923\r\ncluster_slots_fail:0\r\ncluster_known_nodes:6\r\n')).toEqual({state: 'fail', slotsAssigned: 10923, slotsFail: 0, knownNodes: 6});
		expect(replicationInfo('# Replication\r\nrole:slave\r\nmaster_host:10.0.0.5\r\nmaster_port:6381\r\nmaster_link_status:down\r\n')).toEqual({role: 'replica', masterEndpoint: '10.0.0.5:6381', linkUp: false, connectedReplicas: null});
		expect(replicationInfo('role:master\r\nconnected_slaves:2\r\n')).toEqual({role: 'master', masterEndpoint: null, linkUp: null, connectedReplicas: 2});
		expect(pairsToRecord(['name', 'vamaster', 'ip', '10.0.0.5', 'port', '6381', 'quorum', '2'])).toEqual({name: 'vamaster', ip: '10.0.0.5', port: '6381', quorum: '2'});
	});

	it("takes a node's role from its own INFO over what others say, and names why it has no reading", () => {
		const answered = nodeSample({endpoint: 'a:1', memoryText: memory(50, 100), replicationText: 'role:slave\r\nmaster_host:b\r\nmaster_port:2\r\nmaster_link_status:up\r\n', error: null, at: 5}, {role: 'master'});
		expect(answered).toMatchObject({role: 'replica', reachable: true, masterEndpoint: 'b:2', linkUp: true, error: null});
		expect(answered.memory!.ratio).toBe(0.5);
		const broken = nodeSample({endpoint: 'a:1', memoryText: 'garbage', replicationText: null, error: null, at: 5}, {role: 'master'});
		expect(broken).toMatchObject({reachable: false, error: 'INFO memory reply has no used_memory', memory: null});
	});
});

function sentinelTopology(master: string | null, at = 1, previous?: RedisTopology): RedisTopology {
	return {
		mode: 'sentinel',
		nodes: [],
		master,
		sentinel: {name: 'm', sentinels: [], reachable: 3, quorum: 2, masterFlags: [], failovers: nextFailovers(previous, master, at)},
		cluster: null,
		at,
	};
}

describe('Redis topology over time', () => {
	it("agrees on the master most sentinels name (a stale one's word loses)", () => {
		const sentinel = (master: string | null) => ({endpoint: 's', reachable: master !== null, error: null, master});
		expect(agreedMaster([sentinel('a:1'), sentinel('b:2'), sentinel('b:2')])).toBe('b:2');
		expect(agreedMaster([sentinel('a:1'), sentinel(null)])).toBe('a:1');
		expect(agreedMaster([sentinel(null)])).toBeNull();
	});

	it('logs "redis master moved A → B" once and keeps every move in the history', () => {
		const first = sentinelTopology('10.0.0.5:6381', 1);
		const moved = sentinelTopology('10.0.0.6:6382', 2, first);
		expect(redisTopologyEvents(first, moved)).toEqual([{level: 'IMMEDIATE', key: 'redis.failover', text: 'redis master moved 10.0.0.5:6381 → 10.0.0.6:6382'}]);
		expect(moved.sentinel!.failovers).toEqual([{at: 2, from: '10.0.0.5:6381', to: '10.0.0.6:6382'}]);
		const still = sentinelTopology('10.0.0.6:6382', 3, moved);
		expect(redisTopologyEvents(moved, still)).toEqual([]);
		expect(still.sentinel!.failovers).toHaveLength(1);
		// No sentinel answers for a while: no move, and the history is kept.
		const blind = sentinelTopology(null, 4, still);
		expect(redisTopologyEvents(still, blind)).toEqual([]);
		expect(blind.sentinel!.failovers).toHaveLength(1);
	});

	it('logs a cluster failover by node id, and cluster_state changes', () => {
		const node = (id: string, endpoint: string, role: 'master' | 'replica', masterEndpoint: string | null) => ({endpoint, role, reachable: true, error: null, memory: null, masterEndpoint, linkUp: null, clusterFlags: [], slots: 0, id, at: 1});
		const cluster = (state: string, nodes: ReturnType<typeof node>[]): RedisTopology => ({mode: 'cluster', nodes, master: null, sentinel: null, cluster: {state, slotsAssigned: 16384, slotsFail: 0, knownNodes: 6, seenFrom: null}, at: 1});
		const before = cluster('ok', [node('c3d4', '127.0.0.1:7001', 'master', null), node('i9j0', '127.0.0.1:7004', 'replica', '127.0.0.1:7001')]);
		const during = cluster('fail', [node('c3d4', '127.0.0.1:7001', 'master', null), node('i9j0', '127.0.0.1:7004', 'replica', '127.0.0.1:7001')]);
		const after = cluster('ok', [node('c3d4', '127.0.0.1:7001', 'master', null), node('i9j0', '127.0.0.1:7004', 'master', null)]);
		expect(redisTopologyEvents(before, during).map(event => event.text)).toEqual(['redis cluster_state ok → fail']);
		expect(redisTopologyEvents(during, after).map(event => event.text)).toEqual(['redis cluster failover: 127.0.0.1:7004 took over from 127.0.0.1:7001', 'redis cluster_state fail → ok']);
	});

	it('finds the fullest node among those read', () => {
		const node = (endpoint: string, ratio: number | null) => ({endpoint, memory: ratio === null ? null : {ratio}}) as never;
		expect(fullestNode([node('a', 0.2), node('b', 0.9), node('c', null), node('d', 0.5)])).toMatchObject({endpoint: 'b'});
		expect(fullestNode([node('c', null)])).toBeUndefined();
	});
});
