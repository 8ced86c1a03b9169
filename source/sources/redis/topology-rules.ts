// Pure: the rules of Redis as several nodes. Memory per node, the fullest node deciding the level and named (a cluster
// average would hide one master at 95 %); a Cluster whose state is not ok; a master without a replica to fail over
// to; fewer sentinels answering than the quorum (no failover could be authorised); a master the sentinels see down.
// A node va-top cannot read is not assessed (UNKNOWN), unless the cluster itself flags it failed.
import type {Concern} from '../../core/assessment.js';
import {breachConcern} from '../../core/breach.js';
import type {ConcernContext} from '../../core/source-model.js';
import {formatPercent} from '../../core/format.js';
import {fullestNode, type RedisNodeSample, type RedisTopology} from './topology.js';

export interface MemoryRungs {
	immediate: number;
	soon: number;
	immediateAction: string;
	soonAction: string;
}

export const topologyActions = {
	clusterState: 'Bring the failed masters back, or fail over to their replicas (CLUSTER FAILOVER)',
	nodeDown: 'Restart the node; the cluster re-adds it as a replica',
	noReplica: 'Add a replica (runbook: 3 masters + 3 replicas), or repair the one that is down',
	quorum: 'Restore the sentinels: without a quorum no failover can be authorised',
	masterDown: 'A failover is due: check that the sentinels can authorise it',
	unread: 'Check that the node is up and reachable',
	replica: 'Restart the replica or re-sync it (REPLICAOF)',
} as const;

function stateConcern(level: Concern['level'], key: string, subject: string, metric: string, action: string, message: string, label: string): Concern {
	return {level, scope: 'redis', key, subject, metric, value: null, threshold: null, action, message: `${message}: ${action}`, label};
}

const roleWord = (node: RedisNodeSample) => (node.role === 'unknown' ? 'node' : node.role);

/** The fullest node against the memory thresholds, named; the others over SOON listed after it. */
function memoryConcern(topology: RedisTopology, rungs: MemoryRungs, context: ConcernContext): Concern | null {
	const worst = fullestNode(topology.nodes);
	if (worst?.memory === undefined || worst.memory === null) return null;
	const key = 'redis.memory';
	const verdict = context.judge.check(key, worst.memory.ratio * 100, 'percent', [
		{level: 'IMMEDIATE', threshold: rungs.immediate, action: rungs.immediateAction},
		{level: 'SOON', threshold: rungs.soon, action: rungs.soonAction},
	]);
	if (verdict === null) return null;
	const against = worst.memory.limitSource === 'maxmemory' ? 'maxmemory' : 'system memory, no maxmemory set';
	const others = topology.nodes.filter(node => node !== worst && node.memory !== null && node.memory.ratio * 100 > rungs.soon);
	const note = others.length > 0 ? ` (also over ${formatPercent(rungs.soon)}: ${others.map(node => `${node.endpoint} ${formatPercent(node.memory!.ratio * 100)}`).join(', ')})` : '';
	return breachConcern(verdict, {key, scope: 'redis', subject: worst.endpoint, metric: 'redis-memory', label: topology.nodes.length > 1 ? `redis mem ${worst.endpoint}` : 'redis mem', what: `redis memory on ${worst.endpoint} (${roleWord(worst)}, of ${against})`, note, now: context.now});
}

