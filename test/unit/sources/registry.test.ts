// The registry's promise: a source is its folder plus one line. Here a stand-in source (a pure model and a collector
// over an in-memory reading; no system) goes through every loop a real one does: configure, the stack's snapshot,
// rules, --once completeness, the JSON and text report, the header's status words and the charts.
import {describe, expect, it} from 'vitest';
import {isComplete} from '../../../source/commands/once.js';
import {flagSpecs} from '../../../source/config/flags.js';
import {helpText} from '../../../source/config/help.js';
import {resolveOptions} from '../../../source/config/options.js';
import {UsageError} from '../../../source/config/usage-error.js';
import {breachConcern} from '../../../source/core/breach.js';
import {History} from '../../../source/core/history.js';
import {reportJson, reportText} from '../../../source/core/report.js';
import {evaluate} from '../../../source/core/rules.js';
import {thresholdOf, type SourceReading} from '../../../source/core/source-model.js';
import type {Collector} from '../../../source/sources/collector.js';
import {createKit} from '../../../source/sources/kit/index.js';
import {defaultThresholds, sources} from '../../../source/sources/registry.js';
import type {SourceKind} from '../../../source/sources/source-kind.js';
import {createStack} from '../../../source/sources/stack.js';
import {chartData} from '../../../source/ui/layout/chart-specs.js';
import {sourceLines} from '../../../source/ui/layout/source-status.js';
import {snapshot} from '../../support/snapshots.js';

interface JobsSample {
	depth: number;
	/** Like a log source's window: the reading is there, but not yet whole. */
	filled: boolean;
	at: number;
}

const jobsImmediate = {key: 'jobsImmediate', flag: 'jobs-immediate', unit: 'count', defaultValue: 1000, description: 'Jobs waiting that call for action'} as const;

/** What a new source's index.ts exports; its collector here serves readings the test sets. */
function jobsSource(readings: {current: SourceReading<JobsSample>}): SourceKind<{key: string}, JobsSample> {
	return {
		id: 'jobs',
		title: 'Job queue',
		thresholds: [jobsImmediate],
		flags: [{name: 'jobs', kind: 'string', value: 'KEY', description: 'A queue key', inConfig: true, group: 'Stack', expected: 'a Redis key'}],
		configure: ({given}) => {
			const flag = given('jobs');
			if (flag === undefined) return null;
			if (String(flag.value).includes(' ')) throw new UsageError(`${flag.from}: "${String(flag.value)}" has a space, expected a Redis key`);
			return {key: String(flag.value)};
		},
		secrets: () => [],
		endpoint: config => `redis key ${config.key}`,
		async open(): Promise<Collector<SourceReading<JobsSample>>> {
			return {start() {}, async stop() {}, view: () => readings.current, subscribe: () => () => {}};
		},
		series: sample => ({depth: sample.depth}),
		concerns(sample, {judge, thresholds, now}) {
			const verdict = judge.check('queue.depth:jobs', sample.depth, 'count', [{level: 'IMMEDIATE', threshold: thresholdOf(thresholds, jobsImmediate), action: 'Scale the workers'}]);
			return verdict ? [breachConcern(verdict, {key: 'queue.depth:jobs', scope: 'queue', subject: 'jobs', metric: 'queue-depth', label: 'queue', what: 'queue jobs depth', now})] : [];
		},
		report: {key: 'queues', json: (reading, sample) => [{name: 'jobs', depth: sample?.depth ?? null, error: reading.status.kind === 'ok' ? null : 'down'}], lines: sample => [`  jobs: ${sample.depth} waiting`]},
		summary: sample => `${sample.depth} waiting`,
		charts: [{key: 'jobs', page: 1, series: 'depth', label: 'JOBS', now: sample => ` ${sample.depth}`, threshold: 'jobsImmediate', lineColor: 'yellow'}],
		complete: reading => reading.status.kind !== 'connecting' && reading.sample?.filled === true,
	};
}

