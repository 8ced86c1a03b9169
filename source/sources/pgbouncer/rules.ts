// Pure: the runbook's "connection pool exhausted", per pool. Clients waiting for a server connection (cl_waiting
// over --pool-waiting, 0) sustained for --pool-sustain (10 s), or the oldest one waiting over --pool-maxwait (1 s),
// is IMMEDIATE. While the clock runs it is SOON with the clock; --once applies both at once.
import {breachConcern} from '../../core/breach.js';
import type {Concern} from '../../core/assessment.js';
import {thresholdOf, type ConcernContext, type ThresholdSpec} from '../../core/source-model.js';
import {poolName, type PgbouncerSample} from './parse.js';

/** The runbook's action for the database tier, the same words as the PostgreSQL connections rule. */
export const poolExhaustedAction = 'Scale database connections or add read replica';

export const poolWaiting: ThresholdSpec = {
	key: 'poolWaiting',
	flag: 'pool-waiting',
	unit: 'count',
	defaultValue: 0,
	max: 100_000,
	description: 'PgBouncer clients waiting for a server connection above which a pool counts as exhausted once sustained',
};

export const poolSustain: ThresholdSpec = {
	key: 'poolSustainSeconds',
	flag: 'pool-sustain',
	unit: 'seconds',
	defaultValue: 10,
	description: 'How long clients must keep waiting before the pool counts as exhausted (live monitor; --once: at once)',
};

export const poolMaxwait: ThresholdSpec = {
	key: 'poolMaxwaitMs',
	flag: 'pool-maxwait',
	unit: 'time',
	defaultValue: 1000,
	description: "A pool's oldest waiting client waiting longer than this: exhausted at once (e.g. 1s, 500ms)",
};

export function pgbouncerConcerns(sample: PgbouncerSample, {judge, thresholds, now}: ConcernContext): Concern[] {
	const concerns: Concern[] = [];
	for (const pool of sample.pools) {
		const name = poolName(pool);
		const key = `pool.waiting:${name}`;
		// Both are judged every time, so each keeps its own clock; one concern per pool says the worse.
		const waited = judge.check(`${key}:maxwait`, pool.maxWaitMs, 'time', [{level: 'IMMEDIATE', threshold: thresholdOf(thresholds, poolMaxwait), action: poolExhaustedAction}]);
		const waiting = judge.check(key, pool.clientsWaiting, 'count', [
			{level: 'IMMEDIATE', threshold: thresholdOf(thresholds, poolWaiting), sustainSeconds: thresholdOf(thresholds, poolSustain), action: poolExhaustedAction},
		]);
		const clients = `${pool.clientsWaiting} client${pool.clientsWaiting === 1 ? '' : 's'} waiting`;
		const servers = `, servers ${pool.serversActive} active ${pool.serversIdle} idle`;
		const base = {key, scope: 'pool', subject: name, metric: 'pool-waiting', label: 'pool wait', now};
		if (waited?.level === 'IMMEDIATE') {
			concerns.push(breachConcern(waited, {...base, what: `Connection pool exhausted: pool ${name}, ${clients}, the oldest for`, note: servers}));
		} else if (waiting !== null) {
			const exhausted = waiting.level === 'IMMEDIATE' ? 'Connection pool exhausted: ' : '';
			concerns.push(breachConcern(waiting, {...base, what: `${exhausted}pool ${name} clients waiting`, note: servers}));
		}
	}

	return concerns;
}
