// The incident snapshot from a monitor's frame: what it says, the files it writes, and what it never writes.
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {createMonitor} from '../../../source/core/monitor.js';
import type {StackSnapshot} from '../../../source/core/types.js';
import {defaultThresholds, sources} from '../../../source/sources/registry.js';
import {readAuditActions, takeSnapshot} from '../../../source/record/snapshot-files.js';

const t0 = Date.UTC(2026, 10, 28, 6, 0, 0);
const secret = 'hunter2-secret';

function snapshot(at: number, cpu: number): StackSnapshot {
	const instance = (n: number, value: number) => ({id: `id${n}`, name: `varec-web-${n}`, number: n, state: 'running' as const, health: 'healthy' as const, restartCount: 0, startedAt: t0 - 3600_000, cpuPercent: value, memPercent: 10, memUsageBytes: 1 << 20, memLimitBytes: 1 << 28, sampledAt: at});
	return {
		at,
		project: 'varec',
		service: 'web',
		docker: {endpoint: 'unix:///var/run/docker.sock', status: {kind: 'ok', at}, instances: [instance(1, cpu), instance(2, 5)]},
		sources: {
			postgres: {endpoint: '127.0.0.1:5432', status: {kind: 'unreachable', reason: `password authentication failed (postgres://u:${secret}@db)`, since: at}, sample: null},
			pgbouncer: {
				endpoint: '127.0.0.1:6432',
				status: {kind: 'ok', at},
				sample: {pools: [{database: 'app', user: 'web', clientsActive: 20, clientsWaiting: 0, serversActive: 20, serversIdle: 4, maxWaitMs: 0, mode: 'transaction', avgWaitMs: 12}], at},
			},
			redis: {endpoint: '127.0.0.1:6379', status: {kind: 'ok', at}, sample: {usedMemoryBytes: 1e6, usedMemoryRssBytes: 2e6, maxMemoryBytes: 0, totalSystemMemoryBytes: 1e10, limitBytes: 1e10, limitSource: 'system', fragmentationRatio: 2, ratio: 0.0001, at}},
		},
	};
}

