// Redis as a Sentinel set and as a Cluster, end to end below the screen: the topology collector (pooled connections
// per node, +switch-master followed at once) and the rules, against three real sentinels watching a real master and
// replica, and a real six-node Redis Cluster, on the test's own ports.
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {Concern} from '../../source/core/assessment.js';
import {parseRedisInfo} from '../../source/sources/redis/parse.js';
import type {SourceReading} from '../../source/core/source-model.js';
import {createJudge, emptyClock} from '../../source/core/threshold-judge.js';
import {defaultThresholds} from '../../source/core/thresholds.js';
import type {Collector} from '../../source/sources/collector.js';
import {createKit} from '../../source/sources/kit/index.js';
import {createRedisTopologyCollector, type RedisTopologyConfig, type RedisTopologySample} from '../../source/sources/redis/topology-collector.js';
import {redisTopologyConcerns} from '../../source/sources/redis/topology-rules.js';
import {redisTopologyEvents} from '../../source/sources/redis/topology.js';
import {requireTool} from '../faults/support/servers.js';
import {clusterTestPorts, sentinelTestPorts} from '../support/port-range.js';
import {redisBinariesAvailable, redisCluster, redisCommand, sentinelSet, type ClusterSet, type SentinelSet} from '../support/redis-topology.js';
import {waitFor} from '../support/services.js';

const binaries = requireTool('redis-server and redis-cli', await redisBinariesAvailable(), 'scripts/setup.sh installs them');

const password = 'redis-Node-Secret-4t';
const sentinelPassword = 'sentinel-Secret-8w';

function concernsOf(sample: RedisTopologySample): Concern[] {
	const judge = createJudge(emptyClock, sample.at, {hysteresis: 5, oneShot: true});
	const rungs = {immediate: 85, soon: 70, immediateAction: 'Scale Redis: raise maxmemory or move to a cluster', soonAction: 'Plan Redis capacity'};
	return redisTopologyConcerns(sample.topology, rungs, {judge, thresholds: defaultThresholds, oneShot: true, project: 'p', service: 's', now: sample.at});
}

/** A collector and a way to wait for its next sample that passes a check; every text it ever showed, for events. */
function watch(config: RedisTopologyConfig, intervalMs: number) {
	const source: Collector<SourceReading<RedisTopologySample>> = createRedisTopologyCollector(config, {password, sentinelPassword}, 'redis', createKit({intervalMs, timeoutMs: 2000}));
	const events: string[] = [];
	let last: RedisTopologySample | null = null;
	source.subscribe(() => {
		const sample = source.view().sample;
		if (sample === null || sample === last) return;
		events.push(...redisTopologyEvents(last?.topology, sample.topology).map(event => event.text));
		last = sample;
	});
	source.start();
	return {
		source,
		events,
		async next(check: (sample: RedisTopologySample) => boolean = () => true, timeoutMs = 10_000, after = Date.now()): Promise<RedisTopologySample> {
			return waitFor(() => {
				const view = source.view();
				return view.status.kind === 'ok' && view.sample !== null && view.sample.at >= after && check(view.sample) ? view.sample : undefined;
			}, {timeoutMs, intervalMs: 50, message: 'a reading that passes the check'});
		},
	};
}

