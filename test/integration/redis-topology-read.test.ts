// The Sentinel and Cluster readings (sentinel-reader.ts, cluster-reader.ts) against real servers on the test's own
// ports: three real sentinels watching a real master and replica, and a real six-node Redis Cluster.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {redisRetryDelay as backoffDelay} from '../../source/sources/redis/redis-collector.js';
import {readClusterTopology} from '../../source/sources/redis/cluster-reader.js';
import {createNodePool, type NodePool} from '../../source/sources/redis/node-pool.js';
import {readSentinelTopology} from '../../source/sources/redis/sentinel-reader.js';
import {parseRedisInfo} from '../../source/core/redis-info.js';
import {fullestNode, redisTopologyEvents, type RedisTopology} from '../../source/sources/redis/topology.js';
import {requireTool} from '../faults/support/servers.js';
import {clusterTestPorts, sentinelTestPorts} from '../support/port-range.js';
import {redisBinariesAvailable, redisCluster, redisCommand, sentinelSet, type ClusterSet, type SentinelSet} from '../support/redis-topology.js';
import {waitFor} from '../support/services.js';

const binaries = requireTool('redis-server and redis-cli', await redisBinariesAvailable(), 'scripts/setup.sh installs them');

const password = 'redis-Node-Secret-4t';
const sentinelPassword = 'sentinel-Secret-8w';

function pool(secret: string): NodePool {
	return createNodePool({password: secret, timeoutMs: 2000, retryDelay: backoffDelay});
}

describe.skipIf(!binaries)('Redis Sentinel reading against three real sentinels', () => {
	let set: SentinelSet;
	const pools = {sentinels: pool(sentinelPassword), nodes: pool(password)};
	let topology: RedisTopology | undefined;
	const read = async () => {
		const next = await readSentinelTopology({sentinels: set.sentinels.map(sentinel => sentinel.endpoint), name: set.name}, pools, topology);
		const events = redisTopologyEvents(topology, next);
		topology = next;
		return {topology: next, events};
	};

	beforeAll(async () => {
		set = await sentinelSet({range: sentinelTestPorts.integration, password, sentinelPassword});
	}, 60_000);

	afterAll(async () => {
		await pools.sentinels.close();
		await pools.nodes.close();
		await set?.destroy();
	});

	it('finds the master through the sentinels and reads it and its replica, each on its own connection', async () => {
		const {topology: tier} = await read();
		expect(tier.master).toBe(set.master.endpoint);
		expect(tier.sentinel).toMatchObject({name: set.name, reachable: 3, quorum: 2});
		expect(tier.nodes.map(node => [node.endpoint, node.role, node.reachable])).toEqual([
			[set.master.endpoint, 'master', true],
			[set.replica.endpoint, 'replica', true],
		]);
		expect(tier.nodes[1]!.masterEndpoint).toBe(set.master.endpoint);
		expect(tier.nodes[1]!.linkUp).toBe(true);
		// Each node's figures are its own: maxmemory as that node reports it.
		const replicaInfo = parseRedisInfo(String(await redisCommand(set.replica, 'INFO', 'memory')));
		expect(tier.nodes[1]!.memory!.maxMemoryBytes).toBe(Number(replicaInfo.maxmemory));
		expect(JSON.stringify(tier)).not.toContain(password);
		expect(JSON.stringify(tier)).not.toContain(sentinelPassword);
	});

	it('follows a SENTINEL FAILOVER to the new master and keeps the move in its history', async () => {
		await read();
		await redisCommand(set.sentinels[0]!, 'SENTINEL', 'FAILOVER', set.name);
		const moved = await waitFor(async () => {
			const result = await read();
			return result.events.length > 0 ? result : undefined;
		}, {timeoutMs: 20_000, intervalMs: 250, message: 'the master moved'});
		expect(moved.events.map(event => event.text)).toEqual([`redis master moved ${set.master.endpoint} → ${set.replica.endpoint}`]);
		expect(moved.topology.master).toBe(set.replica.endpoint);
		expect(moved.topology.sentinel!.failovers).toMatchObject([{from: set.master.endpoint, to: set.replica.endpoint}]);
		// The old master comes back as the new master's replica.
		await waitFor(async () => {
			const {topology: tier} = await read();
			const old = tier.nodes.find(node => node.endpoint === set.master.endpoint);
			return old?.role === 'replica' && old.linkUp === true;
		}, {timeoutMs: 20_000, intervalMs: 250, message: 'the old master replicates the new one'});
		expect(topology!.sentinel!.failovers).toHaveLength(1);
	});

	it('counts the sentinels that answer, below the quorum once two are stopped', async () => {
		await set.sentinels[1]!.stop();
		await set.sentinels[2]!.stop();
		try {
			const {topology: tier} = await read();
			expect(tier.sentinel!.reachable).toBe(1);
			expect(tier.sentinel!.quorum).toBe(2);
			expect(tier.sentinel!.sentinels.filter(sentinel => !sentinel.reachable).map(sentinel => sentinel.error)).toEqual([
				`connection refused at ${set.sentinels[1]!.endpoint}`,
				`connection refused at ${set.sentinels[2]!.endpoint}`,
			]);
		} finally {
			await set.sentinels[1]!.start();
			await set.sentinels[2]!.start();
		}
	});
});

