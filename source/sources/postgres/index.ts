// PostgreSQL: client connections against max_connections (the runbook's database trigger).
import {endpointOf} from '../../core/redact.js';
import {readPostgres} from '../demo/load-model.js';
import type {SourceKind} from '../source-kind.js';
import {secretsOf} from '../secrets.js';
import {postgresCharts} from './charts.js';
import {configurePostgres, postgresFlags, type PostgresConfig} from './config.js';
import type {PostgresSample} from './parse.js';
import {postgresReport} from './report.js';
import {dbImmediate, dbSoon, postgresConcerns} from './rules.js';

export type {PostgresSample} from './parse.js';

export const postgresSource: SourceKind<PostgresConfig, PostgresSample> = {
	id: 'postgres',
	title: 'Database',
	thresholds: [dbImmediate, dbSoon],
	flags: postgresFlags,
	configure: configurePostgres,
	secrets: config => secretsOf([config.url]),
	endpoint: config => endpointOf(config.url, 5432),
	async open(config, kit) {
		const {createPostgresCollector} = await import('./collector.js');
		return createPostgresCollector({
			connectionString: config.url,
			endpoint: endpointOf(config.url, 5432),
			intervalMs: kit.intervalMs,
			timeoutMs: kit.timeoutMs,
			now: kit.now,
		});
	},
	series: pg => ({ratio: pg.ratio * 100}),
	concerns: postgresConcerns,
	report: postgresReport,
	charts: postgresCharts,
	connections: pg => ({used: pg.connections, max: pg.maxConnections}),
	demo: {
		endpoint: 'demo://postgres',
		sample(world, at) {
			// Every instance that has started holds its pool's connections until it exits.
			const holdingPools = world.instances.filter(instance => instance.phase !== 'created' && instance.phase !== 'exited').length;
			const reading = readPostgres(world.seed, world.elapsedMs, holdingPools);
			return {...reading, ratio: reading.connections / reading.maxConnections, at};
		},
	},
};
