// Pure: the runbook's database trigger. Connections over max_connections: IMMEDIATE over --db-immediate (80 %),
// SOON over --db-soon (70 %, the runbook's "approaching 70 % capacity on any metric"). With several nodes, the same
// rule per node and the replication rules of nodes-rules.ts.
import {breachConcern} from '../../core/breach.js';
import type {Concern} from '../../core/assessment.js';
import {thresholdOf, type ConcernContext, type ThresholdSpec} from '../../core/source-model.js';
import {pgNodesConcerns} from './nodes-rules.js';
import type {PostgresSample} from './parse.js';

export const postgresActions = {
	database: 'Scale database connections or add read replica',
	databasePlan: 'Plan database capacity (runbook: approaching 70% on any metric)',
} as const;

export const dbImmediate: ThresholdSpec = {
	key: 'dbImmediate',
	flag: 'db-immediate',
	unit: 'percent',
	defaultValue: 80,
	description: 'Database connections / max_connections that calls for action (each node of a tier)',
};

export const dbSoon: ThresholdSpec = {
	key: 'dbSoon',
	flag: 'db-soon',
	unit: 'percent',
	defaultValue: 70,
	description: 'Database connections / max_connections that asks to plan',
	soonOf: 'dbImmediate',
};

export function postgresConcerns(sample: PostgresSample, context: ConcernContext): Concern[] {
	const {judge, thresholds, now} = context;
	if (sample.topology !== undefined) {
		const rungs = {immediate: thresholdOf(thresholds, dbImmediate), soon: thresholdOf(thresholds, dbSoon), immediateAction: postgresActions.database, soonAction: postgresActions.databasePlan};
		return pgNodesConcerns(sample.topology, rungs, context);
	}

	const key = 'database.connections';
	const verdict = judge.check(key, sample.ratio * 100, 'percent', [
		{level: 'IMMEDIATE', threshold: thresholdOf(thresholds, dbImmediate), action: postgresActions.database},
		{level: 'SOON', threshold: thresholdOf(thresholds, dbSoon), action: postgresActions.databasePlan},
	]);
	if (verdict === null) return [];
	// Without a pooler in front, a database at max_connections is the runbook's "connection pool exhausted": the next
	// client is refused. Named so, in the same words as PgBouncer's pool rule.
	const full = sample.connections >= sample.maxConnections;
	const what = full
		? `Connection pool exhausted: database connections ${sample.connections}/${sample.maxConnections}, max_connections reached (${sample.active} active)`
		: `database connections ${sample.connections}/${sample.maxConnections} (${sample.active} active)`;
	return [breachConcern(verdict, {key, scope: 'database', subject: 'postgres', metric: 'connections', label: 'db conn', what, now})];
}
