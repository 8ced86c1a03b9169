// Pure: PostgreSQL on screen: the DB conn chart of page 1.
import type {SourceChartSpec} from '../../core/source-model.js';
import type {PostgresSample} from './parse.js';

export const postgresCharts: ReadonlyArray<SourceChartSpec<PostgresSample>> = [
	{
		key: 'db',
		page: 1,
		series: 'ratio',
		label: 'DB conn',
		now: (pg, format) => ` ${pg.connections}/${pg.maxConnections} ${format.percent(pg.ratio * 100)}`,
		threshold: 'dbImmediate',
		concernKey: 'database.connections',
		lineColor: 'green',
	},
];
