import {describe, expect, it} from 'vitest';
import type {ConcernContext} from '../../../source/core/source-model.js';
import {createJudge, emptyClock, type BreachClock} from '../../../source/core/threshold-judge.js';
import {defaultThresholds, type Thresholds} from '../../../source/core/thresholds.js';
import {httpCharts, httpInstanceColumns, httpSeries, httpSummary} from '../../../source/sources/http-log/charts.js';
import {demoHttpSample} from '../../../source/sources/http-log/demo.js';
import {httpReport} from '../../../source/sources/http-log/report.js';
import {httpConcerns, httpThresholds} from '../../../source/sources/http-log/rules.js';
import type {HttpSample} from '../../../source/sources/http-log/sample.js';
import type {HttpInstanceFigures} from '../../../source/sources/http-log/summary.js';

const now = Date.UTC(2026, 10, 28, 6, 0, 0);

function row(name: string, p95Ms: number | null, errorRatio: number, requests = 300): HttpInstanceFigures {
	return {name, id: name, addresses: [], requests, errors: Math.round(requests * errorRatio), errorRatio, p95Ms};
}

function sample(overrides: Partial<HttpSample> = {}): HttpSample {
	return {
		at: now,
		source: 'docker:voiceassist/nginx',
		found: true,
		windowSeconds: 60,
		coveredSeconds: 60,
		requests: 900,
		requestsPerSecond: 15,
		errors: 0,
		errorRatio: 0,
		p50Ms: 80,
		p95Ms: 150,
		p99Ms: 300,
		latencyAssessed: true,
		instances: [row('va-server-1', 150, 0), row('va-server-2', 160, 0), row('va-server-3', 140, 0)],
		notUnderstood: 0,
		format: 'json',
		backfilled: true,
		...overrides,
	};
}

function context(thresholds: Partial<Thresholds> = {}, clock: BreachClock = emptyClock, oneShot = true): ConcernContext {
	return {
		thresholds: {...defaultThresholds, ...thresholds},
		judge: createJudge(clock, now, {hysteresis: 5, oneShot}),
		oneShot,
		project: 'voiceassist',
		service: 'voiceassist-server',
		now,
	};
}

describe('the response-time and error-rate rules', () => {
	it('says nothing while p95 and the 5xx rate are under 70 % of their thresholds', () => {
		expect(httpConcerns(sample(), context())).toEqual([]);
	});

	it('calls p95 over 2 s on every instance IMMEDIATE: scale out, in the runbook\'s words', () => {
		const concerns = httpConcerns(sample({p95Ms: 2600, instances: [row('a', 2500, 0), row('b', 2700, 0)]}), context());
		expect(concerns).toHaveLength(1);
		expect(concerns[0]).toMatchObject({level: 'IMMEDIATE', scope: 'service', metric: 'latency-p95', value: 2600, threshold: 2000, action: 'Scale application horizontally'});
		expect(concerns[0]!.message).toBe('voiceassist-server p95 response time 2.6s > 2s (900 requests in 1m): Scale application horizontally');
	});

	it('calls p95 over 70 % of 2 s SOON: plan', () => {
		const concerns = httpConcerns(sample({p95Ms: 1500, instances: []}), context());
		expect(concerns).toMatchObject([{level: 'SOON', metric: 'latency-p95', threshold: 1400, action: 'Plan to scale within 24 hours'}]);
	});

	it('names the one slow instance while the others are fine, worded like the hot-CPU rule', () => {
		const concerns = httpConcerns(sample({p95Ms: 2900, instances: [row('va-server-1', 150, 0), row('va-server-2', 3100, 0), row('va-server-3', 140, 0)]}), context());
		expect(concerns).toHaveLength(1);
		expect(concerns[0]).toMatchObject({level: 'IMMEDIATE', scope: 'instance', subject: 'va-server-2', metric: 'latency-p95', action: 'Check load balancing, or drain the instance'});
		expect(concerns[0]!.message).toBe("va-server-2 p95 response time 3.1s > 2s while the others' p95 is at most 150ms: Check load balancing, or drain the instance");
	});

	it('calls a 5xx rate over 5 % IMMEDIATE, over 3.5 % SOON, exactly at the threshold nothing', () => {
		const all = (ratio: number) => sample({errorRatio: ratio, instances: [row('a', 100, ratio), row('b', 100, ratio)]});
		expect(httpConcerns(all(0.12), context())).toMatchObject([{level: 'IMMEDIATE', scope: 'service', metric: 'error-rate', value: 12, threshold: 5}]);
		expect(httpConcerns(all(0.04), context())).toMatchObject([{level: 'SOON', metric: 'error-rate', threshold: 3.5}]);
		expect(httpConcerns(all(0.035), context())).toEqual([]);
	});

	it('names the one failing instance while the others answer', () => {
		const concerns = httpConcerns(sample({errorRatio: 0.33, instances: [row('a', 100, 0), row('b', 100, 0), row('c', 100, 1)]}), context());
		expect(concerns).toMatchObject([{level: 'IMMEDIATE', scope: 'instance', subject: 'c', metric: 'error-rate', value: 100}]);
		expect(concerns[0]!.message).toContain("while the others' is at most 0%");
	});

	it('follows the flags: --latency-immediate 500ms, --errors-immediate 1', () => {
		const concerns = httpConcerns(sample({p95Ms: 600, errorRatio: 0.02, instances: []}), context({latencyImmediate: 500, latencySoon: 350, errorsImmediate: 1, errorsSoon: 0.7}));
		expect(concerns.map((concern) => [concern.metric, concern.level, concern.threshold])).toEqual([
			['latency-p95', 'IMMEDIATE', 500],
			['error-rate', 'IMMEDIATE', 1],
		]);
	});

	it('judges no latency it cannot see (combined format), too few requests, or a project without nginx', () => {
		expect(httpConcerns(sample({latencyAssessed: false, p95Ms: null, instances: []}), context())).toEqual([]);
		expect(httpConcerns(sample({requests: 4, p95Ms: 9000, errorRatio: 1}), context())).toEqual([]);
		expect(httpConcerns(sample({found: false, p95Ms: 9000}), context())).toEqual([]);
	});

	it('holds a live breach by hysteresis when p95 dips just under 2 s, and ends it well under', () => {
		const slow = sample({p95Ms: 2500, instances: []});
		const first = context({}, emptyClock, false);
		expect(httpConcerns(slow, first)[0]!.level).toBe('IMMEDIATE');
		const held = context({}, first.judge.clock(), false);
		expect(httpConcerns(sample({p95Ms: 1950, instances: []}), held)[0]).toMatchObject({level: 'IMMEDIATE'});
		const ended = context({}, held.judge.clock(), false);
		expect(httpConcerns(sample({p95Ms: 300, instances: []}), ended)).toEqual([]);
	});

	it('declares its four thresholds with the runbook\'s defaults, SOON at 70 %', () => {
		expect(httpThresholds.map((spec) => [spec.flag, spec.unit, spec.defaultValue, spec.soonOf ?? null])).toEqual([
			['latency-immediate', 'time', 2000, null],
			['latency-soon', 'time', 1400, 'latencyImmediate'],
			['errors-immediate', 'percent', 5, null],
			['errors-soon', 'percent', 3.5, 'errorsImmediate'],
		]);
	});
});