function sentinelConcerns(topology: RedisTopology): Concern[] {
	const out: Concern[] = [];
	const sentinel = topology.sentinel!;
	// Without any answer the quorum is unknown: none reachable is below any quorum.
	const quorum = sentinel.quorum ?? Math.floor(sentinel.sentinels.length / 2) + 1;
	if (sentinel.reachable < quorum) {
		const down = sentinel.sentinels.filter(candidate => !candidate.reachable).map(candidate => candidate.endpoint);
		out.push(stateConcern('IMMEDIATE', 'redis.sentinels', sentinel.name, 'quorum', topologyActions.quorum, `only ${sentinel.reachable} of ${sentinel.sentinels.length} sentinels answer, quorum ${quorum} (down: ${down.join(', ')})`, `sentinels ${sentinel.reachable}/${sentinel.sentinels.length} < quorum ${quorum}`));
	}

	const master = topology.nodes.find(node => node.endpoint === topology.master);
	const flags = sentinel.masterFlags.filter(flag => flag === 's_down' || flag === 'o_down');
	if (topology.master !== null && flags.length > 0) {
		out.push(stateConcern('IMMEDIATE', 'redis.master-down', topology.master, 'state', topologyActions.masterDown, `redis master ${topology.master} is down for the sentinels (${flags.join(', ')})`, `redis master ${topology.master} ${flags.join(',')}`));
	}

	if (master !== undefined) {
		const replicas = topology.nodes.filter(node => node.masterEndpoint === master.endpoint && node.endpoint !== master.endpoint);
		const healthy = replicas.filter(node => node.reachable && node.role === 'replica' && node.linkUp === true);
		const broken = replicas.filter(node => !healthy.includes(node));
		const why = (node: RedisNodeSample) => (node.reachable ? (node.role === 'master' ? 'a master itself' : 'link down') : (node.error ?? 'unreachable'));
		if (healthy.length === 0) {
			const detail = broken.length > 0 ? ` (${broken.map(node => `${node.endpoint} ${why(node)}`).join('; ')})` : '';
			out.push(stateConcern('SOON', 'redis.replicas', master.endpoint, 'replicas', topologyActions.noReplica, `redis master ${master.endpoint} has no replica in sync${detail}`, `redis ${master.endpoint} no replica`));
		} else {
			for (const node of broken) out.push(stateConcern('SOON', `redis.replica:${node.endpoint}`, node.endpoint, 'replicas', topologyActions.replica, `redis replica ${node.endpoint} is not replicating (${why(node)})`, `redis replica ${node.endpoint} ${why(node)}`));
		}
	}

	return out;
}

function clusterConcerns(topology: RedisTopology): Concern[] {
	const out: Concern[] = [];
	const cluster = topology.cluster!;
	const failing = topology.nodes.filter(node => node.clusterFlags.includes('fail'));
	if (cluster.state !== null && cluster.state !== 'ok') {
		const slots = cluster.slotsAssigned === null ? '' : `, ${cluster.slotsAssigned} of 16384 slots assigned`;
		const nodes = failing.length > 0 ? `; failed: ${failing.map(node => node.endpoint).join(', ')}` : '';
		out.push(stateConcern('IMMEDIATE', 'redis.cluster-state', 'cluster', 'cluster-state', topologyActions.clusterState, `redis cluster_state is ${cluster.state}${slots}${nodes}`, `cluster_state ${cluster.state}`));
	}

	for (const node of topology.nodes) {
		if (node.clusterFlags.includes('fail')) {
			const what = node.role === 'master' && node.slots > 0 ? `master of ${node.slots} slots` : roleWord(node);
			out.push(stateConcern('SOON', `redis.node-down:${node.id ?? node.endpoint}`, node.endpoint, 'state', topologyActions.nodeDown, `redis node ${node.endpoint} (${what}) is down: the cluster flags it fail`, `redis ${node.endpoint} fail`));
		} else if (!node.reachable) {
			out.push(stateConcern('UNKNOWN', `redis.node:${node.endpoint}`, node.endpoint, 'reachability', topologyActions.unread, `redis ${roleWord(node)} ${node.endpoint} not assessed: ${node.error ?? 'no answer'}`, `redis ${node.endpoint} not assessed`));
		}
	}

	for (const master of topology.nodes.filter(node => node.role === 'master' && node.slots > 0 && !node.clusterFlags.includes('fail'))) {
		const replicas = topology.nodes.filter(node => node.role === 'replica' && node.masterEndpoint === master.endpoint && !node.clusterFlags.includes('fail'));
		if (replicas.length === 0) {
			out.push(stateConcern('SOON', `redis.replicas:${master.id ?? master.endpoint}`, master.endpoint, 'replicas', topologyActions.noReplica, `redis master ${master.endpoint} (${master.slots} slots) has no replica`, `redis ${master.endpoint} no replica`));
		}
	}

	return out;
}

export function redisTopologyConcerns(topology: RedisTopology, rungs: MemoryRungs, context: ConcernContext): Concern[] {
	const memory = memoryConcern(topology, rungs, context);
	const rest = topology.mode === 'sentinel' ? sentinelConcerns(topology) : clusterConcerns(topology);
	if (topology.mode === 'sentinel') {
		for (const node of topology.nodes.filter(candidate => !candidate.reachable && candidate.endpoint === topology.master)) {
			rest.push(stateConcern('UNKNOWN', `redis.node:${node.endpoint}`, node.endpoint, 'reachability', topologyActions.unread, `redis master ${node.endpoint} not assessed: ${node.error ?? 'no answer'}`, `redis ${node.endpoint} not assessed`));
		}
	}

	return memory === null ? rest : [memory, ...rest];
}
