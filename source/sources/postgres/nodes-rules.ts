// Pure: the rules of a PostgreSQL tier of several nodes. Each node's connections against its own max_connections
// (worded with the node); each replica's lag behind the primary, in bytes and in seconds; a replica that does not
// stream; a primary streaming to fewer replicas than configured; two primaries. A node va-top cannot read is not
// assessed (UNKNOWN), unless the primary itself says that replica does not stream.
import type {Concern} from '../../core/assessment.js';
import {breachConcern, ruleText} from '../../core/breach.js';
import {thresholdOf, type ConcernContext, type ThresholdSpec} from '../../core/source-model.js';
import {formatValue, type Verdict} from '../../core/threshold-judge.js';
import type {PgNodeSample, PgTopology} from './topology.js';

const mebibyte = 1024 * 1024;

export const replicaLagSoon: ThresholdSpec = {
	key: 'replicaLagSoon',
	flag: 'replica-lag-soon',
	unit: 'bytes',
	defaultValue: 16 * mebibyte,
	description: 'Replica lag behind the primary, in WAL bytes, that asks to plan (e.g. 16MB)',
	soonOf: 'replicaLagImmediate',
};

export const replicaLagImmediate: ThresholdSpec = {
	key: 'replicaLagImmediate',
	flag: 'replica-lag-immediate',
	unit: 'bytes',
	defaultValue: 256 * mebibyte,
	description: 'Replica lag behind the primary, in WAL bytes, that calls for action (e.g. 256MB)',
};

export const replicaLagSoonSeconds: ThresholdSpec = {
	key: 'replicaLagSoonSeconds',
	flag: 'replica-lag-soon-seconds',
	unit: 'seconds',
	defaultValue: 30,
	description: 'Replica replay delay, in seconds, that asks to plan (e.g. 30s)',
	soonOf: 'replicaLagImmediateSeconds',
};

export const replicaLagImmediateSeconds: ThresholdSpec = {
	key: 'replicaLagImmediateSeconds',
	flag: 'replica-lag-immediate-seconds',
	unit: 'seconds',
	defaultValue: 300,
	description: 'Replica replay delay, in seconds, that calls for action (e.g. 5m)',
};

export const replicaLagSpecs = [replicaLagSoon, replicaLagImmediate, replicaLagSoonSeconds, replicaLagImmediateSeconds] as const;

export const nodeActions = {
	lag: 'Check the replica (replay paused, disk, network) or take it out of the read pool',
	notStreaming: 'Restart the replica or re-create it with pg_basebackup; take it out of the read pool meanwhile',
	missing: 'Bring the missing replica back (runbook: add read replica)',
	primaries: 'Fence the old primary: only one node may take writes',
	noPrimary: 'Promote a replica (pg_promote) or bring the primary back',
	unread: 'Check that the node is up and reachable',
} as const;

function stateConcern(level: Concern['level'], key: string, subject: string, metric: string, action: string, message: string, label: string): Concern {
	return {level, scope: 'database', key, subject, metric, value: null, threshold: null, action, message: `${message}: ${action}`, label};
}

/** The connection ratio rule of one node, as the single-node rule words it, with the node named. */
function connectionConcern(node: PgNodeSample, connectionRungs: ConnectionRungs, context: ConcernContext, key: string): Concern | null {
	if (node.ratio === null || node.connections === null || node.maxConnections === null) return null;
	const verdict = context.judge.check(key, node.ratio * 100, 'percent', [
		{level: 'IMMEDIATE', threshold: connectionRungs.immediate, action: connectionRungs.immediateAction},
		{level: 'SOON', threshold: connectionRungs.soon, action: connectionRungs.soonAction},
	]);
	if (verdict === null) return null;
	const what = `database connections on ${node.endpoint} (${node.role}) ${node.connections}/${node.maxConnections} (${node.active ?? 0} active)`;
	return breachConcern(verdict, {key, scope: 'database', subject: node.endpoint, metric: 'connections', label: `db conn ${node.endpoint}`, what, now: context.now});
}

/** The single-node rule's thresholds and actions (from the postgres source's own specs). */
export interface ConnectionRungs {
	immediate: number;
	soon: number;
	immediateAction: string;
	soonAction: string;
}

const rank = (verdict: Verdict | null) => (verdict === null ? 0 : verdict.level === 'IMMEDIATE' ? 2 : 1);

