// --format nagios and prometheus from the report JSON: the plugin guidelines' grammar, and Prometheus' own parser.
import {execFileSync, spawnSync} from 'node:child_process';
import {describe, expect, it} from 'vitest';
import {nagiosOutput, numericLeaves, prometheusOutput, type AlertInput} from '../../source/core/alert-formats.js';
import {evaluate, exitCodeFor} from '../../source/core/rules.js';
import {reportJson, type ReportJsonWithSources} from '../../source/core/report.js';
import type {SourceReading} from '../../source/core/source-model.js';
import type {InstanceSample, StackSnapshot} from '../../source/core/types.js';
import {defaultThresholds, sources} from '../../source/sources/registry.js';
import {parseNagios} from '../support/nagios-grammar.js';

const now = Date.UTC(2026, 10, 28, 6, 40, 0);

function instance(number: number, cpu: number | null): InstanceSample {
	return {id: `id${number}`, name: `voiceassist-voiceassist-server-${number}`, number, state: 'running', health: 'healthy', restartCount: 1, startedAt: now - 3600_000, cpuPercent: cpu, memPercent: 12.5, memUsageBytes: 33_554_432, memLimitBytes: 268_435_456, sampledAt: now};
}

const ok = (endpoint: string, sample: object): SourceReading => ({endpoint, status: {kind: 'ok', at: now}, sample: {...sample, at: now}});
const pools = (waiting: number, user = 'web') => ({pools: [{database: 'app', user, clientsActive: 20, clientsWaiting: waiting, serversActive: 20, serversIdle: 0, maxWaitMs: waiting > 0 ? 1500 : 0, mode: 'transaction', avgWaitMs: null}]});
const queue = (name: string, depth: number) => ({name, kind: 'list', key: name, depth, keys: [{key: name, type: 'list', depth, error: null}], error: null, ratePerSecond: null});

/** The --once report of a stack, with the registry's sources: postgres and redis, and pgbouncer and queues when given. */
function input(cpus: Array<number | null>, options: {pgDown?: boolean; db?: number; waiting?: number; user?: string; queues?: Array<[string, number]>} = {}): AlertInput {
	const readings: Record<string, SourceReading> = {
		postgres: options.pgDown
			? {endpoint: '127.0.0.1:5432', status: {kind: 'unreachable', reason: 'connection refused at 127.0.0.1:5432 | really', since: now}, sample: null}
			: ok('127.0.0.1:5432', {connections: options.db ?? 17, active: 4, maxConnections: 20, ratio: (options.db ?? 17) / 20}),
		redis: ok('127.0.0.1:6379', {usedMemoryBytes: 1_000_000, usedMemoryRssBytes: 2_000_000, maxMemoryBytes: 10_000_000, totalSystemMemoryBytes: 1e10, limitBytes: 10_000_000, limitSource: 'maxmemory', fragmentationRatio: 2, ratio: 0.1}),
	};
	if (options.waiting !== undefined) readings.pgbouncer = ok('127.0.0.1:6432', pools(options.waiting, options.user));
	if (options.queues !== undefined) readings.queues = ok('127.0.0.1:6379', {queues: options.queues.map(([name, depth]) => queue(name, depth))});
	const snapshot: StackSnapshot = {
		at: now,
		project: 'voiceassist',
		service: 'voiceassist-server',
		docker: {endpoint: 'unix:///var/run/docker.sock', status: {kind: 'ok', at: now}, instances: cpus.map((cpu, i) => instance(i + 1, cpu))},
		sources: readings,
	};
	const {assessment} = evaluate(snapshot, defaultThresholds, undefined, now, {sources, oneShot: true});
	const report: ReportJsonWithSources = reportJson(snapshot, assessment, exitCodeFor(assessment), sources);
	return {report, snapshot, thresholds: defaultThresholds, models: sources};
}

