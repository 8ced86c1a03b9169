// Pure: PostgreSQL on screen: the DB conn chart of page 1 (the primary), and with a tier one chart per node on the
// database nodes page(s), and the header's tier text.
import type {SourceChartSpec} from '../../core/source-model.js';
import type {ValueFormat} from '../../core/format.js';
import type {PostgresSample} from './parse.js';
import type {PgNodeSample} from './topology.js';

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

/** A node's series name: its connection ratio in %. */
export const nodeSeries = (endpoint: string) => `ratio:${endpoint}`;

function nodeNow(node: PgNodeSample | undefined, format: ValueFormat): string {
	if (node === undefined || !node.reachable || node.ratio === null) return ` ${node?.state === 'not streaming' ? 'not streaming' : 'unreachable'}`;
	const lag = node.role === 'replica' && node.lagBytes !== null ? ` lag ${format.bytes(node.lagBytes)}` : '';
	return ` ${node.connections}/${node.maxConnections} ${format.percent(node.ratio * 100)}${lag}${node.state !== null && node.state !== 'streaming' ? ` ${node.state}` : ''}`;
}

/** One chart per node of a tier: connections against its max_connections, lag in the title for a replica. */
export function postgresNodeCharts(pg: PostgresSample): ReadonlyArray<SourceChartSpec<PostgresSample>> {
	const topology = pg.topology;
	if (topology === undefined) return [];
	return topology.nodes.map(node => ({
		key: `db:${node.endpoint}`,
		page: 0,
		series: nodeSeries(node.endpoint),
		label: `DB ${node.endpoint} ${node.role}`,
		now: (sample: PostgresSample, format: ValueFormat) => nodeNow(sample.topology?.nodes.find(candidate => candidate.endpoint === node.endpoint), format),
		threshold: 'dbImmediate',
		concernKey: node.endpoint === topology.primary ? 'database.connections' : `database.connections:${node.endpoint}`,
		lineColor: node.role === 'primary' ? 'green' : 'cyan',
	}));
}

/** The header's text for a tier: `1+2 ok`, `1+1, 1 not streaming`, `1+2 lag 40M`; one node: none (the header says ok). */
export function postgresSummary(pg: PostgresSample, format: ValueFormat): string {
	const topology = pg.topology;
	if (topology === undefined) return 'ok';
	const primaries = topology.nodes.filter(node => node.reachable && node.role === 'primary').length;
	const replicas = topology.nodes.filter(node => node.reachable && node.role === 'replica').length;
	const notStreaming = topology.nodes.filter(node => node.role === 'replica' && node.streaming === false).length;
	const unread = topology.nodes.filter(node => !node.reachable && node.streaming !== false).length;
	const lag = Math.max(0, ...topology.nodes.map(node => node.lagBytes ?? 0));
	const parts = [
		notStreaming > 0 ? `${notStreaming} not streaming` : '',
		unread > 0 ? `${unread} unreachable` : '',
		lag >= 1024 * 1024 ? `lag ${format.bytes(lag)}` : '',
		primaries === 0 ? 'no primary' : primaries > 1 ? `${primaries} primaries` : '',
	].filter(Boolean);
	return `${primaries}+${replicas} ${parts.length === 0 ? 'ok' : parts.join(', ')}`;
}
