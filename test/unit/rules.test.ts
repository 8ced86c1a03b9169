import {describe, expect, it} from 'vitest';
import {evaluate as evaluateWith, exitCodeFor, formatDuration, runbookActions, type BreachClock} from '../../source/core/rules.js';
import type {Thresholds} from '../../source/core/thresholds.js';
import type {StackSnapshot} from '../../source/core/types.js';
import {postgresActions} from '../../source/sources/postgres/rules.js';
import {defaultThresholds} from '../../source/sources/registry.js';
import {instance, snapshot, sources} from '../support/snapshots.js';

/** The rules with the registry's sources, as the composition root hands them in. */
const evaluate = (data: StackSnapshot, thresholds: Thresholds, clock?: BreachClock) => evaluateWith(data, thresholds, clock, data.at, {sources});

const once = {...defaultThresholds, cpuSustainSeconds: 0};

describe('rules', () => {
	it('gives OK when everything is under the runbook thresholds', () => {
		const {assessment} = evaluate(snapshot(), once);
		expect(assessment.level).toBe('OK');
		expect(assessment.concerns).toEqual([]);
		expect(exitCodeFor(assessment)).toBe(0);
	});

	it('asks to scale horizontally when the service average CPU is over 80% (one-shot: no duration)', () => {
		const {assessment} = evaluate(snapshot({instances: [instance('web-1', 85, 30), instance('web-2', 90, 30)]}), once);
		expect(assessment.level).toBe('IMMEDIATE');
		expect(assessment.concerns[0]).toMatchObject({key: 'service.cpu', level: 'IMMEDIATE', action: runbookActions.scaleOut});
		expect(assessment.averages.cpuPercent).toBeCloseTo(87.5);
		expect(exitCodeFor(assessment)).toBe(2);
	});

	it('in the live monitor, holds CPU over 80% as SOON with a clock until it has lasted 10 minutes', () => {
		const hot = [instance('web-1', 85, 30), instance('web-2', 90, 30)];
		const first = evaluate(snapshot({at: 0, instances: hot}), defaultThresholds);
		expect(first.assessment.concerns[0]).toMatchObject({key: 'service.cpu', level: 'SOON'});
		expect(first.assessment.concerns[0]!.sustain).toMatchObject({heldSeconds: 0, requiredSeconds: 600});

		const later = evaluate(snapshot({at: 372_000, instances: hot}), defaultThresholds, first.clock);
		expect(later.assessment.concerns[0]!.sustain?.heldSeconds).toBe(372);
		expect(later.assessment.concerns[0]!.message).toContain('6m12s, IMMEDIATE at 10m');

		const done = evaluate(snapshot({at: 600_000, instances: hot}), defaultThresholds, later.clock);
		expect(done.assessment.level).toBe('IMMEDIATE');
	});

	it('restarts the clock when CPU drops under the threshold in between', () => {
		const hot = [instance('web-1', 85, 30), instance('web-2', 90, 30)];
		const cool = [instance('web-1', 20, 30), instance('web-2', 20, 30)];
		const a = evaluate(snapshot({at: 0, instances: hot}), defaultThresholds);
		const b = evaluate(snapshot({at: 300_000, instances: cool}), defaultThresholds, a.clock);
		const c = evaluate(snapshot({at: 900_000, instances: hot}), defaultThresholds, b.clock);
		expect(c.assessment.level).toBe('SOON');
		expect(c.assessment.concerns[0]!.sustain?.heldSeconds).toBe(0);
	});

	it('gives IMMEDIATE for memory over 85% and SOON for 70..85%', () => {
		expect(evaluate(snapshot({instances: [instance('web-1', 10, 90), instance('web-2', 10, 88)]}), once).assessment.level).toBe('IMMEDIATE');
		const soon = evaluate(snapshot({instances: [instance('web-1', 10, 75), instance('web-2', 10, 72)]}), once).assessment;
		expect(soon.level).toBe('SOON');
		expect(soon.concerns[0]).toMatchObject({key: 'service.memory', action: runbookActions.plan});
		expect(exitCodeFor(soon)).toBe(1);
	});

	it('names one hot instance as a balancing concern, not a call for more replicas', () => {
		const {assessment} = evaluate(snapshot({instances: [instance('web-1', 95, 30), instance('web-2', 5, 30), instance('web-3', 5, 30)]}), once);
		expect(assessment.concerns).toHaveLength(1);
		expect(assessment.concerns[0]).toMatchObject({key: 'instance.cpu:web-1', level: 'IMMEDIATE', action: runbookActions.instance});
		expect(assessment.concerns[0]!.message).toContain('while the service average is 35%');
	});

	it('reports a full database even when the application is also busy (unlike the script\'s elif chain)', () => {
		const {assessment} = evaluate(
			snapshot({instances: [instance('web-1', 75, 30), instance('web-2', 75, 30)], db: {connections: 85, active: 40, max: 100}}),
			once,
		);
		expect(assessment.level).toBe('IMMEDIATE');
		expect(assessment.concerns.map(concern => concern.key)).toEqual(['database.connections', 'service.cpu']);
		expect(assessment.concerns[0]!.message).toContain('85/100 (40 active)');
		expect(assessment.concerns[0]!.action).toBe(postgresActions.database);
	});

	it('applies the Redis thresholds to used memory over maxmemory', () => {
		expect(evaluate(snapshot({redis: {used: 90, max: 100}}), once).assessment.concerns[0]).toMatchObject({key: 'redis.memory', level: 'IMMEDIATE'});
		expect(evaluate(snapshot({redis: {used: 75, max: 100}}), once).assessment.concerns[0]).toMatchObject({key: 'redis.memory', level: 'SOON'});
	});

	it('marks an unreachable source UNKNOWN with its reason and exit code 3', () => {
		const {assessment} = evaluate(snapshot({db: 'down'}), once);
		expect(assessment.unknown).toBe(true);
		expect(assessment.level).toBe('OK');
		expect(assessment.concerns[0]!.message).toBe('postgres: connection refused at 127.0.0.1:5432');
		expect(exitCodeFor(assessment)).toBe(3);
	});

	it('lets a critical finding outrank an unreachable source', () => {
		const {assessment} = evaluate(snapshot({db: 'down', redis: {used: 99, max: 100}}), once);
		expect(exitCodeFor(assessment)).toBe(2);
	});

	it('says so when no instance of the service exists', () => {
		const {assessment} = evaluate(snapshot({instances: []}), once);
		expect(assessment.unknown).toBe(true);
		expect(assessment.concerns[0]!.message).toContain('no instances of voiceassist/voiceassist-server');
	});

	it('flags an exited or unhealthy instance', () => {
		const {assessment} = evaluate(snapshot({instances: [instance('web-1', 10, 10, {state: 'exited'}), instance('web-2', 10, 10, {health: 'unhealthy'})]}), once);
		expect(assessment.concerns.map(concern => concern.message)).toEqual([
			'web-1 is exited: Check the instance, or drain it',
			'web-2 is unhealthy: Check the instance, or drain it',
		]);
	});

	it('waits for every running instance before it averages (no service concern from the first reading alone)', () => {
		const {assessment} = evaluate(snapshot({instances: [instance('web-1', 78, 30), instance('web-2', null, 30), instance('web-3', null, 30)]}), once);
		expect(assessment.averages.cpuPercent).toBeNull();
		expect(assessment.concerns.filter(concern => concern.scope === 'service')).toEqual([]);
		expect(assessment.concerns.map(concern => concern.key)).toEqual(['instance.cpu:web-1']);
	});

	it('uses configured thresholds', () => {
		const {assessment} = evaluate(snapshot({db: {connections: 55, max: 100}}), {...once, dbImmediate: 50});
		expect(assessment.level).toBe('IMMEDIATE');
	});
});

describe('formatDuration', () => {
	it('keeps durations short', () => {
		expect(formatDuration(45)).toBe('45s');
		expect(formatDuration(372)).toBe('6m12s');
		expect(formatDuration(600)).toBe('10m');
		expect(formatDuration(3720)).toBe('1h02m');
	});
});
