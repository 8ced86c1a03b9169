// Pure: the runbook's "queue depth > 1000", per queue: IMMEDIATE over --queue-immediate (1000), SOON over
// --queue-soon (700, the runbook's "approaching 70 %"). A queue that could not be read is not assessed, and says why.
import {breachConcern} from '../../core/breach.js';
import type {Concern} from '../../core/assessment.js';
import {thresholdOf, type ConcernContext, type ThresholdSpec} from '../../core/source-model.js';
import type {QueuesSample} from './parse.js';
import {printable} from './spec.js';

export const queueActions = {
	immediate: 'Scale application horizontally (more workers for the queue)',
	soon: 'Plan to scale within 24 hours',
} as const;

export const queueImmediate: ThresholdSpec = {
	key: 'queueImmediate',
	flag: 'queue-immediate',
	unit: 'count',
	defaultValue: 1000,
	max: 100_000_000,
	description: 'Jobs waiting in a queue that call for scaling now (the runbook: queue depth > 1000)',
};

export const queueSoon: ThresholdSpec = {
	key: 'queueSoon',
	flag: 'queue-soon',
	unit: 'count',
	defaultValue: 700,
	max: 100_000_000,
	description: 'Jobs waiting in a queue that ask to plan scaling',
	soonOf: 'queueImmediate',
};

export function queueConcerns(sample: QueuesSample, {judge, thresholds, now}: ConcernContext): Concern[] {
	const concerns: Concern[] = [];
	for (const queue of sample.queues) {
		const key = `queue.depth:${queue.name}`;
		if (queue.depth === null) {
			concerns.push({
				level: 'UNKNOWN',
				scope: 'queue',
				key,
				subject: queue.name,
				metric: 'queue-depth',
				value: null,
				threshold: null,
				action: 'Check the --queue spec and the Redis user',
				message: `queue ${printable(queue.name)}: not assessed, ${queue.error ?? 'no depth'}`,
			});
			continue;
		}

		const verdict = judge.check(key, queue.depth, 'count', [
			{level: 'IMMEDIATE', threshold: thresholdOf(thresholds, queueImmediate), action: queueActions.immediate},
			{level: 'SOON', threshold: thresholdOf(thresholds, queueSoon), action: queueActions.soon},
		]);
		if (verdict === null) continue;
		const kind = queue.kind === 'key' ? '' : ` (${queue.kind})`;
		const trend = queue.ratePerSecond !== null && queue.ratePerSecond >= 0.5 ? `, rising ${Math.round(queue.ratePerSecond)}/s` : '';
		concerns.push(breachConcern(verdict, {key, scope: 'queue', subject: queue.name, metric: 'queue-depth', label: 'queue', what: `queue ${printable(queue.name)}${kind} depth`, note: trend, now}));
	}

	return concerns;
}
