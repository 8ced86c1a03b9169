// The access-log source's part of --once: the `http` JSON object and its text lines. Pure.
import {readingError, type SourceReading, type SourceReportPart} from '../../core/source-model.js';
import {formatValue} from '../../core/threshold-judge.js';
import {accessLogLine, logFormatLine} from './parse.js';
import {windowText} from './rules.js';
import type {HttpSample} from './sample.js';

/** The JSON contract documented in the README (`http`): add fields, never rename or remove them. */
export interface HttpJson {
	reachable: boolean;
	error: string | null;
	source: string;
	windowSeconds: number | null;
	requests: number | null;
	requestsPerSecond: number | null;
	p50Ms: number | null;
	p95Ms: number | null;
	p99Ms: number | null;
	errorRatio: number | null;
	latencyAssessed: boolean;
	/** Lines of the window that were not access-log lines of a known format. */
	notUnderstood: number | null;
	/** `json` (va-top's log_format), `combined`, or null before any line. */
	format: 'json' | 'combined' | null;
	instances: Array<{name: string; requests: number; p95Ms: number | null; errorRatio: number | null}>;
}

const round = (value: number | null, digits = 1) => (value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits);

/** Why there is nothing to judge when the project has no nginx service. */
export function notFoundText(sample: HttpSample): string {
	return `no running ${sample.source.replace(/^docker:/, '')} container: response time and error rate not assessed (name nginx's service with --http-service NAME, or its log with --http-log FILE)`;
}

export function latencyHint(): string {
	return `latency not assessed: the log has no $request_time; add to nginx's http block: ${logFormatLine} ${accessLogLine}`;
}

export const httpReport: SourceReportPart<HttpSample> = {
	key: 'http',
	json(reading: SourceReading<HttpSample>, usable: HttpSample | null): HttpJson {
		const sample = usable !== null && usable.found ? usable : null;
		const error = readingError(reading.status) ?? (usable !== null && !usable.found ? notFoundText(usable) : null);
		return {
			reachable: sample !== null,
			error,
			source: reading.endpoint,
			windowSeconds: sample?.windowSeconds ?? null,
			requests: sample?.requests ?? null,
			requestsPerSecond: round(sample?.requestsPerSecond ?? null, 2),
			p50Ms: round(sample?.p50Ms ?? null),
			p95Ms: round(sample?.p95Ms ?? null),
			p99Ms: round(sample?.p99Ms ?? null),
			errorRatio: round(sample?.errorRatio ?? null, 4),
			latencyAssessed: sample?.latencyAssessed ?? false,
			notUnderstood: sample?.notUnderstood ?? null,
			format: sample?.format ?? null,
			instances: (sample?.instances ?? []).map((row) => ({name: row.name, requests: row.requests, p95Ms: round(row.p95Ms), errorRatio: round(row.errorRatio, 4)})),
		};
	},
	lines(sample: HttpSample): string[] {
		if (!sample.found) return [`  ${notFoundText(sample)}`];
		const lines: string[] = [];
		const rate = sample.requestsPerSecond === null ? '-' : sample.requestsPerSecond.toFixed(1);
		const errors = sample.errorRatio === null ? '-' : `${(sample.errorRatio * 100).toFixed(1)}%`;
		const latency = sample.latencyAssessed
			? `p50 ${timeText(sample.p50Ms)}, p95 ${timeText(sample.p95Ms)}, p99 ${timeText(sample.p99Ms)}`
			: 'latency not assessed';
		lines.push(`  Requests: ${sample.requests} in ${windowText(sample.windowSeconds)} (${rate}/s), 5xx: ${errors}, ${latency}`);
		if (sample.instances.length > 0) {
			const width = Math.max(8, ...sample.instances.map((row) => row.name.length));
			lines.push(`  ${'INSTANCE'.padEnd(width)}  ${'REQUESTS'.padStart(8)}  ${'P95'.padStart(7)}  ${'5XX'.padStart(6)}`);
			for (const row of sample.instances) {
				const rowErrors = row.errorRatio === null ? '-' : `${(row.errorRatio * 100).toFixed(1)}%`;
				lines.push(`  ${row.name.padEnd(width)}  ${String(row.requests).padStart(8)}  ${timeText(row.p95Ms).padStart(7)}  ${rowErrors.padStart(6)}`);
			}
		}

		if (sample.notUnderstood > 0) lines.push(`  ${sample.notUnderstood} line${sample.notUnderstood === 1 ? '' : 's'} not understood (neither va-top's JSON log_format nor combined)`);
		if (!sample.latencyAssessed && sample.requests > 0) lines.push(`  ${latencyHint()}`);
		return lines;
	},
};

/** `171ms`, `2.7s`: whole milliseconds under a second (the log's resolution), tenths of a second above. */
export function timeText(ms: number | null): string {
	if (ms === null) return '-';
	return ms < 999.5 ? `${Math.round(ms)}ms` : formatValue(ms, 'time');
}
