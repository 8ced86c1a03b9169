import {describe, expect, it} from 'vitest';
import {logFormatLine, parseAccessLine} from '../../../source/sources/http-log/parse.js';
import {parseUpstreams, splitUpstreamList} from '../../../source/sources/http-log/upstream.js';

/** A line as nginx writes it with va-top's log_format (every value a string, escape=json). */
function jsonLine(fields: Record<string, string>): string {
	return JSON.stringify({msec: '1764309486.123', status: '200', request_time: '0.120', upstream_response_time: '0.118', upstream_addr: '127.0.0.1:18101', upstream_status: '200', ...fields});
}

describe('the upstream lists of one request', () => {
	it('reads a single server, its status and its time in ms', () => {
		expect(parseUpstreams('10.0.0.3:8000', '200', '0.118')).toEqual([{address: '10.0.0.3:8000', status: 200, responseTimeMs: 118}]);
	});

	it('reads retries separated by "," in order, each with its own status and time', () => {
		expect(parseUpstreams('10.0.0.1:8000, 10.0.0.2:8000', '502, 200', '0.001, 0.050')).toEqual([
			{address: '10.0.0.1:8000', status: 502, responseTimeMs: 1},
			{address: '10.0.0.2:8000', status: 200, responseTimeMs: 50},
		]);
	});

	it('reads server groups separated by " : " (an internal redirect) as further attempts, keeping the ":" of host:port', () => {
		expect(parseUpstreams('10.0.0.1:8000, unix:/run/app.sock : 10.0.1.5:9000', '504, 500 : 200', '5.001, 0.002 : 0.020')).toEqual([
			{address: '10.0.0.1:8000', status: 504, responseTimeMs: 5001},
			{address: 'unix:/run/app.sock', status: 500, responseTimeMs: 2},
			{address: '10.0.1.5:9000', status: 200, responseTimeMs: 20},
		]);
	});

	it('reads "-" as no value: no upstream at all, or a server that never answered', () => {
		expect(parseUpstreams('-', '-', '-')).toEqual([]);
		expect(parseUpstreams('', '', '')).toEqual([]);
		expect(parseUpstreams('10.0.0.1:8000, 10.0.0.2:8000', '-, 200', '-, 0.010')).toEqual([
			{address: '10.0.0.1:8000', status: null, responseTimeMs: null},
			{address: '10.0.0.2:8000', status: 200, responseTimeMs: 10},
		]);
	});

	it('keeps an address whose status or time list is shorter (a variable missing from the format) with nulls', () => {
		expect(parseUpstreams('[fd00::3]:8000', undefined, null)).toEqual([{address: '[fd00::3]:8000', status: null, responseTimeMs: null}]);
	});

	it('splits the list form by both separators and nothing else', () => {
		expect(splitUpstreamList('a:1, b:2 : c:3')).toEqual(['a:1', 'b:2', 'c:3']);
		expect(splitUpstreamList('voiceassist_backend')).toEqual(['voiceassist_backend']);
	});
});

describe('one access-log line', () => {
	it('reads the documented JSON format: time, status, request time and the upstream attempt', () => {
		expect(parseAccessLine(jsonLine({}))).toEqual({
			timeMs: 1764309486123,
			status: 200,
			requestTimeMs: 120,
			upstreams: [{address: '127.0.0.1:18101', status: 200, responseTimeMs: 118}],
			format: 'json',
		});
	});

	it('reads the log_format line va-top documents, once nginx has filled it in', () => {
		const filled = logFormatLine
			.replace(/^log_format \S+ escape=json '/, '')
			.replace(/';$/, '')
			.replace('$msec', '1764309486.500')
			.replace('$status', '502')
			.replace('$request_time', '0.004')
			.replace('$upstream_response_time', '0.003')
			.replace('$upstream_addr', 'voiceassist_backend')
			.replace('$upstream_status', '502');
		expect(parseAccessLine(filled)).toMatchObject({timeMs: 1764309486500, status: 502, requestTimeMs: 4, upstreams: [{address: 'voiceassist_backend', status: 502}]});
	});

	it('takes numbers as well as strings (a format written without quotes)', () => {
		expect(parseAccessLine('{"msec":1764309486.1,"status":503,"request_time":2.5}')).toMatchObject({status: 503, requestTimeMs: 2500, timeMs: 1764309486100});
	});

	it('reads nginx\'s default combined format: the status and the time, no latency', () => {
		const line = '127.0.0.1 - - [28/Nov/2026:06:40:00 +0100] "GET /api/x?q=\\"a\\" HTTP/1.1" 503 153 "-" "curl/8.0"';
		expect(parseAccessLine(line)).toEqual({timeMs: Date.UTC(2026, 10, 28, 5, 40, 0), status: 503, requestTimeMs: null, upstreams: [], format: 'combined'});
	});

	it('reads the official image\'s `main` format (combined plus X-Forwarded-For)', () => {
		const line = '10.1.2.3 - alice [01/Jan/2026:00:00:01 +0000] "POST /v1 HTTP/2.0" 200 - "-" "ua" "203.0.113.9"';
		expect(parseAccessLine(line)).toMatchObject({status: 200, format: 'combined', timeMs: Date.UTC(2026, 0, 1, 0, 0, 1)});
	});

	it('does not understand anything else, and never throws', () => {
		for (const line of [
			'',
			'   ',
			'2026/11/28 06:40:00 [error] 7#7: *1 connect() failed (111: Connection refused)',
			'{"msec":"1.0"}',
			'{"status":"abc"}',
			'{"status":"200"',
			'[1,2,3]',
			'null',
			'\u0000\u0001\u00ff\ufffd binary \u0007',
			`{"status":"200","x":"${'a'.repeat(70_000)}"}`,
		]) {
			expect(parseAccessLine(line), JSON.stringify(line.slice(0, 60))).toBeNull();
		}
	});
});
