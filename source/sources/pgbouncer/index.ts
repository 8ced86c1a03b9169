// PgBouncer: the runbook's "connection pool exhausted", from SHOW POOLS of the admin console.
import {endpointOf} from '../../core/redact.js';
import {secretsOf} from '../secrets.js';
import type {SourceKind} from '../source-kind.js';
import {pgbouncerCharts, pgbouncerSummary} from './charts.js';
import {configurePgbouncer, pgbouncerFlags, type PgbouncerConfig} from './config.js';
import {pgbouncerDemo} from './demo.js';
import {totalWaiting, type PgbouncerSample} from './parse.js';
import {pgbouncerReport} from './report.js';
import {pgbouncerConcerns, poolMaxwait, poolSustain, poolWaiting} from './rules.js';

export type {PgbouncerSample} from './parse.js';

export const pgbouncerSource: SourceKind<PgbouncerConfig, PgbouncerSample> = {
	id: 'pgbouncer',
	title: 'PgBouncer',
	thresholds: [poolWaiting, poolSustain, poolMaxwait],
	flags: pgbouncerFlags,
	configure: configurePgbouncer,
	secrets: config => secretsOf([config.url]),
	endpoint: config => endpointOf(config.url, 6432),
	async open(config, kit) {
		const {createPgbouncerCollector} = await import('./collector.js');
		return createPgbouncerCollector({url: config.url, endpoint: endpointOf(config.url, 6432)}, kit);
	},
	series: sample => ({waiting: totalWaiting(sample), maxWaitMs: sample.pools.reduce((worst, pool) => Math.max(worst, pool.maxWaitMs), 0)}),
	concerns: pgbouncerConcerns,
	report: pgbouncerReport,
	summary: pgbouncerSummary,
	charts: pgbouncerCharts,
	demo: pgbouncerDemo,
};
