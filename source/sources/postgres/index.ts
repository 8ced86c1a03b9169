// PostgreSQL: client connections against max_connections (the runbook's database trigger).
import {endpointOf} from '../../core/redact.js';
import type {SourceKind} from '../source-kind.js';
import {secretsOf} from '../secrets.js';
import {nodeSeries, postgresCharts, postgresNodeCharts, postgresSummary} from './charts.js';
import {demoPostgresSample} from './demo.js';
import {configurePostgres, postgresFlags, type PostgresConfig} from './config.js';
import type {PostgresSample} from './parse.js';
import {postgresReport} from './report.js';
import {replicaLagSpecs} from './nodes-rules.js';
import {dbImmediate, dbSoon, postgresConcerns} from './rules.js';
import {topologyEvents} from './topology.js';

export type {PostgresSample} from './parse.js';

export const postgresSource: SourceKind<PostgresConfig, PostgresSample> = {
	id: 'postgres',
	title: 'Database',
	thresholds: [dbImmediate, dbSoon, ...replicaLagSpecs],
	flags: postgresFlags,
	configure: configurePostgres,
	secrets: config => secretsOf(config.nodes),
	endpoint: config => endpointOf(config.url, 5432),
	async open(config, kit) {
		const endpoint = endpointOf(config.url, 5432);
		if (config.nodes.length > 1) {
			const {createPgNodesCollector} = await import('./nodes-collector.js');
			const nodes = config.nodes.map(url => ({url, endpoint: endpointOf(url, 5432)}));
			return createPgNodesCollector({nodes, endpoint, secrets: secretsOf(config.nodes)}, kit);
		}

		const {createPostgresCollector} = await import('./collector.js');
		return createPostgresCollector({
			connectionString: config.url,
			endpoint,
			intervalMs: kit.intervalMs,
			timeoutMs: kit.timeoutMs,
			now: kit.now,
		});
	},
	series(pg) {
		const series: Record<string, number> = {ratio: pg.ratio * 100};
		for (const node of pg.topology?.nodes ?? []) if (node.ratio !== null) series[nodeSeries(node.endpoint)] = node.ratio * 100;
		return series;
	},
	concerns: postgresConcerns,
	report: postgresReport,
	charts: postgresCharts,
	chartsFor: postgresNodeCharts,
	summary: postgresSummary,
	events: (previous, next) => (next.topology === undefined ? [] : topologyEvents(previous.topology, next.topology)),
	connections: pg => ({used: pg.connections, max: pg.maxConnections}),
	demo: {
		endpoint: 'demo://postgres',
		// A primary and two read replicas; replica 2 falls behind in every cycle (demo.ts).
		sample: demoPostgresSample,
	},
};
