// --queue SPEC (repeatable) → the queues to read, in the Redis of --redis / REDIS_URL; not given: no queues source.
import type {FlagSpec} from '../../config/flags.js';
import {validateRedisUrl} from '../../config/urls.js';
import {UsageError} from '../../config/usage-error.js';
import type {ConfigureInput} from '../source-kind.js';
import {checkDistinct, parseQueueSpec, queueSpecExpectation, QueueSpecError, type QueueSpec} from './spec.js';

export interface QueuesConfig {
	/** The redis source's URL: the queues are read on its connection. */
	url: string;
	queues: QueueSpec[];
}

/** The redis source's default, when neither --redis nor REDIS_URL is given. */
const defaultRedisUrl = 'redis://localhost:6379';

export const queuesFlags: readonly FlagSpec[] = [
	{
		name: 'queue',
		kind: 'string',
		value: 'SPEC',
		description:
			'A job queue in the Redis of --redis, whose depth is judged: a key (list, sorted set or stream) or NAME:KIND with KIND celery, rq, sidekiq or bullmq (e.g. celery:celery, emails:bullmq)',
		inConfig: true,
		group: 'Stack',
		repeatable: true,
		expected: queueSpecExpectation,
	},
];

function redisUrl({given, env}: ConfigureInput): string {
	const flag = given('redis');
	if (flag !== undefined) return validateRedisUrl(String(flag.value).trim(), flag.from);
	const fromEnv = env.REDIS_URL?.trim();
	return validateRedisUrl(fromEnv === undefined || fromEnv === '' ? defaultRedisUrl : fromEnv, 'REDIS_URL');
}

export function configureQueues(input: ConfigureInput): QueuesConfig | null {
	const given = input.given('queue');
	if (given === undefined) return null;
	const values = Array.isArray(given.value) ? given.value : [String(given.value)];
	// `--queue=` reaches here as no value at all: one line, not a source with nothing to read.
	if (values.length === 0 || values.some(value => String(value).trim() === '')) throw new UsageError(`${given.from}: empty value, expected ${queueSpecExpectation}`);
	const queues = values.map(value => {
		try {
			return parseQueueSpec(String(value));
		} catch (error) {
			if (error instanceof QueueSpecError) throw new UsageError(`${given.from}: ${error.message}`);
			throw error;
		}
	});
	try {
		checkDistinct(queues);
	} catch (error) {
		if (error instanceof QueueSpecError) throw new UsageError(`${given.from}: ${error.message}`);
		throw error;
	}

	return {url: redisUrl(input), queues};
}
