// Pure: the pool on screen: a chart of the clients waiting (page 2) and the header's compact text.
import type {SourceChartSpec} from '../../core/source-model.js';
import {totalWaiting, type PgbouncerSample} from './parse.js';

/** 1.5s, 250ms, 0s. */
export function formatWait(ms: number): string {
	if (ms <= 0) return '0s';
	return ms >= 1000 ? `${Number((ms / 1000).toFixed(1))}s` : `${Math.round(ms)}ms`;
}

/** The longest wait over the pools, ms. */
export function longestWait(sample: PgbouncerSample): number {
	return sample.pools.reduce((worst, pool) => Math.max(worst, pool.maxWaitMs), 0);
}

export const pgbouncerCharts: ReadonlyArray<SourceChartSpec<PgbouncerSample>> = [
	{
		key: 'pool-waiting',
		page: 2,
		series: 'waiting',
		label: 'POOL wait',
		now: sample => {
			const waiting = totalWaiting(sample);
			return waiting === 0 ? ' 0 clients' : ` ${waiting} client${waiting === 1 ? '' : 's'} ${formatWait(longestWait(sample))}`;
		},
		threshold: 'poolWaiting',
		lineColor: 'magenta',
	},
];

/** After the source's name in the header: `3 waiting 1.5s` when clients wait, else `ok`. */
export function pgbouncerSummary(sample: PgbouncerSample): string {
	const waiting = totalWaiting(sample);
	return waiting === 0 ? 'ok' : `${waiting} waiting ${formatWait(longestWait(sample))}`;
}
