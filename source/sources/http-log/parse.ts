// One nginx access-log line → one request. Two formats are understood:
// - va-top's JSON log_format (escape=json; see logFormatLine): status, request time and every upstream attempt;
// - nginx's default `combined` (and the official image's `main`, which adds a field at the end): the status only,
//   so the error rate is known and the latency is not.
// Anything else is "not understood": counted by the caller, never thrown.
import {parseSeconds, parseUpstreams, type UpstreamAttempt} from './upstream.js';

export interface AccessRecord {
	/** Epoch ms of the request's end ($msec, or $time_local at 1 s resolution); null when the line has none. */
	timeMs: number | null;
	/** The status sent to the client. */
	status: number;
	/** $request_time in ms; null in the combined format or when the field is missing or "-". */
	requestTimeMs: number | null;
	/** Every upstream server tried, in order; empty when nginx answered by itself or the format does not say. */
	upstreams: UpstreamAttempt[];
	format: 'json' | 'combined';
}

/** The log_format line to add to nginx's http block; the README and the screen quote it. */
export const logFormatName = 'vatop';
export const logFormatLine =
	`log_format ${logFormatName} escape=json '{"msec":"$msec","status":"$status","request_time":"$request_time",` +
	`"upstream_response_time":"$upstream_response_time","upstream_addr":"$upstream_addr","upstream_status":"$upstream_status"}';`;
export const accessLogLine = `access_log /dev/stdout ${logFormatName};`;

/** Longer lines are not parsed (a JSON line of this format is ~250 bytes; nginx's own limit is its buffer). */
export const maxLineBytes = 64 * 1024;

export function parseAccessLine(line: string): AccessRecord | null {
	const text = line.trim();
	if (text.length === 0 || text.length > maxLineBytes) return null;
	if (text.startsWith('{')) return parseJsonLine(text);
	return parseCombinedLine(text);
}

function parseJsonLine(text: string): AccessRecord | null {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		return null;
	}

	if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
	const fields = value as Record<string, unknown>;
	const status = statusOf(fields.status);
	if (status === null) return null;
	const msec = textOf(fields.msec);
	const timeMs = msec !== null && /^\d+(?:\.\d+)?$/.test(msec) ? Math.round(Number(msec) * 1000) : null;
	return {
		timeMs,
		status,
		requestTimeMs: parseSeconds(textOf(fields.request_time)),
		upstreams: parseUpstreams(textOf(fields.upstream_addr), textOf(fields.upstream_status), textOf(fields.upstream_response_time)),
		format: 'json',
	};
}

// $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" ...
// The request is quoted with nginx's escaping (\x22 for a quote), so a quote never ends it early; \" is allowed too.
const combined = /^\S+ \S+ .*?\[(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})\] "(?:[^"\\]|\\.)*" (\d{3}) (?:\d+|-)(?: |$)/;
const months: Record<string, number> = {Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11};

function parseCombinedLine(text: string): AccessRecord | null {
	const match = combined.exec(text);
	if (!match) return null;
	const [, day, monthName, year, hour, minute, second, sign, offsetHours, offsetMinutes, status] = match;
	const month = months[monthName!];
	if (month === undefined) return null;
	const offsetMs = (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000 * (sign === '-' ? -1 : 1);
	const timeMs = Date.UTC(Number(year), month, Number(day), Number(hour), Number(minute), Number(second)) - offsetMs;
	return {timeMs: Number.isFinite(timeMs) ? timeMs : null, status: Number(status), requestTimeMs: null, upstreams: [], format: 'combined'};
}

function textOf(value: unknown): string | null {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return null;
}

function statusOf(value: unknown): number | null {
	const text = textOf(value);
	if (text === null || !/^\d{3}$/.test(text)) return null;
	return Number(text);
}
