// --format nagios and prometheus from the report JSON: the plugin guidelines' grammar, and Prometheus' own parser.
import {execFileSync, spawnSync} from 'node:child_process';
import {describe, expect, it} from 'vitest';
import {nagiosOutput, numericLeaves, prometheusOutput} from '../../source/core/alert-formats.js';
import {evaluate, exitCodeFor} from '../../source/core/rules.js';
import {reportJson, type ReportJson} from '../../source/core/report.js';
import {defaultThresholds} from '../../source/core/thresholds.js';
import type {InstanceSample, StackSnapshot} from '../../source/core/types.js';
import {parseNagios} from '../support/nagios-grammar.js';

const now = Date.UTC(2026, 10, 28, 6, 40, 0);

function instance(number: number, cpu: number | null): InstanceSample {
	return {id: `id${number}`, name: `voiceassist-voiceassist-server-${number}`, number, state: 'running', health: 'healthy', restartCount: 1, startedAt: now - 3600_000, cpuPercent: cpu, memPercent: 12.5, memUsageBytes: 33_554_432, memLimitBytes: 268_435_456, sampledAt: now};
}

function report(cpus: Array<number | null>, options: {pgDown?: boolean; extra?: Record<string, unknown>} = {}): ReportJson {
	const snapshot: StackSnapshot = {
		at: now,
		project: 'voiceassist',
		service: 'voiceassist-server',
		docker: {endpoint: 'unix:///var/run/docker.sock', status: {kind: 'ok', at: now}, instances: cpus.map((cpu, i) => instance(i + 1, cpu))},
		postgres: options.pgDown
			? {endpoint: '127.0.0.1:5432', status: {kind: 'unreachable', reason: 'connection refused at 127.0.0.1:5432 | really', since: now}, sample: null}
			: {endpoint: '127.0.0.1:5432', status: {kind: 'ok', at: now}, sample: {connections: 17, active: 4, maxConnections: 20, ratio: 0.85, at: now}},
		redis: {endpoint: '127.0.0.1:6379', status: {kind: 'ok', at: now}, sample: {usedMemoryBytes: 1_000_000, usedMemoryRssBytes: 2_000_000, maxMemoryBytes: 10_000_000, totalSystemMemoryBytes: 1e10, limitBytes: 10_000_000, limitSource: 'maxmemory', fragmentationRatio: 2, ratio: 0.1, at: now}},
	};
	const {assessment} = evaluate(snapshot, {...defaultThresholds, cpuSustainSeconds: 0});
	return {...reportJson(snapshot, assessment, exitCodeFor(assessment)), ...options.extra} as ReportJson;
}

