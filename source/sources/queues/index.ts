// Job queues in Redis: the runbook's "queue depth > 1000", read on the redis source's connection.
import {endpointOf} from '../../core/redact.js';
import {secretsOf} from '../secrets.js';
import type {SourceKind} from '../source-kind.js';
import {deepest, queuesCharts, queuesSummary} from './charts.js';
import {configureQueues, queuesFlags, type QueuesConfig} from './config.js';
import {queuesDemo} from './demo.js';
import type {QueuesSample} from './parse.js';
import {queuesReport} from './report.js';
import {queueConcerns, queueImmediate, queueSoon} from './rules.js';

export type {QueuesSample} from './parse.js';

export const queuesSource: SourceKind<QueuesConfig, QueuesSample> = {
	id: 'queues',
	title: 'Queues',
	thresholds: [queueImmediate, queueSoon],
	flags: queuesFlags,
	configure: configureQueues,
	secrets: config => secretsOf([config.url]),
	endpoint: config => endpointOf(config.url, 6379),
	async open(config, kit) {
		const {createQueuesCollector} = await import('./collector.js');
		return createQueuesCollector({url: config.url, endpoint: endpointOf(config.url, 6379), queues: config.queues, connections: await kit.redis()}, kit);
	},
	series: (sample): Record<string, number> => {
		const queue = deepest(sample);
		return queue === null ? {} : {deepest: queue.depth!};
	},
	concerns: queueConcerns,
	report: queuesReport,
	summary: queuesSummary,
	charts: queuesCharts,
	demo: queuesDemo,
};
