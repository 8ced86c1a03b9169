// From a frame to the policy's input: the connection budget from the source that counts connections, IMMEDIATEs and
// unread sources in words, the triggers a source feeds (judged by its own rules), and the newest instance.
import {describe, expect, it} from 'vitest';
import type {Concern} from '../../../source/core/assessment.js';
import {autoscaleInput} from '../../../source/core/autoscale-input.js';
import {evaluate} from '../../../source/core/rules.js';
import type {AnySourceModel} from '../../../source/core/source-model.js';
import type {StackSnapshot} from '../../../source/core/types.js';
import {defaultThresholds} from '../../../source/sources/registry.js';
import {instance, snapshot, sources} from '../../support/snapshots.js';

/**
 * A stand-in queue source: its concern's subject is the queue's name, not the source's id. (An id of its own: the
 * registry's queues source is among `sources`, with a sample of another shape.)
 */
const queues: AnySourceModel = {
	id: 'job-queue',
	title: 'Queues',
	thresholds: [],
	scaleTriggers: ['queue'],
	concerns: (sample: {depth: number}): Concern[] =>
		sample.depth > 1000
			? [{level: 'SOON', scope: 'queue', key: 'queue.depth:celery', subject: 'celery', metric: 'queue-depth', value: sample.depth, threshold: 1000, unit: 'count', action: 'Scale the workers', message: `queue celery depth ${sample.depth} > 1000: Scale the workers`}]
			: [],
	report: {json: () => null, lines: () => []},
};

function input(base: StackSnapshot, extra: Record<string, unknown> = {}, triggers: Array<'cpu' | 'queue'> = ['cpu', 'queue']) {
	const at = base.at;
	const withQueue: StackSnapshot = {...base, sources: {...base.sources, 'job-queue': {endpoint: 'redis://q', status: {kind: 'ok', at}, sample: {depth: 10, at, ...extra}}}};
	const models = [...sources, queues];
	const {assessment} = evaluate(withQueue, defaultThresholds, undefined, at, {sources: models});
	return autoscaleInput({snapshot: withQueue, assessment, sources: models, busy: null, memUpAt: 70}, {triggers});
}

describe('autoscaleInput', () => {
	it('takes the connection budget from the source that counts connections (PostgreSQL)', () => {
		const result = input(snapshot({db: {connections: 12, max: 20}}));
		expect(result).toMatchObject({running: 2, db: {connections: 12, max: 20}, unknown: []});
	});

	it('a queue concern of the source that feeds `queue` calls for a scale-up, whatever its subject', () => {
		expect(input(snapshot(), {depth: 5000}).triggers).toEqual([{trigger: 'queue', over: true, text: 'queue celery depth 5000 > 1000'}]);
		expect(input(snapshot(), {depth: 10}).triggers).toEqual([{trigger: 'queue', over: false, text: 'queue depth under its threshold'}]);
	});

	it('a source that feeds two triggers: each concern stands for the one its scaleTriggerOf names', () => {
		// A stand-in access log: slow (p95 over its threshold) but without errors.
		const accessLog: AnySourceModel = {
			id: 'access-log',
			title: 'Access log',
			thresholds: [],
			scaleTriggers: ['latency', 'errors'],
			scaleTriggerOf: concern => (concern.metric === 'latency-p95' ? 'latency' : concern.metric === 'error-rate' ? 'errors' : null),
			concerns: (): Concern[] => [
				{level: 'SOON', scope: 'source', key: 'http.latency-p95', subject: 'http', metric: 'latency-p95', value: 900, threshold: 800, unit: 'time', action: 'Scale', message: 'p95 response time 900 ms > 800 ms: Scale'},
			],
			report: {json: () => null, lines: () => []},
		};
		const base = snapshot();
		const withLog: StackSnapshot = {...base, sources: {...base.sources, 'access-log': {endpoint: 'file:/log', status: {kind: 'ok', at: base.at}, sample: {at: base.at}}}};
		const models = [...sources, accessLog];
		const {assessment} = evaluate(withLog, defaultThresholds, undefined, base.at, {sources: models});
		const result = autoscaleInput({snapshot: withLog, assessment, sources: models, busy: null, memUpAt: 70}, {triggers: ['cpu', 'latency', 'errors']});
		expect(result.triggers).toEqual([
			{trigger: 'latency', over: true, text: 'p95 response time 900 ms > 800 ms'},
			{trigger: 'errors', over: false, text: 'error rate under its threshold'},
		]);
	});

	it('an IMMEDIATE in words, and a source that cannot be read stops what it must', () => {
		const result = input(snapshot({db: {connections: 19, max: 20}, redis: 'down'}));
		expect(result.immediate).toEqual(['database']);
		expect(result.unknown).toEqual([{source: 'redis', reason: 'connection refused at 127.0.0.1:6379', blocks: 'down'}]);
		expect(input(snapshot({db: 'down'})).unknown).toEqual([{source: 'postgres', reason: 'connection refused at 127.0.0.1:5432', blocks: 'both'}]);
		expect(input(snapshot({db: 'down'})).db).toBeNull();
	});

	it('the newest instance is the highest-numbered running one, healthy with no health check', () => {
		const result = input(snapshot({instances: [instance('web-1', 10, 10), instance('web-3', 10, 10, {health: 'starting'}), instance('web-2', 10, 10)]}));
		expect(result.newest).toEqual({name: 'web-3', healthy: false, health: 'starting'});
		expect(input(snapshot()).newest).toEqual({name: 'web-2', healthy: true, health: 'none'});
	});
});
