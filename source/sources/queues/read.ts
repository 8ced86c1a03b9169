// One reading of every queue over a Redis connection someone else holds: one pipelined round trip (TYPE and the
// length command per key), a second only for keys whose type was not the one guessed.
import {interpretReplies, planReading, queueDepths, type KeyDepth, type QueuesSample, type Reply} from './parse.js';
import type {QueueSpec} from './spec.js';

/** What the reading needs of an ioredis client: a pipeline. */
export interface PipelineClient {
	pipeline(commands: Array<[string, ...string[]]>): {exec(): Promise<Array<[Error | null, unknown]> | null>};
}

export interface QueueReader {
	/** Reads every queue; rejects only when the connection failed as a whole (then no queue has a depth). */
	read(client: PipelineClient, at: () => number): Promise<QueuesSample>;
}

/** A reader for these queues; it remembers each key's type so the next reading needs one trip. */
export function createQueueReader(specs: readonly QueueSpec[], describe: (error: Error) => string): QueueReader {
	const keys = specs.flatMap(spec => spec.keys.map(key => ({key, kind: spec.kind})));
	let known = new Map<string, string>();

	async function trip(client: PipelineClient, which: typeof keys): Promise<ReturnType<typeof interpretReplies>> {
		const plan = planReading(which, known);
		const replies = await client.pipeline(plan.commands).exec();
		// ioredis gives null only when the pipeline was never sent.
		if (replies === null) throw new Error('Connection is closed.');
		return interpretReplies(plan, replies as Reply[], describe);
	}

	return {
		async read(client, at) {
			const first = await trip(client, keys);
			known = new Map([...known, ...first.types]);
			const depths = new Map<string, KeyDepth>(first.depths);
			if (first.retry.length > 0) {
				const second = await trip(client, keys.filter(item => first.retry.includes(item.key)));
				known = new Map([...known, ...second.types]);
				for (const [key, depth] of second.depths) depths.set(key, depth);
				// A key that changed type twice within one reading: say so rather than guess.
				for (const key of second.retry) depths.set(key, {key, type: second.types.get(key) ?? 'unknown', depth: null, error: 'its type changed while being read'});
			}

			return {queues: queueDepths(specs, depths), at: at()};
		},
	};
}
