// Pure: the queues on screen: the deepest queue's depth as a chart (page 2) with its trend, and the header's text.
import type {SourceChartSpec} from '../../core/source-model.js';
import type {QueueDepth, QueuesSample} from './parse.js';
import {printable} from './spec.js';

/** The queue with the most jobs waiting, or null when none has a depth. */
export function deepest(sample: QueuesSample): QueueDepth | null {
	let worst: QueueDepth | null = null;
	for (const queue of sample.queues) if (queue.depth !== null && (worst === null || queue.depth > worst.depth!)) worst = queue;
	return worst;
}

/** ` ↑ 60/s` rising, ` ↓ 40/s` draining, '' steady or not known yet. */
export function queueTrend(queue: QueueDepth): string {
	const rate = queue.ratePerSecond;
	if (rate === null || Math.abs(rate) < 0.5) return '';
	return rate > 0 ? ` ↑ ${Math.round(rate)}/s` : ` ↓ ${Math.round(-rate)}/s`;
}

export const queuesCharts: ReadonlyArray<SourceChartSpec<QueuesSample>> = [
	{
		key: 'queue-depth',
		page: 2,
		series: 'deepest',
		label: 'QUEUE',
		now: sample => {
			const queue = deepest(sample);
			return queue === null ? ' not read' : ` ${printable(queue.name)} ${queue.depth}${queueTrend(queue)}`;
		},
		threshold: 'queueImmediate',
		lineColor: 'cyan',
	},
];

/** After the source's name in the header: `celery 1234 ↑ 60/s`, the deepest queue. */
export function queuesSummary(sample: QueuesSample): string {
	const queue = deepest(sample);
	return queue === null ? 'not read' : `${printable(queue.name)} ${queue.depth}${queueTrend(queue)}`;
}
