// One reading of a Redis Cluster: CLUSTER NODES and CLUSTER INFO from one node that answers (the last one that did
// first, then the seeds, then every node known), then INFO memory sent to each node on its own connection, because
// INFO through a cluster client goes to whichever node it picks.
import type {NodePool} from './node-pool.js';
import {askNode} from './sentinel-reader.js';
import {clusterInfo, nodeSample, parseClusterNodes, type ClusterNodeLine, type RedisNodeSample, type RedisTopology} from './topology.js';
import {compareNatural} from '../../core/compare.js';

export interface ClusterTopologyConfig {
	/** host:port of the nodes given; the rest are found through CLUSTER NODES. */
	seeds: readonly string[];
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function unique(values: ReadonlyArray<string | null | undefined>): string[] {
	return [...new Set(values.filter((value): value is string => typeof value === 'string' && value !== ''))];
}

export async function readClusterTopology(config: ClusterTopologyConfig, pool: NodePool, previous: RedisTopology | undefined, now: () => number = Date.now): Promise<RedisTopology> {
	const candidates = unique([previous?.cluster?.seenFrom, ...config.seeds, ...(previous?.nodes.map(node => node.endpoint) ?? [])]);
	let lines: ClusterNodeLine[] | null = null;
	let info: ReturnType<typeof clusterInfo> | null = null;
	let seenFrom: string | null = null;
	const failures = new Map<string, string>();
	for (const endpoint of candidates) {
		try {
			const [nodesText, infoText] = await Promise.all([pool.call(endpoint, 'CLUSTER', 'NODES'), pool.call(endpoint, 'CLUSTER', 'INFO')]);
			lines = parseClusterNodes(String(nodesText));
			info = clusterInfo(String(infoText));
			seenFrom = endpoint;
			break;
		} catch (error) {
			failures.set(endpoint, messageOf(error));
		}
	}

	let nodes: RedisNodeSample[];
	if (lines === null) {
		// No node answers: what was known stays listed, each unreachable with its reason.
		const known = previous?.nodes.length ? previous.nodes : config.seeds.map(endpoint => ({endpoint, role: 'unknown' as const, id: null, masterEndpoint: null, clusterFlags: [], slots: 0}));
		nodes = known.map(node =>
			nodeSample(
				{endpoint: node.endpoint, memoryText: null, replicationText: null, error: failures.get(node.endpoint) ?? 'no node of the cluster answers', at: null},
				{role: node.role, id: node.id, masterEndpoint: node.masterEndpoint, clusterFlags: node.clusterFlags, slots: node.slots},
			),
		);
	} else {
		const byId = new Map(lines.map(line => [line.id, line]));
		const answers = await Promise.all(lines.map(async line => askNode(pool, line.endpoint, now, false)));
		nodes = lines.map((line, index) =>
			nodeSample(answers[index]!, {
				role: line.role,
				id: line.id,
				masterEndpoint: line.masterId === null ? null : (byId.get(line.masterId)?.endpoint ?? null),
				clusterFlags: line.flags.filter(flag => flag !== 'master' && flag !== 'slave'),
				slots: line.slots,
			}),
		);
	}

	pool.retain(new Set([...config.seeds, ...nodes.map(node => node.endpoint)]));
	return {
		mode: 'cluster',
		nodes: nodes.sort((a, b) => compareNatural(a.endpoint, b.endpoint)),
		master: null,
		sentinel: null,
		cluster: {state: info?.state ?? null, slotsAssigned: info?.slotsAssigned ?? null, slotsFail: info?.slotsFail ?? null, knownNodes: info?.knownNodes ?? null, seenFrom},
		at: now(),
	};
}
