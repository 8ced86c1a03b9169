// Pure: the runbook's Redis trigger: used memory over its limit (maxmemory, else the machine's memory).
import {breachConcern} from '../../core/breach.js';
import type {Concern} from '../../core/assessment.js';
import {thresholdOf, type ConcernContext, type ThresholdSpec} from '../../core/source-model.js';
import type {RedisSample} from './parse.js';
import {redisTopologyConcerns} from './topology-rules.js';

export const redisActions = {
	redis: 'Scale Redis: raise maxmemory or move to a cluster',
	redisPlan: 'Plan Redis capacity (runbook: approaching 70% on any metric)',
} as const;

export const redisImmediate: ThresholdSpec = {
	key: 'redisImmediate',
	flag: 'redis-immediate',
	unit: 'percent',
	defaultValue: 85,
	description: 'Redis used memory / its limit that calls for action (the fullest node of a sentinel set or cluster)',
};

export const redisSoon: ThresholdSpec = {
	key: 'redisSoon',
	flag: 'redis-soon',
	unit: 'percent',
	defaultValue: 70,
	description: 'Redis used memory / its limit that asks to plan',
	soonOf: 'redisImmediate',
};

export function redisConcerns(sample: RedisSample, context: ConcernContext): Concern[] {
	const {judge, thresholds, now} = context;
	if (sample.topology !== undefined) {
		const rungs = {immediate: thresholdOf(thresholds, redisImmediate), soon: thresholdOf(thresholds, redisSoon), immediateAction: redisActions.redis, soonAction: redisActions.redisPlan};
		return redisTopologyConcerns(sample.topology, rungs, context);
	}

	const key = 'redis.memory';
	const verdict = judge.check(key, sample.ratio * 100, 'percent', [
		{level: 'IMMEDIATE', threshold: thresholdOf(thresholds, redisImmediate), action: redisActions.redis},
		{level: 'SOON', threshold: thresholdOf(thresholds, redisSoon), action: redisActions.redisPlan},
	]);
	if (verdict === null) return [];
	const against = sample.limitSource === 'maxmemory' ? 'maxmemory' : 'system memory, no maxmemory set';
	return [breachConcern(verdict, {key, scope: 'redis', subject: 'redis', metric: 'redis-memory', label: 'redis mem', what: `redis memory (of ${against})`, now})];
}
