// Pure: PostgreSQL's part of `--once --capacity`: the database's size and connections today, and for the growth
// the connections the instances it needs would hold (each keeps today's share) against max_connections, and the size.
import {formatBytes, num, plural, round2, type SourceCapacityPart} from '../../core/capacity.js';
import {readingError, thresholdOf} from '../../core/source-model.js';
import type {PostgresSample} from './parse.js';
import {dbImmediate, postgresActions} from './rules.js';

export const postgresCapacity: SourceCapacityPart<PostgresSample> = (reading, pg, context) => {
	const threshold = thresholdOf(context.thresholds, dbImmediate);
	const error = pg === null ? `postgres: ${readingError(reading.status) ?? 'no reading'}` : null;
	const n = context.instancesNow;
	const perInstance = pg !== null && n !== null && n > 0 ? pg.connections / n : null;
	const sizeBytes = pg?.sizeBytes ?? null;
	const name = pg?.database === undefined || pg.database === '' ? null : pg.database;
	const sizeForecast = sizeBytes === null ? null : {bytes: Math.round(sizeBytes * context.growth), arithmetic: `${formatBytes(sizeBytes)} × ${num(context.growth)} = ${formatBytes(sizeBytes * context.growth)}`};
	let forecast: {instances: number; connections: number; percent: number; threshold: number; over: boolean; advice: string; arithmetic: string} | null = null;
	if (pg !== null && perInstance !== null && context.instancesNeeded !== null) {
		const target = context.instancesNeeded;
		const connections = Math.ceil(perInstance * target - 1e-9);
		const percent = (connections / pg.maxConnections) * 100;
		const over = percent > threshold;
		const advice =
			percent > 100
				? `past max_connections: add PgBouncer or a read replica (${postgresActions.database})`
				: over
					? `over --db-immediate ${num(threshold)} %: add PgBouncer or a read replica`
					: `within --db-immediate ${num(threshold)} %`;
		const arithmetic = `${plural(pg.connections, 'connection')} ÷ ${plural(n!, 'instance')} = ${num(perInstance)} per instance; × ${plural(target, 'instance')} = ~${connections} of max_connections ${pg.maxConnections} (${num(percent)} %)`;
		forecast = {instances: target, connections, percent: round2(percent), threshold, over, advice, arithmetic};
	}

	const today =
		pg === null
			? [`Database: not assessed (${error})`]
			: [`Database${name === null ? '' : ` ${name}`}: ${sizeBytes === null ? 'size not read' : `size ${formatBytes(sizeBytes)}`}; connections ${pg.connections} of max_connections ${pg.maxConnections}${perInstance === null ? '' : `, ${num(perInstance)} per instance`}`];
	return {
		json: {
			endpoint: reading.endpoint,
			name,
			sizeBytes,
			connections: pg?.connections ?? null,
			maxConnections: pg?.maxConnections ?? null,
			perInstance: perInstance === null ? null : round2(perInstance),
			forecast,
			sizeForecast,
			error: error ?? (forecast === null ? 'the app forecast is not assessed' : null),
		},
		today,
		forecast: [
			`Database connections: ${forecast === null ? `not assessed (${error ?? 'the app forecast is not assessed'})` : `${forecast.arithmetic}: ${forecast.advice}`}`,
			`Database size: ${sizeForecast === null ? 'not read' : sizeForecast.arithmetic}`,
		],
	};
};