describe('--format nagios', () => {
	it('says OK with every measure as perfdata, warn and crit from the thresholds', () => {
		const out = parseNagios(nagiosOutput(report([10, 20]), defaultThresholds));
		expect(out.status).toBe('CRITICAL'); // 85 % of max_connections
		expect(out.perf).toContain('cpu_avg=15%;70;80;0;100');
		expect(out.perf).toContain('db_connections=85%;70;80;0;100');
		expect(out.perf).toContain('db_backends=17;14;16;0;20');
		expect(out.perf).toContain('cpu_voiceassist-voiceassist-server-1=10%;70;80;0');
		expect(out.perf).toContain('mem_usage_voiceassist-voiceassist-server-2=33554432B;;;0;268435456');
		expect(out.perf).toContain('redis_used=1000000B;7000000;8500000;0;10000000');
		expect(out.perf).toContain('restarts_voiceassist-voiceassist-server-1=1c');
	});

	it('maps the levels to the plugin states and their exit codes: SOON WARNING, IMMEDIATE CRITICAL, unreadable UNKNOWN', () => {
		const lowDb = (r: ReportJson) => ({...r, postgres: {...r.postgres, ratio: 0.1, connections: 2}});
		const cases: Array<[ReportJson, string, number]> = [
			[report([10, 20], {extra: {}}), 'CRITICAL', 2],
			[report([75, 72], {pgDown: true}), 'UNKNOWN', 3],
			[report([97, 96], {pgDown: true}), 'CRITICAL', 2],
		];
		for (const [r, status, code] of cases) {
			expect(r.exitCode).toBe(code);
			expect(parseNagios(nagiosOutput(r, defaultThresholds)).status).toBe(status);
		}

		const soon = report([75, 72]);
		const soonOnly = {...lowDb(soon), exitCode: 1, level: 'SOON' as const, recommendations: soon.recommendations.filter(rec => rec.level === 'SOON')};
		expect(parseNagios(nagiosOutput(soonOnly, defaultThresholds)).status).toBe('WARNING');
		const ok = {...lowDb(report([5, 6])), exitCode: 0, level: 'OK' as const, recommendations: []};
		const okOut = nagiosOutput(ok, defaultThresholds);
		expect(parseNagios(okOut).status).toBe('OK');
		expect(okOut.split('\n')[0]).toMatch(/^VA-TOP OK - Current capacity is adequate \| /);
	});

	it('puts every concern and each source on the long text lines, with no "|" in them to break the perfdata', () => {
		const out = parseNagios(nagiosOutput(report([97, 96], {pgDown: true}), defaultThresholds));
		expect(out.long).toContain('IMMEDIATE: voiceassist-server average CPU 97% > 80%: Scale application horizontally');
		expect(out.long.some(line => line.startsWith('UNKNOWN: postgres: connection refused at 127.0.0.1:5432 / really'))).toBe(true);
		expect(out.long).toContain('postgres 127.0.0.1:5432: connection refused at 127.0.0.1:5432 / really');
		// An unread value has no perfdata at all, never a zero
		expect(out.perf.some(item => item.startsWith('db_connections='))).toBe(false);
	});

	it("turns a source's part of the report into perfdata without knowing the source", () => {
		const extra = {pgbouncer: {endpoint: '127.0.0.1:6432', reachable: true, error: null, pools: [{database: 'app', user: 'web', clWaiting: 3, maxwaitSeconds: 1.5}]}};
		const out = parseNagios(nagiosOutput(report([10, 20], {extra}), defaultThresholds));
		expect(out.perf).toContain('pgbouncer_reachable=1');
		expect(out.perf).toContain('pgbouncer_pools_cl_waiting_app_web=3');
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
	it('passes promtool with no lint problem, and has a gauge for every measure with the stack labels', () => {
		const text = prometheusOutput(report([97, 20]), defaultThresholds);
		expect(promtoolCheck(text)).toBe('');
		expect(text).toContain('va_top_level{project="voiceassist",service="voiceassist-server"} 2');
		expect(text).toContain('va_top_instance_cpu_percent{project="voiceassist",service="voiceassist-server",instance="voiceassist-voiceassist-server-1"} 97');
		expect(text).toContain('va_top_postgres_ratio{project="voiceassist",service="voiceassist-server"} 0.85');
		expect(text).toContain('# HELP va_top_postgres_ratio Client backends over max_connections (0..1)');
		expect(text).toContain('va_top_redis_used_memory_bytes{project="voiceassist",service="voiceassist-server"} 1000000');
		expect(text).toContain('va_top_threshold_percent{project="voiceassist",service="voiceassist-server",rule="cpu",level="immediate"} 80');
		expect(text).toContain('va_top_source_up{project="voiceassist",service="voiceassist-server",source="postgres",endpoint="127.0.0.1:5432"} 1');
		expect(text).not.toMatch(/ \d+ \d{13}$/m); // no timestamps: the textfile collector refuses them
	});

	it('has no sample for what could not be read, and labels a source part by its pools and queues', () => {
		const extra = {
			pgbouncer: {endpoint: '127.0.0.1:6432', reachable: true, pools: [{database: 'app', user: 'we"b', clWaiting: 3}]},
			queues: {items: [{queue: 'celery', length: 12}, {queue: 'emails', length: 0}]},
		};
		const text = prometheusOutput(report([null, 20], {pgDown: true, extra}), defaultThresholds);
		expect(promtoolCheck(text)).toBe('');
		expect(text).not.toContain('va_top_postgres_connections{');
		expect(text).toContain('va_top_source_up{project="voiceassist",service="voiceassist-server",source="postgres",endpoint="127.0.0.1:5432"} 0');
		expect(text).toContain('va_top_pgbouncer_pools_cl_waiting{project="voiceassist",service="voiceassist-server",database="app",user="we\\"b"} 3');
		expect(text).toContain('va_top_queues_items_length{project="voiceassist",service="voiceassist-server",queue="celery"} 12');
	});

	it('leaves out a source that is not configured (its part null, as the registry writes it)', () => {
		const r = {...report([10, 20]), postgres: null} as unknown as ReportJson;
		const text = prometheusOutput(r, defaultThresholds);
		expect(promtoolCheck(text)).toBe('');
		expect(text).not.toContain('va_top_postgres');
		expect(text).not.toContain('source="postgres"');
		const nagios = parseNagios(nagiosOutput(r, defaultThresholds));
		expect(nagios.perf.some(item => item.startsWith('db_'))).toBe(false);
		expect(nagios.long.some(line => line.startsWith('postgres'))).toBe(false);
	});

	it('is refused by promtool when broken (so the check can fail)', () => {
		expect(() => promtoolCheck('va_top_level{project="x" 1\n')).toThrow();
	});
});

describe('walking a source part', () => {
	it('finds numbers and booleans, names array elements by their identity fields, and skips strings', () => {
		expect(numericLeaves({up: true, error: 'x', nodes: [{name: 'n1', lag: 2}], depth: {p50: 1}}, ['s'])).toEqual([
			{path: ['s', 'up'], labels: {}, value: 1},
			{path: ['s', 'nodes', 'lag'], labels: {node: 'n1'}, value: 2},
			{path: ['s', 'depth', 'p50'], labels: {}, value: 1},
		]);
	});
});
