// Qdrant: the vector store's peers and each collection's health (green / yellow / grey / red).
import {endpointOf} from '../../core/redact.js';
import type {SourceKind} from '../source-kind.js';
import {configureQdrant, qdrantFlags, type QdrantConfig} from './config.js';
import type {QdrantSample} from './parse.js';
import {qdrantReport, qdrantSummary} from './report.js';
import {qdrantConcerns} from './rules.js';

export type {QdrantSample} from './parse.js';

export const qdrantSource: SourceKind<QdrantConfig, QdrantSample> = {
	id: 'qdrant',
	title: 'Qdrant',
	thresholds: [],
	flags: qdrantFlags,
	configure: configureQdrant,
	secrets: config => (config.apiKey === undefined ? [] : [config.apiKey]),
	endpoint: config => endpointOf(config.url, 6333),
	async open(config, kit) {
		const {createQdrantCollector} = await import('./collector.js');
		return createQdrantCollector(config, endpointOf(config.url, 6333), kit);
	},
	// A collection not read leaves the total unknown: no point rather than a low one.
	series(sample): Record<string, number> {
		if (!sample.collections.every(collection => collection.points !== null)) return {};
		return {points: sample.collections.reduce((sum, collection) => sum + collection.points!, 0)};
	},
	concerns: qdrantConcerns,
	report: qdrantReport,
	summary: qdrantSummary,
};