describe('a new source, as one folder and one registry line', () => {
	it('is configured from its own flag, absent when not configured, and its bad input is one line for exit 64', () => {
		const readings = {current: {endpoint: 'redis key q', status: {kind: 'connecting', since: 0}, sample: null} as SourceReading<JobsSample>};
		const kinds = [...sources, jobsSource(readings)];
		expect(resolveOptions({jobs: 'q'}, {}, {}, kinds).sources['jobs']).toEqual({key: 'q'});
		expect(resolveOptions({}, {}, {}, kinds).sources['jobs']).toBeUndefined();
		expect(() => resolveOptions({jobs: 'a b'}, {}, {}, kinds)).toThrow('--jobs: "a b" has a space, expected a Redis key');
	});

	it('flows through the stack, the rules, --once, the report, the header and the charts without any of them naming it', async () => {
		const readings = {current: {endpoint: 'redis key q', status: {kind: 'connecting', since: 0}, sample: null} as SourceReading<JobsSample>};
		const kind = jobsSource(readings);
		const models = [...sources, kind];
		const base = snapshot({at: 5000});
		const stack = createStack({
			mode: 'live',
			project: 'acme',
			service: 'api',
			docker: {start() {}, async stop() {}, view: () => base.docker, subscribe: () => () => {}},
			sources: [
				...Object.entries(base.sources).map(([id, reading]) => ({id, collector: {start() {}, async stop() {}, view: () => reading, subscribe: () => () => {}}})),
				{id: 'jobs', collector: await kind.open({key: 'q'}, createKit({intervalMs: 1000}))},
			],
			models,
			now: () => 5000,
		});

		// --once waits for it as its model says: answered is not enough while its window fills
		expect(isComplete(stack.snapshot(), models)).toBe(false);
		readings.current = {endpoint: 'redis key q', status: {kind: 'ok', at: 5000}, sample: {depth: 1500, filled: false, at: 5000}};
		expect(isComplete(stack.snapshot(), models)).toBe(false);
		readings.current = {endpoint: 'redis key q', status: {kind: 'ok', at: 5000}, sample: {depth: 1500, filled: true, at: 5000}};
		const data = stack.snapshot();
		expect(isComplete(data, models)).toBe(true);

		// its rule, through the shared judge
		const {assessment} = evaluate(data, defaultThresholds, undefined, data.at, {sources: models, oneShot: true});
		expect(assessment.level).toBe('IMMEDIATE');
		expect(assessment.concerns[0]).toMatchObject({key: 'queue.depth:jobs', message: 'queue jobs depth 1500 > 1000: Scale the workers'});

		// its part of the report, under its key, and its text lines under its title
		const json = reportJson(data, assessment, 2, models);
		expect(json['queues']).toEqual([{name: 'jobs', depth: 1500, error: null}]);
		expect(json['postgres']).toMatchObject({reachable: true, connections: 10});
		expect(reportText(data, assessment, models)).toContain('Job queue: redis key q\n  jobs: 1500 waiting\n');

		// the header's status words and its chart
		expect(sourceLines(data, 5000, 1000, models).map(line => line.text)).toEqual(['docker ok', 'postgres ok', 'redis ok', 'jobs 1500 waiting']);
		const history = new History();
		history.push('jobs:depth', 5000, 1500);
		const charts = chartData({frame: {snapshot: data, assessment, events: [], tick: 1}, history, thresholds: defaultThresholds, selected: undefined, windowMs: 60_000, windowLabel: '1m', intervalMs: 1000, sources: models});
		expect(charts.map(chart => chart.key)).toEqual(['cpu', 'mem', 'db', 'redis']);
		const jobs = chartData({frame: {snapshot: data, assessment, events: [], tick: 1}, history, thresholds: defaultThresholds, selected: undefined, windowMs: 60_000, windowLabel: '1m', intervalMs: 1000, sources: [kind]}).find(chart => chart.key === 'jobs');
		// A count is drawn on its own axis (a ceiling of twice the threshold), never on the 0-100 % one.
		expect(jobs).toMatchObject({title: 'JOBS 1500 (1m)', threshold: 50, values: [75]});
		expect(jobs?.axis?.label(100)).toBe(' 2k');
		expect(jobs?.axis?.label(50)).toBe(' 1k');
	});

	it('a source not configured is null in the JSON report, never zeros', () => {
		const readings = {current: {endpoint: '', status: {kind: 'connecting', since: 0}, sample: null} as SourceReading<JobsSample>};
		const models = [...sources, jobsSource(readings)];
		const data = snapshot();
		const {assessment} = evaluate(data, defaultThresholds, undefined, data.at, {sources: models, oneShot: true});
		expect(reportJson(data, assessment, 0, models)['queues']).toBeNull();
	});
});

describe('the registered sources', () => {
	it('have unique ids, flags and threshold keys', () => {
		const ids = sources.map(source => source.id);
		expect(new Set(ids).size).toBe(ids.length);
		const names = flagSpecs.map(spec => spec.name);
		expect(new Set(names).size).toBe(names.length);
		const keys = sources.flatMap(source => source.thresholds.map(spec => spec.key));
		expect(new Set(keys).size).toBe(keys.length);
	});

	it('each flag and threshold is in the one flag table and in --help, with its default', () => {
		const help = helpText();
		for (const source of sources) {
			for (const flag of source.flags) expect(help).toContain(`--${flag.name}`);
			for (const spec of source.thresholds) {
				expect(flagSpecs.some(flag => flag.name === spec.flag)).toBe(true);
				expect(help).toMatch(new RegExp(`--${spec.flag} \\S+ +${spec.description.replace(/[/()]/g, '.')}.*default`));
			}
		}
	});

	it('each threshold takes a value from the command line and from a config file, and a bad one is one line for exit 64', () => {
		for (const spec of sources.flatMap(source => source.thresholds)) {
			// A time is kept in ms and a bare number is seconds: give it with its unit.
			const given = spec.unit === 'time' ? `${spec.defaultValue}ms` : String(spec.defaultValue);
			expect(resolveOptions({[spec.flag]: given}, {}, {}).thresholds[spec.key]).toBe(spec.defaultValue);
			expect(() => resolveOptions({[spec.flag]: 'lots'}, {}, {})).toThrow(new RegExp(`^--${spec.flag}: expected .*, got "lots"$`));
		}
	});

	it('their defaults are the runbook triggers', () => {
		expect(defaultThresholds).toMatchObject({cpuImmediate: 80, memImmediate: 85, dbImmediate: 80, dbSoon: 70, redisImmediate: 85, redisSoon: 70, hysteresis: 5});
	});
});
