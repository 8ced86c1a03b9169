// Pure: the queues' part of the one-shot report. JSON `queues[]` {name, key, kind, depth, error} (README; add, never rename).
import {readingError, type SourceReading, type SourceReportPart} from '../../core/source-model.js';
import {queueTrend} from './charts.js';
import type {QueuesSample} from './parse.js';
import {printable} from './spec.js';

function item(queue: QueuesSample['queues'][number], depth: number | null, error: string | null) {
	return {name: queue.name, key: queue.key, kind: queue.kind, depth, error, keys: queue.keys.map(key => key.key), ratePerSecond: queue.ratePerSecond === null ? null : Math.round(queue.ratePerSecond * 10) / 10};
}

export const queuesReport: SourceReportPart<QueuesSample> = {
	key: 'queues',
	// While Redis cannot be read, every queue last seen is listed without a depth and with the reason; never read at
	// all: an empty list (the recommendations' UNKNOWN line names the reason).
	json: (reading: SourceReading<QueuesSample>, sample) =>
		sample !== null ? sample.queues.map(queue => item(queue, queue.depth, queue.error)) : (reading.sample?.queues.map(queue => item(queue, null, readingError(reading.status))) ?? []),
	lines: sample =>
		sample.queues.map(queue => {
			const kind = queue.kind === 'key' ? queue.keys[0]?.type ?? 'key' : queue.kind;
			const depth = queue.depth === null ? `not read: ${queue.error ?? 'unknown'}` : `${queue.depth} waiting${queueTrend(queue)}`;
			return `  Queue ${printable(queue.name)} (${kind}): ${depth}`;
		}),
};