describe('--format nagios', () => {
	it('gives every measure as perfdata, and each source\'s charted measure its warn and crit from the source\'s thresholds', () => {
		const out = parseNagios(nagiosOutput(input([10, 20], {waiting: 3, queues: [['celery', 1234]]})));
		expect(out.status).toBe('CRITICAL'); // 85 % of max_connections
		expect(out.perf).toContain('cpu_avg=15%;70;80;0;100');
		expect(out.perf).toContain('postgres_ratio=85%;70;80;0;100');
		expect(out.perf).toContain('redis_ratio=10%;70;85;0;100');
		// a count against --pool-waiting (no SOON partner: no warn), a depth against --queue-soon and --queue-immediate
		expect(out.perf).toContain('pgbouncer_waiting=3;;0;0');
		expect(out.perf).toContain('queues_deepest=1234;700;1000;0');
		expect(out.perf).toContain('cpu_voiceassist-voiceassist-server-1=10%;70;80;0');
		expect(out.perf).toContain('mem_usage_voiceassist-voiceassist-server-2=33554432B;;;0;268435456');
		expect(out.perf).toContain('restarts_voiceassist-voiceassist-server-1=1c');
	});

	it('maps the levels to the plugin states and their exit codes: SOON WARNING, IMMEDIATE CRITICAL, unreadable UNKNOWN', () => {
		const cases: Array<[AlertInput, string, number]> = [
			[input([10, 20]), 'CRITICAL', 2],
			[input([75, 72], {pgDown: true}), 'UNKNOWN', 3],
			[input([97, 96], {pgDown: true}), 'CRITICAL', 2],
			[input([75, 72], {db: 2}), 'WARNING', 1],
			[input([5, 6], {db: 2}), 'OK', 0],
		];
		for (const [given, status, code] of cases) {
			expect(given.report.exitCode).toBe(code);
			expect(parseNagios(nagiosOutput(given)).status).toBe(status);
		}

		expect(nagiosOutput(input([5, 6], {db: 2})).split('\n')[0]).toMatch(/^VA-TOP OK - Current capacity is adequate \| /);
	});

	it('puts every concern and each source on the long text lines, with no "|" in them to break the perfdata', () => {
		const out = parseNagios(nagiosOutput(input([97, 96], {pgDown: true})));
		expect(out.long).toContain('IMMEDIATE: voiceassist-server average CPU 97% > 80% (--once does not wait the live monitor\'s 10m): Scale application horizontally');
		expect(out.long.some(line => line.startsWith('UNKNOWN: postgres: connection refused at 127.0.0.1:5432 / really'))).toBe(true);
		expect(out.long).toContain('postgres 127.0.0.1:5432: connection refused at 127.0.0.1:5432 / really');
		expect(out.long).toContain('redis 127.0.0.1:6379: ok');
		// An unread value has no perfdata at all, never a zero
		expect(out.perf.some(item => /^postgres_(ratio|connections|max_connections)=/.test(item))).toBe(false);
		expect(out.perf).toContain('postgres_reachable=0');
	});

	it("turns every source's part into perfdata without knowing the source: a pool by database/user, a queue by its name", () => {
		const out = parseNagios(nagiosOutput(input([10, 20], {waiting: 3, queues: [['celery', 12], ['emails', 0]]})));
		expect(out.perf).toContain('postgres_max_connections=20');
		expect(out.perf).toContain('pgbouncer_reachable=1');
		expect(out.perf).toContain('pgbouncer_pools_clients_waiting_app_web=3');
		expect(out.perf).toContain('queues_depth_celery=12');
		expect(out.perf).toContain('queues_depth_emails=0');
		expect(out.long).toContain('pgbouncer 127.0.0.1:6432: ok');
	});
});

const promtool = spawnSync('promtool', ['--version']).status === 0;
if (!promtool && process.env.CI === 'true') {
	describe('promtool (required in CI)', () => {
		it('is installed by scripts/setup.sh', () => {
			throw new Error('promtool is not installed: scripts/setup.sh installs Debian\'s prometheus package for it');
		});
	});
}