let dir: string;
beforeEach(() => {
	dir = mkdtempSync(path.join(tmpdir(), 'va-top-snap-'));
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

describe('the incident snapshot', () => {
	it('writes Markdown and JSON with the recommendation, concerns and timers, sources, instances, 15-minute charts, events and actions', () => {
		// Given 20 minutes of readings, the hot instance over 80 % for the last 12
		const monitor = createMonitor({thresholds: {...defaultThresholds, cpuSustainSeconds: 600}, sources});
		for (let s = 0; s <= 1200; s += 5) monitor.tick(snapshot(t0 + s * 1000, s >= 480 ? 95 : 30));
		const frame = monitor.current()!;
		const audit = path.join(dir, 'audit.log');
		const action = (minutesAgo: number, result: string) =>
			JSON.stringify({time: new Date(frame.snapshot.at - minutesAgo * 60_000).toISOString(), user: 'ops', host: 'bastion', action: 'drain', instance: 'varec-web-1', from: 2, to: 1, result, duration: null, error: null});
		writeFileSync(audit, `${action(40, 'old-one')}\n${action(3, 'began')}\n${action(2, 'ok')}\n`, {mode: 0o600});

		// When a snapshot is taken
		const paths = takeSnapshot({
			snapshot: frame.snapshot,
			assessment: frame.assessment,
			history: monitor.history,
			events: frame.events,
			thresholds: defaultThresholds,
			models: sources,
			auditLog: audit,
			secrets: [secret],
			historyInfo: {source: null, fromSeconds: null, recording: 'recording'},
			target: {dir: path.join(dir, 'new', 'folder')},
		});

		// Then both files are there (in the folder, made for the owner alone), named with the stack and the time, the owner's alone
		expect(path.basename(paths.markdown)).toBe('va-top-varec-web-20261128T062000Z.md');
		expect(path.basename(paths.json)).toBe('va-top-varec-web-20261128T062000Z.json');
		for (const file of [paths.markdown, paths.json]) expect(statSync(file).mode & 0o777).toBe(0o600);
		expect(statSync(path.join(dir, 'new', 'folder')).mode & 0o777).toBe(0o700);
		const markdown = readFileSync(paths.markdown, 'utf8');
		expect(markdown).toContain('# va-top incident snapshot: varec/web, 2026-11-28 06:20:00Z');
		expect(markdown).toContain('**▲▲ IMMEDIATE: Check load balancing, or drain the instance**');
		expect(markdown).toMatch(/\| ▲▲ IMMEDIATE \| varec-web-1 CPU 95% > 80% for 12m while the service average is 50%: .* \| 12m \|/);
		expect(markdown).toMatch(/\| postgres \| 127\.0\.0\.1:5432 \| unreachable: password authentication failed/);
		// Every configured source's state and charts, whatever the source (the queues are not configured: absent)
		expect(markdown).toContain('| pgbouncer | 127.0.0.1:6432 | ok (data 0s old) |');
		expect(markdown).not.toContain('| queues |');
		expect(markdown).toContain('### PgBouncer: POOL wait (threshold 0)');
		expect(markdown).toContain('### Redis: REDIS mem (threshold 85%)');
		expect(markdown).toContain('| varec-web-1 | running/healthy | 95.0% | 10.0% | 1.0MiB / 256MiB | 0 |');
		expect(markdown).toContain('### Service average CPU (threshold 80%)');
		expect(markdown).toContain('### CPU of varec-web-1 (threshold 80%)');
		expect(markdown).toMatch(/^100% ┼ +╭─+\n 90% ┤ +│$/m);
		expect(markdown).toMatch(/^ 50% ┤ +╭─+$/m);
		expect(markdown).toContain('15m ago … now (181 readings');
		expect(markdown).toMatch(/\| 2026-11-28 06:18:00Z \| ▲▲ IMMEDIATE \| breach now IMMEDIATE: varec-web-1 CPU 95% > 80% for 10m/);
		expect(markdown).toMatch(/\| 2026-11-28 06:17:00Z \| ops@bastion \| drain \| varec-web-1 \| 2 → 1 \| began \|/);
		expect(markdown).not.toContain('old-one');
		// And the JSON says the same
		const json = JSON.parse(readFileSync(paths.json, 'utf8'));
		expect(json).toMatchObject({kind: 'va-top-incident-snapshot', project: 'varec', service: 'web', windowSeconds: 900, recommendation: {level: 'IMMEDIATE'}});
		expect(json.concerns[0]).toMatchObject({key: 'instance.cpu:varec-web-1', heldSeconds: 720, requiredSeconds: 600});
		expect(json.charts.map((chart: {key: string}) => chart.key)).toEqual(['service:cpu', 'service:mem', 'redis:ratio', 'pgbouncer:waiting', 'pgbouncer:maxWaitMs', 'cpu:id1']);
		expect(json.charts[3]).toMatchObject({title: 'PgBouncer: POOL wait', unit: 'count', threshold: 0});
		expect(json.report.pgbouncer.pools[0]).toMatchObject({database: 'app', clientsWaiting: 0, serversIdle: 4});
		expect(json.charts[0].points).toHaveLength(181);
		expect(json.actions.map((a: {result: string}) => a.result)).toEqual(['began', 'ok']);
		expect(json.report.instances).toHaveLength(2);

		// And no password anywhere
		expect(markdown).not.toContain(secret);
		expect(readFileSync(paths.json, 'utf8')).not.toContain(secret);

		// And a second snapshot in the same second never overwrites the first
		const again = takeSnapshot({snapshot: frame.snapshot, assessment: frame.assessment, history: monitor.history, events: frame.events, thresholds: defaultThresholds, models: sources, auditLog: audit, secrets: [secret], historyInfo: {source: null, fromSeconds: null, recording: null}, target: {dir: path.join(dir, 'new', 'folder')}});
		expect(path.basename(again.markdown)).toBe('va-top-varec-web-20261128T062000Z-2.md');
		expect(readFileSync(paths.markdown, 'utf8')).toBe(markdown);
	});

	it('to a given file: FILE.md and FILE.json, replaced whole, mode 0600 even over a file others could read', () => {
		const monitor = createMonitor({thresholds: defaultThresholds, sources});
		const frame = monitor.tick(snapshot(t0, 10));
		const target = path.join(dir, 'incident');
		writeFileSync(`${target}.md`, 'old', {mode: 0o644});
		const input = {snapshot: frame.snapshot, assessment: frame.assessment, history: monitor.history, events: frame.events, thresholds: defaultThresholds, models: sources, auditLog: path.join(dir, 'none.log'), secrets: [], historyInfo: {source: null, fromSeconds: null, recording: null}};
		const paths = takeSnapshot({...input, target: {file: target}});
		expect(paths).toEqual({markdown: `${target}.md`, json: `${target}.json`});
		expect(statSync(paths.markdown).mode & 0o777).toBe(0o600);
		expect(readFileSync(paths.markdown, 'utf8')).toContain('| ? UNKNOWN | postgres: password authentication failed (postgres://u:***@db) |');
		expect(readFileSync(paths.markdown, 'utf8')).toContain('No actions.');
	});

	it('reads the audit log tail, skipping a torn line', () => {
		const audit = path.join(dir, 'audit.log');
		writeFileSync(audit, `${JSON.stringify({time: new Date(t0).toISOString(), action: 'scale', result: 'ok'})}\n{"time": "2026-11-28T06:0`);
		expect(readAuditActions(audit, t0 - 1).map(action => action.result)).toEqual(['ok']);
		expect(readAuditActions(path.join(dir, 'missing'), 0)).toEqual([]);
	});
});
