// One reading of a Sentinel-managed Redis: every sentinel asked who the master is (the majority wins, so a stale
// +switch-master republished by a restarted sentinel is not followed), the replicas as the sentinels know them, and
// INFO memory and replication from the master and each replica, each on its own connection.
import type {NodePool} from './node-pool.js';
import {agreedMaster, nextFailovers, nodeSample, pairsToRecord, type RedisNodeAnswer, type RedisTopology, type SentinelSample} from './topology.js';

export interface SentinelTopologyConfig {
	/** host:port of each sentinel. */
	sentinels: readonly string[];
	/** The master's name the sentinels monitor (`sentinel monitor NAME …`). */
	name: string;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** INFO memory and INFO replication of one node: separate commands, as Redis before 7 takes one section per INFO. */
export async function askNode(pool: NodePool, endpoint: string, now: () => number, withReplication = true): Promise<RedisNodeAnswer> {
	try {
		const [memoryText, replicationText] = await Promise.all([
			pool.call(endpoint, 'INFO', 'memory'),
			withReplication ? pool.call(endpoint, 'INFO', 'replication') : Promise.resolve(null),
		]);
		return {endpoint, memoryText: String(memoryText), replicationText: replicationText === null ? null : String(replicationText), error: null, at: now()};
	} catch (error) {
		return {endpoint, memoryText: null, replicationText: null, error: messageOf(error), at: null};
	}
}

export async function readSentinelTopology(
	config: SentinelTopologyConfig,
	pools: {sentinels: NodePool; nodes: NodePool},
	previous: RedisTopology | undefined,
	now: () => number = Date.now,
): Promise<RedisTopology> {
	const answers = await Promise.all(
		config.sentinels.map(async endpoint => {
			try {
				const record = pairsToRecord(await pools.sentinels.call(endpoint, 'SENTINEL', 'MASTER', config.name));
				if (!record.ip || !record.port) throw new Error(`sentinel ${endpoint} does not monitor a master named ${config.name}`);
				return {endpoint, record, error: null};
			} catch (error) {
				return {endpoint, record: null, error: messageOf(error)};
			}
		}),
	);
	const sentinels: SentinelSample[] = answers.map(answer => ({
		endpoint: answer.endpoint,
		reachable: answer.record !== null,
		error: answer.error,
		master: answer.record === null ? null : `${answer.record.ip}:${answer.record.port}`,
	}));
	const master = agreedMaster(sentinels);
	const voice = answers.find(answer => answer.record !== null && `${answer.record.ip}:${answer.record.port}` === master);

	// The replicas as a sentinel that agrees on the master knows them; failing that, as last seen.
	let replicas: Array<{endpoint: string; masterEndpoint: string | null}> = [];
	if (voice) {
		try {
			const reply = await pools.sentinels.call(voice.endpoint, 'SENTINEL', 'REPLICAS', config.name);
			replicas = (Array.isArray(reply) ? reply : []).map(entry => {
				const record = pairsToRecord(entry);
				return {endpoint: `${record.ip}:${record.port}`, masterEndpoint: record['master-host'] ? `${record['master-host']}:${record['master-port']}` : master};
			});
		} catch {
			replicas = [];
		}
	}

	if (replicas.length === 0 && previous) {
		replicas = previous.nodes.filter(node => node.endpoint !== master).map(node => ({endpoint: node.endpoint, masterEndpoint: master}));
	}

	const targets = [...(master === null ? [] : [{endpoint: master, role: 'master' as const, masterEndpoint: null}]), ...replicas.map(replica => ({...replica, role: 'replica' as const}))];
	const nodeAnswers = await Promise.all(targets.map(async target => askNode(pools.nodes, target.endpoint, now)));
	const nodes = nodeAnswers.map((answer, index) => nodeSample(answer, {role: targets[index]!.role, masterEndpoint: targets[index]!.masterEndpoint}));
	pools.nodes.retain(new Set(targets.map(target => target.endpoint)));
	const at = now();
	return {
		mode: 'sentinel',
		nodes,
		master,
		sentinel: {
			name: config.name,
			sentinels,
			reachable: sentinels.filter(sentinel => sentinel.reachable).length,
			quorum: voice?.record?.quorum === undefined ? (previous?.sentinel?.quorum ?? null) : Number(voice.record.quorum),
			masterFlags: voice?.record?.flags?.split(',').filter(flag => flag !== 'master') ?? [],
			failovers: nextFailovers(previous, master, at),
		},
		cluster: null,
		at,
	};
}