describe('the http report, series and charts', () => {
	it('gives the documented JSON fields, rounded, with instances', () => {
		const json = httpReport.json({endpoint: 'docker:voiceassist/nginx', status: {kind: 'ok', at: now}, sample: sample()}, sample());
		expect(json).toEqual({
			reachable: true,
			error: null,
			source: 'docker:voiceassist/nginx',
			windowSeconds: 60,
			requests: 900,
			requestsPerSecond: 15,
			p50Ms: 80,
			p95Ms: 150,
			p99Ms: 300,
			errorRatio: 0,
			latencyAssessed: true,
			notUnderstood: 0,
			format: 'json',
			instances: [
				{name: 'va-server-1', requests: 300, p95Ms: 150, errorRatio: 0},
				{name: 'va-server-2', requests: 300, p95Ms: 160, errorRatio: 0},
				{name: 'va-server-3', requests: 300, p95Ms: 140, errorRatio: 0},
			],
		});
	});

	it('says why when unreachable or when the project has no nginx, with nulls and never zeros', () => {
		const down = httpReport.json({endpoint: 'file:/var/log/nginx/access.log', status: {kind: 'unreachable', reason: 'no such file /var/log/nginx/access.log', since: now}, sample: null}, null);
		expect(down).toMatchObject({reachable: false, error: 'no such file /var/log/nginx/access.log', requests: null, p95Ms: null, errorRatio: null, instances: []});
		const none = sample({found: false, requests: 0});
		const absent = httpReport.json({endpoint: 'docker:voiceassist/nginx', status: {kind: 'ok', at: now}, sample: none}, none);
		expect(absent).toMatchObject({reachable: false, requests: null, p95Ms: null});
		expect(absent.error).toContain('no running voiceassist/nginx container');
		expect(httpReport.lines(none)[0]).toContain('--http-service NAME');
	});

	it('tells which log_format line to add when the log has no request time, and counts lines not understood', () => {
		const lines = httpReport.lines(sample({latencyAssessed: false, p95Ms: null, p50Ms: null, p99Ms: null, format: 'combined', notUnderstood: 12, instances: []}));
		expect(lines.join('\n')).toContain('12 lines not understood');
		expect(lines.join('\n')).toContain("log_format vatop escape=json '{\"msec\":\"$msec\"");
		expect(lines.join('\n')).toContain('access_log /dev/stdout vatop;');
	});

	it('prints requests, rate, 5xx and quantiles, and a row per instance', () => {
		const lines = httpReport.lines(sample({p95Ms: 2600, errorRatio: 0.0123}));
		expect(lines[0]).toBe('  Requests: 900 in 1m (15.0/s), 5xx: 1.2%, p50 80ms, p95 2.6s, p99 300ms');
		expect(lines[1]).toMatch(/INSTANCE\s+REQUESTS\s+P95\s+5XX/);
		expect(lines[3]).toMatch(/^ {2}va-server-2\s+300\s+160ms\s+0.0%$/);
	});

	it('records only the numbers the log gives, and shows a compact header text', () => {
		expect(httpSeries(sample())).toEqual({rps: 15, p95: 150, errors: 0});
		expect(httpSeries(sample({latencyAssessed: false, p95Ms: null}))).toEqual({rps: 15, errors: 0});
		expect(httpSummary(sample({errorRatio: 0.004, notUnderstood: 3}))).toBe('p95 150ms 5xx 0.4% 15/s 3?');
		expect(httpCharts.map((chart) => [chart.key, chart.series, chart.threshold, chart.now(sample())])).toEqual([
			['http-p95', 'p95', 'latencyImmediate', ' 150ms'],
			['http-errors', 'errors', 'errorsImmediate', ' 0% of 900'],
		]);
	});
});