/** promtool check metrics: Prometheus' own parser and linter; it prints nothing and exits 0 for a clean file. */
function promtoolCheck(text: string): string {
	return execFileSync('promtool', ['check', 'metrics'], {input: text, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe']});
}

describe.skipIf(!promtool)('--format prometheus, checked by promtool', () => {
	it('passes promtool with no lint problem, and has a gauge for every measure and threshold with the stack labels', () => {
		const text = prometheusOutput(input([97, 20], {waiting: 3, queues: [['celery', 1234]]}));
		expect(promtoolCheck(text)).toBe('');
		const stack = 'project="voiceassist",service="voiceassist-server"';
		expect(text).toContain(`va_top_level{${stack}} 2`);
		expect(text).toContain(`va_top_instance_cpu_percent{${stack},instance="voiceassist-voiceassist-server-1"} 97`);
		expect(text).toContain(`va_top_postgres_ratio{${stack}} 0.85`);
		expect(text).toContain('# HELP va_top_postgres_ratio va-top --once JSON field postgres.ratio (README: the JSON report)');
		expect(text).toContain(`va_top_redis_used_memory_bytes{${stack}} 1000000`);
		// every threshold from its source's specs, in base units
		expect(text).toContain(`va_top_threshold_percent{${stack},source="workload",threshold="cpu-immediate"} 80`);
		expect(text).toContain(`va_top_threshold_percent{${stack},source="postgres",threshold="db-immediate"} 80`);
		expect(text).toContain(`va_top_threshold_seconds{${stack},source="workload",threshold="cpu-sustain"} 600`);
		expect(text).toContain(`va_top_threshold_seconds{${stack},source="pgbouncer",threshold="pool-maxwait"} 1`);
		expect(text).toContain(`va_top_threshold{${stack},source="queues",threshold="queue-immediate"} 1000`);
		expect(text).toContain(`va_top_source_up{${stack},source="postgres",endpoint="127.0.0.1:5432"} 1`);
		expect(text).not.toMatch(/ \d+ \d{13}$/m); // no timestamps: the textfile collector refuses them
	});

	it('has no sample for what could not be read, and labels a source part by its pools and queues', () => {
		const text = prometheusOutput(input([null, 20], {pgDown: true, waiting: 3, user: 'we"b', queues: [['celery', 12], ['emails', 0]]}));
		expect(promtoolCheck(text)).toBe('');
		const stack = 'project="voiceassist",service="voiceassist-server"';
		expect(text).not.toContain('va_top_postgres_connections{');
		expect(text).toContain(`va_top_source_up{${stack},source="postgres",endpoint="127.0.0.1:5432"} 0`);
		expect(text).toContain(`va_top_pgbouncer_pools_clients_waiting{${stack},database="app",user="we\\"b",pool="app/we\\"b"} 3`);
		expect(text).toContain(`va_top_queues_depth{${stack},key="celery",queue="celery"} 12`);
		// milliseconds in the JSON are seconds here (Prometheus' base unit)
		expect(text).toContain(`va_top_pgbouncer_pools_max_wait_seconds{${stack},database="app",user="we\\"b",pool="app/we\\"b"} 1.5`);
		expect(text).toContain(`va_top_queues_depth{${stack},key="emails",queue="emails"} 0`);
	});

	it('leaves out a source that is not configured (absent from the snapshot, its part null)', () => {
		const given = input([10, 20]);
		const text = prometheusOutput(given);
		expect(given.report.pgbouncer).toBeNull();
		expect(promtoolCheck(text)).toBe('');
		expect(text).not.toContain('va_top_pgbouncer');
		expect(text).not.toContain('va_top_queues');
		expect(text).not.toContain('source="pgbouncer",endpoint');
		const nagios = parseNagios(nagiosOutput(given));
		expect(nagios.perf.some(item => item.startsWith('pgbouncer_') || item.startsWith('queues_'))).toBe(false);
		expect(nagios.long.some(line => line.startsWith('pgbouncer') || line.startsWith('queues'))).toBe(false);
	});

	it('is refused by promtool when broken (so the check can fail)', () => {
		expect(() => promtoolCheck('va_top_level{project="x" 1\n')).toThrow();
	});
});

describe('walking a source part', () => {
	it('finds numbers and booleans, names array elements by their identity fields, and skips strings', () => {
		expect(numericLeaves({up: true, error: 'x', nodes: [{name: 'n1', lag: 2}], pools: [{database: 'app', user: 'web', waiting: 3}], depth: {p50: 1}}, ['s'])).toEqual([
			{path: ['s', 'up'], labels: {}, names: [], value: 1},
			{path: ['s', 'nodes', 'lag'], labels: {node: 'n1'}, names: ['n1'], value: 2},
			{path: ['s', 'pools', 'waiting'], labels: {database: 'app', user: 'web', pool: 'app/web'}, names: ['app/web'], value: 3},
			{path: ['s', 'depth', 'p50'], labels: {}, names: [], value: 1},
		]);
	});
});