describe.skipIf(!binaries)('Redis Sentinel collector against three real sentinels', () => {
	let set: SentinelSet;
	let watched: ReturnType<typeof watch> | undefined;
	const config = () => ({mode: 'sentinel', sentinels: set.sentinels.map(sentinel => sentinel.endpoint), name: set.name}) as const;

	beforeAll(async () => {
		set = await sentinelSet({range: sentinelTestPorts.integration, password, sentinelPassword});
	}, 60_000);

	afterEach(async () => {
		await watched?.source.stop();
		watched = undefined;
	});

	afterAll(async () => {
		await set?.destroy();
	});

	it('finds the master through the sentinels and reads it and its replica, each on its own connection', async () => {
		watched = watch(config(), 250);
		const sample = await watched.next(() => true, 10_000, 0);
		const tier = sample.topology;
		expect(tier.master).toBe(set.master.endpoint);
		expect(tier.sentinel).toMatchObject({name: set.name, reachable: 3, quorum: 2});
		expect(tier.nodes.map(node => [node.endpoint, node.role, node.reachable])).toEqual([
			[set.master.endpoint, 'master', true],
			[set.replica.endpoint, 'replica', true],
		]);
		expect(tier.nodes[1]).toMatchObject({masterEndpoint: set.master.endpoint, linkUp: true});
		// The single-node fields are the master's own INFO memory.
		const masterInfo = parseRedisInfo(String(await redisCommand(set.master, 'INFO', 'memory')));
		expect(sample.maxMemoryBytes).toBe(Number(masterInfo.maxmemory));
		expect(concernsOf(sample)).toEqual([]);
		const shown = JSON.stringify(watched.source.view());
		expect(shown).not.toContain(password);
		expect(shown).not.toContain(sentinelPassword);
	});

	it('follows a SENTINEL FAILOVER to the new master without waiting for its next interval, says so, and keeps the move', async () => {
		// One reading a minute: only the sentinels' +switch-master can make it see the new master in time.
		watched = watch(config(), 60_000);
		await watched.next(() => true, 10_000, 0);
		await redisCommand(set.sentinels[0]!, 'SENTINEL', 'FAILOVER', set.name);
		const moved = await watched.next(sample => sample.topology.master === set.replica.endpoint, 30_000);
		expect(watched.events).toContain(`redis master moved ${set.master.endpoint} → ${set.replica.endpoint}`);
		expect(moved.topology.sentinel!.failovers).toMatchObject([{from: set.master.endpoint, to: set.replica.endpoint}]);
		expect(watched.source.view().status.kind).toBe('ok');
	});

	it('calls fewer sentinels than the quorum IMMEDIATE once two of three are stopped', async () => {
		watched = watch(config(), 250);
		await watched.next(() => true, 10_000, 0);
		await set.sentinels[1]!.stop();
		await set.sentinels[2]!.stop();
		try {
			const sample = await watched.next(next => next.topology.sentinel!.reachable === 1);
			const quorum = concernsOf(sample).find(concern => concern.key === 'redis.sentinels');
			expect(quorum?.level).toBe('IMMEDIATE');
			expect(quorum?.message).toContain(`only 1 of 3 sentinels answer, quorum 2 (down: ${set.sentinels[1]!.endpoint}, ${set.sentinels[2]!.endpoint})`);
		} finally {
			await set.sentinels[1]!.start();
			await set.sentinels[2]!.start();
		}
	});
});

