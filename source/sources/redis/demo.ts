// Pure: the demo's Redis, a master and a replica watched by three sentinels. At 150 s into every 180 s cycle the
// sentinels fail over: the master moves to the other node (cache-a ↔ cache-b), and the move stays in the history.
import type {DemoWorld} from '../../core/source-model.js';
import {readRedis} from '../demo/load-model.js';
import type {RedisSample} from './parse.js';
import type {RedisFailover, RedisNodeSample, RedisTopology} from './topology.js';

export const demoRedisNodes = ['cache-a:6379', 'cache-b:6379'] as const;
const sentinelEndpoints = ['sentinel-1:26379', 'sentinel-2:26379', 'sentinel-3:26379'];
const cycleMs = 180_000;
const failoverAtMs = 150_000;

/** Failovers so far at this point of the demo. */
export function demoFailovers(elapsedMs: number): number {
	return elapsedMs < failoverAtMs ? 0 : Math.floor((elapsedMs - failoverAtMs) / cycleMs) + 1;
}

export function demoRedisSample(world: DemoWorld, at: number): RedisSample {
	const reading = readRedis(world.seed, world.elapsedMs);
	const count = demoFailovers(world.elapsedMs);
	const master = demoRedisNodes[count % 2]!;
	const replica = demoRedisNodes[(count + 1) % 2]!;
	const started = at - world.elapsedMs;
	const failovers: RedisFailover[] = [];
	for (let index = Math.max(1, count - 9); index <= count; index++) {
		failovers.push({at: started + failoverAtMs + (index - 1) * cycleMs, from: demoRedisNodes[(index - 1) % 2]!, to: demoRedisNodes[index % 2]!});
	}

	const memory = (usedMemoryBytes: number) => ({
		usedMemoryBytes,
		usedMemoryRssBytes: Math.round(usedMemoryBytes * reading.fragmentationRatio),
		maxMemoryBytes: reading.maxMemoryBytes,
		totalSystemMemoryBytes: reading.totalSystemMemoryBytes,
		limitBytes: reading.maxMemoryBytes,
		limitSource: 'maxmemory' as const,
		fragmentationRatio: reading.fragmentationRatio,
		ratio: usedMemoryBytes / reading.maxMemoryBytes,
		at,
	});
	const node = (endpoint: string, role: 'master' | 'replica', used: number): RedisNodeSample => ({
		endpoint,
		role,
		reachable: true,
		error: null,
		memory: memory(used),
		masterEndpoint: role === 'replica' ? master : null,
		linkUp: role === 'replica' ? true : null,
		clusterFlags: [],
		slots: 0,
		id: null,
		at,
	});
	const topology: RedisTopology = {
		mode: 'sentinel',
		nodes: [node(master, 'master', reading.usedMemoryBytes), node(replica, 'replica', Math.round(reading.usedMemoryBytes * 0.98))],
		master,
		sentinel: {name: 'voiceassist', sentinels: sentinelEndpoints.map(endpoint => ({endpoint, reachable: true, error: null, master})), reachable: 3, quorum: 2, masterFlags: [], failovers},
		cluster: null,
		at,
	};
	return {...memory(reading.usedMemoryBytes), topology};
}
