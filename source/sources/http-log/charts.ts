// The access-log source on screen: a latency chart with the --latency-immediate line, an error-rate chart with the
// --errors-immediate line, the series they draw, and the header's compact text. Pure.
import type {InstanceColumnSpec, SourceChartSpec} from '../../core/source-model.js';
import {formatValue} from '../../core/threshold-judge.js';
import {timeText} from './report.js';
import type {HttpSample} from './sample.js';

/** Numbers recorded per reading (only those the log gives: a missing p95 is a gap, never a zero). */
export function httpSeries(sample: HttpSample): Record<string, number> {
	if (!sample.found) return {};
	const series: Record<string, number> = {};
	if (sample.requestsPerSecond !== null) series.rps = sample.requestsPerSecond;
	if (sample.p95Ms !== null) series.p95 = sample.p95Ms;
	if (sample.errorRatio !== null) series.errors = sample.errorRatio * 100;
	return series;
}

export const httpCharts: ReadonlyArray<SourceChartSpec<HttpSample>> = [
	{
		key: 'http-p95',
		page: 2,
		series: 'p95',
		label: 'HTTP p95',
		now: (sample) => (sample.latencyAssessed ? ` ${timeText(sample.p95Ms)}` : ' not assessed (log_format)'),
		threshold: 'latencyImmediate',
		concernKey: 'http.latency',
		lineColor: 'cyan',
	},
	{
		key: 'http-errors',
		page: 2,
		series: 'errors',
		label: 'HTTP 5xx',
		now: (sample) => (sample.errorRatio === null ? ' no requests' : ` ${formatValue(sample.errorRatio * 100, 'percent')} of ${sample.requests}`),
		threshold: 'errorsImmediate',
		concernKey: 'http.errors',
		lineColor: 'magenta',
	},
];

/** The header's status text when healthy, after the source's id: `http p95 320ms 5xx 0.4% 41/s`. */
export function httpSummary(sample: HttpSample): string {
	if (!sample.found) return 'no nginx';
	const errors = sample.errorRatio === null ? '-' : `${(sample.errorRatio * 100).toFixed(1)}%`;
	const rate = sample.requestsPerSecond === null ? '' : ` ${Math.round(sample.requestsPerSecond)}/s`;
	const latency = sample.latencyAssessed ? `p95 ${timeText(sample.p95Ms)}` : 'p95 n/a';
	const unread = sample.notUnderstood > 0 ? ` ${sample.notUnderstood}?` : '';
	return `${latency} 5xx ${errors}${rate}${unread}`;
}

/** The instance table's P95 and 5XX columns, shown while the log names the instances (JSON format with upstreams). */
export const httpInstanceColumns: ReadonlyArray<InstanceColumnSpec<HttpSample>> = [
	{
		key: 'http-p95',
		header: 'P95',
		width: 6,
		cells: (sample) => (!sample.found || !sample.latencyAssessed || sample.instances.length === 0 ? null : new Map(sample.instances.map((row) => [row.name, timeText(row.p95Ms)]))),
		concernKey: (name) => `instance.latency-p95:${name}`,
	},
	{
		key: 'http-errors',
		header: '5XX',
		width: 5,
		cells: (sample) =>
			!sample.found || sample.instances.length === 0
				? null
				: new Map(sample.instances.map((row) => [row.name, row.errorRatio === null ? '-' : `${(row.errorRatio * 100).toFixed(row.errorRatio < 0.1 ? 1 : 0)}%`])),
		concernKey: (name) => `instance.error-rate:${name}`,
	},
];
