// Pure: PostgreSQL's part of the one-shot report (JSON fields documented in the README; add, never rename).
import {formatBytes, formatPercent} from '../../core/format.js';
import {readingError, type SourceReportPart} from '../../core/source-model.js';
import type {PostgresSample} from './parse.js';
import {tierText, type PgNodeSample} from './topology.js';

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

function nodeJson(node: PgNodeSample) {
	return {
		endpoint: node.endpoint,
		role: node.role,
		reachable: node.reachable,
		error: node.error,
		connections: node.connections,
		active: node.active,
		maxConnections: node.maxConnections,
		ratio: node.ratio === null ? null : round(node.ratio, 4),
		lagBytes: node.lagBytes,
		lagSeconds: node.lagSeconds === null ? null : round(node.lagSeconds, 3),
		state: node.state,
		replayPaused: node.replayPaused,
	};
}

function nodeLine(node: PgNodeSample): string {
	if (!node.reachable) return `  ${node.role === 'unknown' ? 'node' : node.role} ${node.endpoint}: ${node.state === 'not streaming' ? 'not streaming, ' : ''}${node.error ?? 'no answer'}`;
	const connections = `connections ${node.connections}/${node.maxConnections} (${formatPercent((node.ratio ?? 0) * 100)}), active ${node.active}`;
	if (node.role !== 'replica') return `  primary ${node.endpoint}: ${connections}`;
	const lag = node.lagBytes === null ? 'lag unknown' : `lag ${formatBytes(node.lagBytes)}${node.lagSeconds === null ? '' : ` / ${node.lagSeconds.toFixed(1)}s`}`;
	return `  replica ${node.endpoint}: ${connections}, ${node.state ?? 'state unknown'}, ${lag}${node.replayPaused ? ', replay paused' : ''}`;
}

export const postgresReport: SourceReportPart<PostgresSample> = {
	json: (reading, pg) => {
		const topology = pg?.topology ?? reading.sample?.topology;
		const primary = topology?.nodes.find(node => node.endpoint === topology.primary && node.reachable);
		// Today's fields describe the primary: with a tier and no primary answering, it is not reachable.
		const reachable = pg !== null && (pg.topology === undefined || primary !== undefined);
		const shown = reachable ? pg : null;
		return {
			endpoint: topology?.primary ?? reading.endpoint,
			reachable,
			connections: shown?.connections ?? null,
			active: shown?.active ?? null,
			maxConnections: shown?.maxConnections ?? null,
			ratio: shown === null ? null : round(shown.ratio, 4),
			error: readingError(reading.status) ?? (pg?.topology !== undefined && primary === undefined ? 'no node answers as the primary' : null),
			...(topology === undefined
				? {}
				: {
						tier: tierText(topology),
						replicasConfigured: topology.replicasConfigured,
						replicasStreaming: pg === null ? null : topology.replicasStreaming,
						// A tier not read now (the source unreachable) is listed from its last reading as not reachable.
						nodes: topology.nodes.map(node => (pg === null ? {...nodeJson(node), reachable: false, error: readingError(reading.status)} : nodeJson(node))),
					}),
		};
	},
	lines(pg) {
		if (pg.topology === undefined) return [`  Connections: ${pg.connections}/${pg.maxConnections} (${formatPercent(pg.ratio * 100)}), active: ${pg.active}`];
		return [`  Tier: ${tierText(pg.topology)}`, ...pg.topology.nodes.map(nodeLine)];
	},
};