describe('the instance table\'s columns', () => {
	it('gives p95 and 5xx per instance while the log names instances, and no column otherwise', () => {
		const [p95, errors] = httpInstanceColumns;
		const slow = sample({instances: [row('va-server-1', 150, 0), row('va-server-2', 3100, 0.25)]});
		expect([...p95!.cells(slow)!]).toEqual([['va-server-1', '150ms'], ['va-server-2', '3.1s']]);
		expect([...errors!.cells(slow)!]).toEqual([['va-server-1', '0.0%'], ['va-server-2', '25%']]);
		expect(p95!.concernKey('va-server-2')).toBe('instance.latency-p95:va-server-2');
		expect(p95!.cells(sample({latencyAssessed: false, instances: []}))).toBeNull();
		expect(errors!.cells(sample({found: false}))).toBeNull();
	});
});

describe('the demo access log', () => {
	const world = (elapsedMs: number) => ({
		seed: 7,
		elapsedMs,
		project: 'voiceassist',
		service: 'voiceassist-server',
		instances: [1, 2, 3].map((number) => ({name: `voiceassist-voiceassist-server-${number}`, number, phase: 'serving' as const, cpuPercent: 30})),
	});

	it('shows a slow instance, then an error burst, within 20 s of each cycle, each IMMEDIATE', () => {
		const levels = (elapsedMs: number) => httpConcerns(demoHttpSample(world(elapsedMs), now)!, context()).map((concern) => `${concern.level} ${concern.scope} ${concern.metric} ${concern.subject}`);
		expect(levels(2000)).toEqual([]);
		expect(levels(10_000)).toEqual(['IMMEDIATE instance latency-p95 voiceassist-voiceassist-server-2']);
		expect(levels(40_000)).toEqual(['IMMEDIATE service error-rate voiceassist-server']);
		expect(levels(55_000)).toEqual([]);
		expect(levels(70_000)).toEqual(['IMMEDIATE instance latency-p95 voiceassist-voiceassist-server-2']);
	});
});

describe('the latency chart\'s axis', () => {
	it('draws ms on an axis up to a round ceiling above twice the threshold and every value, labelled in seconds', async () => {
		const {timeAxis} = await import('../../../source/ui/layout/chart-specs.js');
		const quiet = timeAxis([150, 300], 2000);
		expect(quiet.threshold).toBe(50);
		expect(quiet.values).toEqual([3.75, 7.5]);
		expect([quiet.axis.label(100), quiet.axis.label(50), quiet.axis.label(0)]).toEqual(['4.0', '2.0', '0.0']);
		const slow = timeAxis([12_000], 2000);
		expect(slow.axis.key).toBe('time:20000');
		expect(slow.values[0]).toBe(60);
		expect(slow.axis.label(100)).toBe('20s');
	});
});

describe('a chart of counts or bytes', () => {
	it('waiting clients and a queue depth get their own axis in their unit, never the 0-110 % one', async () => {
		const {unitAxis} = await import('../../../source/ui/layout/chart-specs.js');
		// Pool: the threshold is 0 waiting, 4 clients wait: the ceiling holds them, and small counts keep a decimal.
		const pool = unitAxis('count', [0, 4], 0);
		expect(pool.axis.key).toBe('count:4');
		expect(pool.values).toEqual([0, 100]);
		expect([pool.axis.label(100), pool.axis.label(10), pool.axis.label(0)]).toEqual(['  4', '0.4', '  0']);
		// Queue: 1,000 is the threshold; a label that cannot fit 3 cells (1.2k) is blank, never cut to ".2k".
		const queue = unitAxis('count', [693], 1000);
		expect(queue.threshold).toBe(50);
		expect([queue.axis.label(100), queue.axis.label(60), queue.axis.label(40), queue.axis.label(50)]).toEqual([' 2k', '   ', '800', ' 1k']);
		// A 5 % error-rate threshold zooms to 0-10 % instead of hugging the floor of a 0-100 % chart.
		const errors = unitAxis('percent', [2], 5);
		expect([errors.threshold, errors.values[0], errors.axis.label(100), errors.axis.label(25)]).toEqual([50, 20, ' 10', '2.5']);
		const memory = unitAxis('bytes', [], 8 * 1024 ** 3);
		expect(memory.axis.label(100)).toBe('16G');
	});
});
