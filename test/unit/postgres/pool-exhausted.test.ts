import {describe, expect, it} from 'vitest';
import {createJudge, emptyClock} from '../../../source/core/threshold-judge.js';
import {defaultThresholds} from '../../../source/sources/registry.js';
import {postgresSource} from '../../../source/sources/postgres/index.js';

const context = (oneShot: boolean) => ({thresholds: defaultThresholds, judge: createJudge(emptyClock, 0, {hysteresis: 5, oneShot}), oneShot, project: 'p', service: 's', now: 0});
const sample = (connections: number) => ({connections, active: 3, maxConnections: 20, ratio: connections / 20, at: 0});

describe('PostgreSQL without a pooler: max_connections reached is the connection pool exhausted', () => {
	it('names it so at 100 %, with the runbook action', () => {
		const [concern] = postgresSource.concerns(sample(20), context(true));
		expect(concern).toMatchObject({level: 'IMMEDIATE', action: 'Scale database connections or add read replica'});
		expect(concern!.message).toBe('Connection pool exhausted: database connections 20/20, max_connections reached (3 active) 100% > 80%: Scale database connections or add read replica');
	});

	it('below 100 % it stays the connections rule, worded as before', () => {
		const [concern] = postgresSource.concerns(sample(17), context(true));
		expect(concern!.message).toBe('database connections 17/20 (3 active) 85% > 80%: Scale database connections or add read replica');
	});
});