describe.skipIf(!binaries)('Redis Cluster reading against a real six-node cluster', () => {
	let cluster: ClusterSet;
	const nodes = pool(password);
	let topology: RedisTopology | undefined;
	const read = async () => {
		const next = await readClusterTopology({seeds: [cluster.nodes[0]!.endpoint]}, nodes, topology);
		const events = redisTopologyEvents(topology, next);
		topology = next;
		return {topology: next, events};
	};

	beforeAll(async () => {
		cluster = await redisCluster({range: clusterTestPorts.integration, password});
	}, 90_000);

	afterAll(async () => {
		await nodes.close();
		await cluster?.destroy();
	});

	it('finds all six nodes from one seed and reads INFO memory from each node itself', async () => {
		const {topology: tier} = await read();
		expect(tier.nodes).toHaveLength(6);
		expect(tier.cluster!.state).toBe('ok');
		expect(tier.nodes.filter(node => node.role === 'master').map(node => node.slots).reduce((a, b) => a + b, 0)).toBe(16384);
		expect(tier.nodes.every(node => node.reachable)).toBe(true);
		// A node's own figure: give one node a maxmemory of its own and see it on that node only.
		const target = cluster.nodes[4]!;
		await redisCommand(target, 'CONFIG', 'SET', 'maxmemory', '48mb');
		const {topology: after} = await read();
		for (const node of after.nodes) expect(node.memory!.maxMemoryBytes).toBe(node.endpoint === target.endpoint ? 48 * 1024 * 1024 : 64 * 1024 * 1024);
		await redisCommand(target, 'CONFIG', 'SET', 'maxmemory', '64mb');
	});

	it('names the one master filled past 85 % of its maxmemory as the fullest node', async () => {
		const {topology: tier} = await read();
		const master = tier.nodes.find(node => node.role === 'master')!;
		const process = cluster.nodes.find(node => node.endpoint === master.endpoint)!;
		await redisCommand(process, 'CONFIG', 'SET', 'maxmemory', '16mb');
		// Keys of a slot this master serves: a hash tag found by asking the node which slot it hashes to.
		const [from, to] = (await cluster.topology()).find(node => node.endpoint === master.endpoint)!.slots[0]!.split('-').map(Number);
		let tag = '';
		for (let index = 0; ; index++) {
			const slot = Number(await redisCommand(process, 'CLUSTER', 'KEYSLOT', `{t${index}}`));
			if (slot >= from! && slot <= to!) {
				tag = `{t${index}}`;
				break;
			}
		}

		const value = 'x'.repeat(64 * 1024);
		for (let index = 0; ; index++) {
			const info = parseRedisInfo(String(await redisCommand(process, 'INFO', 'memory')));
			if (Number(info.used_memory) / Number(info.maxmemory) > 0.87) break;
			await redisCommand(process, 'SET', `${tag}:${index}`, value);
		}

		const {topology: full} = await read();
		const worst = fullestNode(full.nodes)!;
		expect(worst.endpoint).toBe(master.endpoint);
		expect(worst.memory!.ratio).toBeGreaterThan(0.85);
		for (const node of full.nodes.filter(other => other.endpoint !== master.endpoint)) expect(node.memory!.ratio).toBeLessThan(0.7);
		await redisCommand(process, 'FLUSHALL');
		await redisCommand(process, 'CONFIG', 'SET', 'maxmemory', '64mb');
	});

	it('shows a killed master as failed, its replica taking over, and cluster_state fail once a master has no replica left', async () => {
		const before = await read();
		const master = before.topology.nodes.find(node => node.role === 'master')!;
		const replica = before.topology.nodes.find(node => node.role === 'replica' && node.masterEndpoint === master.endpoint)!;
		await cluster.nodes.find(node => node.endpoint === master.endpoint)!.kill();
		const events: string[] = [];
		const killedAt = Date.now();
		await waitFor(async () => {
			const result = await read();
			events.push(...result.events.map(event => event.text));
			return result.topology.nodes.find(node => node.endpoint === replica.endpoint)?.role === 'master';
		}, {timeoutMs: 30_000, intervalMs: 250, message: 'the replica took over'});
		console.log(`cluster failover seen ${Date.now() - killedAt} ms after the kill`);
		expect(events).toContain(`redis cluster failover: ${replica.endpoint} took over from ${master.endpoint}`);
		const dead = topology!.nodes.find(node => node.endpoint === master.endpoint)!;
		expect(dead.reachable).toBe(false);
		expect(dead.error).toBe(`connection refused at ${master.endpoint}`);
		await waitFor(async () => (await read()).topology.nodes.find(node => node.endpoint === master.endpoint)!.clusterFlags.includes('fail'), {timeoutMs: 20_000, intervalMs: 250, message: 'the cluster flags it fail'});

		// The new master has no replica: kill it too and its slots are lost.
		await cluster.nodes.find(node => node.endpoint === replica.endpoint)!.kill();
		const failed = await waitFor(async () => {
			const result = await read();
			return result.topology.cluster!.state === 'fail' ? result.topology : undefined;
		}, {timeoutMs: 30_000, intervalMs: 250, message: 'cluster_state fail'});
		expect(failed.cluster!.slotsFail ?? 0).toBeGreaterThanOrEqual(0);
		expect(failed.nodes.filter(node => node.reachable)).toHaveLength(4);
	}, 90_000);
});