function lagConcern(node: PgNodeSample, context: ConcernContext): Concern | null {
	const {judge, thresholds} = context;
	const bytes = judge.check(`database.replica-lag:${node.endpoint}`, node.lagBytes, 'bytes', [
		{level: 'IMMEDIATE', threshold: thresholdOf(thresholds, replicaLagImmediate), action: nodeActions.lag},
		{level: 'SOON', threshold: thresholdOf(thresholds, replicaLagSoon), action: nodeActions.lag},
	]);
	const seconds = judge.check(`database.replica-lag-seconds:${node.endpoint}`, node.lagSeconds, 'seconds', [
		{level: 'IMMEDIATE', threshold: thresholdOf(thresholds, replicaLagImmediateSeconds), action: nodeActions.lag},
		{level: 'SOON', threshold: thresholdOf(thresholds, replicaLagSoonSeconds), action: nodeActions.lag},
	]);
	// The worse of the two decides; bytes first on a tie (the time lags are NULL on an idle primary).
	const verdict = rank(seconds) > rank(bytes) ? seconds! : (bytes ?? seconds);
	if (verdict === null) return null;
	// The deciding figure first; the other beside it when it says something (a 0 s replay delay says nothing).
	const bytesText = node.lagBytes === null || node.lagBytes <= 0 ? null : formatValue(node.lagBytes, 'bytes');
	const secondsText = node.lagSeconds === null || node.lagSeconds <= 0 ? null : formatValue(node.lagSeconds, 'seconds');
	const lag = (verdict.unit === 'seconds' ? [secondsText, bytesText] : [bytesText, secondsText]).filter(Boolean);
	const paused = node.replayPaused ? ', replay paused' : '';
	const concern = breachConcern(verdict, {key: `database.replica-lag:${node.endpoint}`, scope: 'database', subject: node.endpoint, metric: 'replica-lag', label: `lag ${node.endpoint}`, what: 'replica lag', now: context.now});
	// The issue's words first ("Replica R is LAG behind: reads from it are stale"), then which threshold applied.
	const behind = `${lag[0]}${lag.length > 1 ? ` (${lag[1]})` : ''}`;
	return {...concern, message: `Replica ${node.endpoint} is ${behind} behind${paused}: reads from it are stale (${verdict.comparison}${ruleText(verdict, context.now)}): ${concern.action}`};
}

export function pgNodesConcerns(topology: PgTopology, connectionRungs: ConnectionRungs, context: ConcernContext): Concern[] {
	const out: Concern[] = [];
	const several = topology.nodes.length > 1;
	for (const node of topology.nodes) {
		// The primary keeps the single-node key (its chart carries the mark); other nodes are keyed by endpoint.
		const key = !several || node.endpoint === topology.primary ? 'database.connections' : `database.connections:${node.endpoint}`;
		if (node.reachable) {
			const connections = connectionConcern(node, connectionRungs, context, key);
			if (connections) out.push(connections);
		}

		if (node.role === 'replica' && node.streaming === false) {
			const why = node.reachable ? `WAL receiver ${node.state === 'not streaming' ? 'not running' : node.state}` : `unreachable: ${node.error ?? 'no answer'}; the primary has no stream to it`;
			out.push(stateConcern('IMMEDIATE', `database.streaming:${node.endpoint}`, node.endpoint, 'replication', nodeActions.notStreaming, `Replica ${node.endpoint} is not streaming (${why})`, `replica ${node.endpoint} not streaming`));
		} else if (!node.reachable) {
			out.push(stateConcern('UNKNOWN', `database.node:${node.endpoint}`, node.endpoint, 'reachability', nodeActions.unread, `postgres ${node.role === 'unknown' ? 'node' : node.role} ${node.endpoint} not assessed: ${node.error ?? 'no answer'}`, `pg ${node.endpoint} not assessed`));
		}

		if (node.role === 'replica' && node.reachable) {
			const lag = lagConcern(node, context);
			if (lag) out.push(lag);
		}
	}

	if (topology.primaries.length > 1) {
		out.push(stateConcern('IMMEDIATE', 'database.primaries', topology.primaries.join(', '), 'role', nodeActions.primaries, `${topology.primaries.length} nodes answer as primary: ${topology.primaries.join(', ')}`, `${topology.primaries.length} pg primaries`));
	}

	const reachable = topology.nodes.filter(node => node.reachable);
	if (topology.primary === null && reachable.length === topology.nodes.length && reachable.length > 0) {
		out.push(stateConcern('IMMEDIATE', 'database.primaries', 'postgres', 'role', nodeActions.noPrimary, `no primary: every node (${reachable.map(node => node.endpoint).join(', ')}) is a replica`, 'no pg primary'));
	}

	if (topology.primary !== null && topology.replicasStreaming !== null && topology.replicasStreaming < topology.replicasConfigured) {
		const missing = topology.nodes.filter(node => node.role !== 'primary' && node.streaming !== true).map(node => node.endpoint);
		out.push(
			stateConcern(
				'SOON',
				'database.replicas',
				topology.primary,
				'replication',
				nodeActions.missing,
				`Primary ${topology.primary} streams to ${topology.replicasStreaming} of the ${topology.replicasConfigured} replicas configured${missing.length > 0 ? ` (not streaming: ${missing.join(', ')})` : ''}`,
				`pg replicas ${topology.replicasStreaming}/${topology.replicasConfigured}`,
			),
		);
	}

	return out;
}
