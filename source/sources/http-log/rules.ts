// The runbook's response-time and error-rate triggers ("Response time > 2 seconds (p95)", "Error rate > 5%"), SOON
// at 70 % of each ("approaching 70% capacity on any metric"). Pure.
// Like the hot-CPU rule: when some instances are slow (or failing) while the others are fine, it is a balancing
// problem and the instance is named ("Check load balancing, or drain the instance"), not a call for more replicas.
import {breachConcern} from '../../core/breach.js';
import type {Concern} from '../../core/assessment.js';
import {thresholdOf, type ConcernContext, type ThresholdSpec} from '../../core/source-model.js';
import {formatValue, type Rung} from '../../core/threshold-judge.js';
import type {HttpSample} from './sample.js';
import type {HttpInstanceFigures} from './summary.js';

export const httpActions = {
	scaleOut: 'Scale application horizontally',
	plan: 'Plan to scale within 24 hours',
	instance: 'Check load balancing, or drain the instance',
} as const;

/** Fewer requests than this in the window (in all, or to one instance) are not judged: one slow request is not a p95. */
export const minRequests = 5;

export const latencyImmediateSpec: ThresholdSpec = {
	key: 'latencyImmediate',
	flag: 'latency-immediate',
	unit: 'time',
	defaultValue: 2000,
	min: 1,
	description: 'p95 response time (nginx request_time over the window) that calls for scaling out, e.g. 2s or 1500ms',
};
export const latencySoonSpec: ThresholdSpec = {
	key: 'latencySoon',
	flag: 'latency-soon',
	unit: 'time',
	defaultValue: 1400,
	min: 1,
	soonOf: 'latencyImmediate',
	description: 'p95 response time that asks to plan scaling (default 70 % of 2s)',
};
export const errorsImmediateSpec: ThresholdSpec = {
	key: 'errorsImmediate',
	flag: 'errors-immediate',
	unit: 'percent',
	defaultValue: 5,
	description: 'Share of 5xx responses over the window that calls for scaling out',
};
export const errorsSoonSpec: ThresholdSpec = {
	key: 'errorsSoon',
	flag: 'errors-soon',
	unit: 'percent',
	defaultValue: 3.5,
	soonOf: 'errorsImmediate',
	description: 'Share of 5xx responses that asks to plan (default 70 % of 5 %)',
};

export const httpThresholds: readonly ThresholdSpec[] = [latencyImmediateSpec, latencySoonSpec, errorsImmediateSpec, errorsSoonSpec];

interface Metric {
	id: 'latency' | 'errors';
	metric: 'latency-p95' | 'error-rate';
	label: string;
	unit: 'time' | 'percent';
	what: string;
	value(figures: {p95Ms: number | null; errorRatio: number | null}): number | null;
	immediate: ThresholdSpec;
	soon: ThresholdSpec;
}

const metrics: Metric[] = [
	{id: 'latency', metric: 'latency-p95', label: 'p95', unit: 'time', what: 'p95 response time', value: (f) => f.p95Ms, immediate: latencyImmediateSpec, soon: latencySoonSpec},
	{
		id: 'errors',
		metric: 'error-rate',
		label: '5xx',
		unit: 'percent',
		what: '5xx error rate',
		value: (f) => (f.errorRatio === null ? null : percentOf(f.errorRatio)),
		immediate: errorsImmediateSpec,
		soon: errorsSoonSpec,
	},
];

export function httpConcerns(sample: HttpSample, context: ConcernContext): Concern[] {
	if (!sample.found || sample.requests < minRequests) return [];
	const concerns: Concern[] = [];
	for (const metric of metrics) {
		if (metric.id === 'latency' && !sample.latencyAssessed) continue;
		const immediate = thresholdOf(context.thresholds, metric.immediate);
		const soon = thresholdOf(context.thresholds, metric.soon);
		const rungs = (scale: string, plan: string): Rung[] => [
			{level: 'IMMEDIATE', threshold: immediate, action: scale},
			{level: 'SOON', threshold: soon, action: plan},
		];

		// Instances with enough requests to judge; the service is judged as a whole unless only some are over.
		const judged = sample.instances.filter((row) => row.requests >= minRequests && metric.value(row) !== null);
		const over = judged.filter((row) => metric.value(row)! > soon);
		if (over.length > 0 && over.length < judged.length) {
			const fine = judged.filter((row) => !over.includes(row));
			for (const row of over) concerns.push(...instanceConcern(metric, row, fine, rungs(httpActions.instance, httpActions.instance), context));
			continue;
		}

		const verdict = context.judge.check(`http.${metric.id}`, metric.value(sample), metric.unit, rungs(httpActions.scaleOut, httpActions.plan));
		if (verdict === null) continue;
		concerns.push(
			breachConcern(verdict, {
				key: `http.${metric.id}`,
				scope: 'service',
				subject: context.service,
				metric: metric.metric,
				label: metric.label,
				what: `${context.service} ${metric.what}`,
				note: ` (${sample.requests} requests in ${windowText(sample.windowSeconds)})`,
				now: context.now,
			}),
		);
	}

	return concerns;
}

function instanceConcern(metric: Metric, row: HttpInstanceFigures, fine: HttpInstanceFigures[], rungs: Rung[], context: ConcernContext): Concern[] {
	const key = `instance.${metric.metric}:${row.name}`;
	const verdict = context.judge.check(key, metric.value(row), metric.unit, rungs);
	if (verdict === null) return [];
	const others = Math.max(...fine.map((other) => metric.value(other)!));
	const othersText = metric.id === 'latency' ? `the others' p95 is at most ${formatValue(others, 'time')}` : `the others' is at most ${formatValue(others, 'percent')}`;
	return [
		breachConcern(verdict, {
			key,
			scope: 'instance',
			subject: row.name,
			metric: metric.metric,
			label: metric.label,
			what: `${row.name} ${metric.what}`,
			note: ` while ${othersText}`,
			now: context.now,
		}),
	];
}

export function windowText(seconds: number): string {
	return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}

/** A ratio as a percent without float dust (0.035 → 3.5, not 3.5000000000000004, which would read as over 3.5 %). */
export function percentOf(ratio: number): number {
	return Math.round(ratio * 100 * 1e6) / 1e6;
}