describe.skipIf(!binaries)('Redis Cluster collector against a real six-node cluster', () => {
	let cluster: ClusterSet;
	let watched: ReturnType<typeof watch> | undefined;

	beforeAll(async () => {
		cluster = await redisCluster({range: clusterTestPorts.integration, password});
		watched = watch({mode: 'cluster', seeds: [cluster.nodes[0]!.endpoint]}, 250);
	}, 90_000);

	afterAll(async () => {
		await watched?.source.stop();
		await cluster?.destroy();
	});

	it('finds all six nodes from one seed and reads INFO memory from each node itself', async () => {
		const sample = await watched!.next(() => true, 10_000, 0);
		expect(sample.topology.nodes).toHaveLength(6);
		expect(sample.topology.cluster!.state).toBe('ok');
		expect(sample.topology.nodes.filter(node => node.role === 'master').map(node => node.slots).reduce((a, b) => a + b, 0)).toBe(16384);
		// Each node's own figure: one node gets a maxmemory of its own, and only that node shows it.
		const target = cluster.nodes[4]!;
		await redisCommand(target, 'CONFIG', 'SET', 'maxmemory', '48mb');
		const after = await watched!.next();
		for (const node of after.topology.nodes) expect(node.memory!.maxMemoryBytes).toBe(node.endpoint === target.endpoint ? 48 * 1024 * 1024 : 64 * 1024 * 1024);
		await redisCommand(target, 'CONFIG', 'SET', 'maxmemory', '64mb');
		expect(concernsOf(after)).toEqual([]);
	});

	it('names the one master filled past 85 % of its maxmemory IMMEDIATE while the others are fine', async () => {
		const sample = await watched!.next();
		const master = sample.topology.nodes.find(node => node.role === 'master')!;
		const process = cluster.nodes.find(node => node.endpoint === master.endpoint)!;
		await redisCommand(process, 'CONFIG', 'SET', 'maxmemory', '16mb');
		// Keys of a slot this master serves: a hash tag found by asking the node which slot it hashes to.
		const [from, to] = (await cluster.topology()).find(node => node.endpoint === master.endpoint)!.slots[0]!.split('-').map(Number);
		let tag = '';
		for (let index = 0; tag === ''; index++) {
			const slot = Number(await redisCommand(process, 'CLUSTER', 'KEYSLOT', `{t${index}}`));
			if (slot >= from! && slot <= to!) tag = `{t${index}}`;
		}

		const value = 'x'.repeat(64 * 1024);
		for (let index = 0; ; index++) {
			const info = parseRedisInfo(String(await redisCommand(process, 'INFO', 'memory')));
			if (Number(info.used_memory) / Number(info.maxmemory) > 0.87) break;
			await redisCommand(process, 'SET', `${tag}:${index}`, value);
		}

		const full = await watched!.next(next => next.topology.nodes.some(node => (node.memory?.ratio ?? 0) > 0.85));
		const found = concernsOf(full);
		expect(found.map(concern => [concern.level, concern.key, concern.subject])).toEqual([['IMMEDIATE', 'redis.memory', master.endpoint]]);
		expect(found[0]!.message).toMatch(new RegExp(`^redis memory on ${master.endpoint} \\(master, of maxmemory\\) \\d+% > 85%`));
		for (const node of full.topology.nodes.filter(other => other.endpoint !== master.endpoint)) expect(node.memory!.ratio).toBeLessThan(0.7);
		await redisCommand(process, 'FLUSHALL');
		await redisCommand(process, 'CONFIG', 'SET', 'maxmemory', '64mb');
	});

	it('shows a killed master failed and its replica taking over, then cluster_state fail IMMEDIATE once a master has no replica left', async () => {
		const before = await watched!.next();
		const master = before.topology.nodes.find(node => node.role === 'master')!;
		const replica = before.topology.nodes.find(node => node.role === 'replica' && node.masterEndpoint === master.endpoint)!;
		await cluster.nodes.find(node => node.endpoint === master.endpoint)!.kill();
		const took = await watched!.next(next => next.topology.nodes.find(node => node.endpoint === replica.endpoint)?.role === 'master' && next.topology.nodes.find(node => node.endpoint === master.endpoint)!.clusterFlags.includes('fail'), 30_000);
		expect(watched!.events).toContain(`redis cluster failover: ${replica.endpoint} took over from ${master.endpoint}`);
		const afterFailover = concernsOf(took);
		expect(afterFailover.map(concern => [concern.level, concern.key])).toEqual([
			['SOON', `redis.node-down:${master.id}`],
			['SOON', `redis.replicas:${replica.id}`],
		]);

		// The new master has no replica: kill it too and its slots are lost.
		await cluster.nodes.find(node => node.endpoint === replica.endpoint)!.kill();
		const failed = await watched!.next(next => next.topology.cluster!.state === 'fail', 30_000);
		expect(concernsOf(failed)[0]).toMatchObject({level: 'IMMEDIATE', key: 'redis.cluster-state'});
		expect(watched!.events).toContain('redis cluster_state ok → fail');
		expect(watched!.source.view().status.kind).toBe('ok');
	}, 90_000);
});
