// The autoscaler on the demo stack: the real action runner and the simulated service (its own clock; drains run in
// simulated seconds), frames as the monitor makes them with the CPU set by the test. What it emits, what it acts on,
// what the audit log records, and how a countdown, a key, an operator's action and the exit stop it.
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {createActionRunner, type ActionRunner, type ActionRunnerOptions} from '../../../source/actions/action-runner.js';
import {openAuditLog, type AuditRecord} from '../../../source/actions/audit-log.js';
import {createAutoscaler, type Autoscaler, type AutoscaleRecord} from '../../../source/actions/autoscaler.js';
import {createDemoBackend} from '../../../source/actions/demo-backend.js';
import {isRefusal, runningCount} from '../../../source/core/action-rules.js';
import {defaultAutoscaleSettings, type AutoscaleSettings} from '../../../source/core/autoscale-policy.js';
import type {EventEntry} from '../../../source/core/event-log.js';
import type {MonitorFrame} from '../../../source/core/monitor.js';
import {evaluate} from '../../../source/core/rules.js';
import {createDemoStack, type DemoStack} from '../../../source/sources/demo/demo-stack.js';
import {defaultThresholds, sources} from '../../../source/sources/registry.js';

const t0 = Date.UTC(2025, 10, 27, 9, 0, 0);
let dir: string;
let stack: DemoStack;
let events: EventEntry[];
let records: AutoscaleRecord[];
let auditFile: string;

const settings: AutoscaleSettings = {...defaultAutoscaleSettings, min: 2, max: 10, dbThreshold: 80, intervalMs: 10_000, upSustainMs: 10_000, downSustainMs: 30_000, cooldownMs: 20_000};

beforeEach(() => {
	dir = mkdtempSync(path.join(tmpdir(), 'va-autoscaler-'));
	auditFile = path.join(dir, 'audit.log');
	events = [];
	records = [];
	stack = createDemoStack({project: 'va', service: 'app', intervalMs: 1000, now: () => t0, seed: 3, replicas: 3});
	stack.docker.start();
});

afterEach(async () => {
	vi.useRealTimers();
	await stack.docker.stop();
	rmSync(dir, {recursive: true, force: true});
});

function runner(options: Partial<ActionRunnerOptions> = {}): ActionRunner {
	const merged: ActionRunnerOptions = {min: 2, max: 10, readOnly: false, dryRun: false, appPort: 8000, drainTimeoutMs: 30_000, dbThreshold: 80, ...options};
	return createActionRunner({
		backend: createDemoBackend(stack, {appPort: 8000}),
		options: merged,
		audit: merged.readOnly ? null : openAuditLog({path: auditFile, user: 'op', host: 'bastion', now: stack.now}),
		log: entry => events.push(entry),
		now: stack.now,
		sleep: async ms => {
			stack.advance(ms);
		},
	});
}

function autoscaler(actions: ActionRunner, extra: {countdownMs?: number; enabled?: boolean} = {}): Autoscaler {
	return createAutoscaler({
		runner: actions,
		settings,
		sources,
		memUpAt: 70,
		countdownMs: extra.countdownMs ?? 0,
		enabled: extra.enabled ?? true,
		log: entry => events.push(entry),
		emit: record => records.push(record),
		now: stack.now,
	});
}

/**
 * A frame as the monitor makes it from the demo's instances, every running one at `cpu` %; the database and Redis
 * quiet (the demo's own climb to IMMEDIATE would block the policy) unless `db` says otherwise.
 */
function frame(cpu: number, db = {connections: 9, max: 100}): MonitorFrame {
	const view = stack.docker.view();
	const at = stack.now();
	const snapshot = {
		at,
		project: 'va',
		service: 'app',
		docker: {...view, instances: view.instances.map(instance => ({...instance, cpuPercent: instance.state === 'running' ? cpu : null}))},
		sources: {
			postgres: {endpoint: 'demo', status: {kind: 'ok' as const, at}, sample: {connections: db.connections, active: 1, maxConnections: db.max, ratio: db.connections / db.max, at}},
			redis: {endpoint: 'demo', status: {kind: 'ok' as const, at}, sample: {usedMemoryBytes: 10, usedMemoryRssBytes: 10, maxMemoryBytes: 100, totalSystemMemoryBytes: 1000, limitBytes: 100, limitSource: 'maxmemory' as const, fragmentationRatio: 1, ratio: 0.1, at}},
		},
	};
	return {snapshot, assessment: evaluate(snapshot, defaultThresholds, undefined, at, {sources}).assessment, events: [], tick: 0};
}

/** One frame a second for `seconds`, letting any act settle in between. */
async function feed(scaler: Autoscaler, seconds: number, cpu: number | ((t: number) => number)): Promise<void> {
	for (let t = 0; t < seconds; t++) {
		stack.advance(1000);
		scaler.observe(frame(typeof cpu === 'number' ? cpu : cpu(t)));
		await vi.waitFor(() => expect(scaler.view().acting).toBeNull(), {timeout: 5000});
	}
}

function audit(): Array<Pick<AuditRecord, 'action' | 'from' | 'to' | 'result' | 'by'>> {
	let text = '';
	try {
		text = readFileSync(auditFile, 'utf8');
	} catch {
		return [];
	}

	return text
		.trimEnd()
		.split('\n')
		.filter(Boolean)
		.map(line => JSON.parse(line) as AuditRecord)
		.map(({action, from, to, result, by}) => ({action, from, to, result, by}));
}

const running = () => runningCount(stack.docker.view().instances);

describe('acting on its own (headless: no countdown)', () => {
	it('scales up once CPU held over 70 % for the sustain, through the runner, audited "by": "autoscale"', async () => {
		const scaler = autoscaler(runner());
		await feed(scaler, 11, 85);
		// The new container is "created" for a simulated second before it runs.
		stack.advance(2000);
		expect(running()).toBe(4);
		expect(audit()).toEqual([
			{action: 'scale', from: 3, to: 4, result: 'began', by: 'autoscale'},
			{action: 'scale', from: 3, to: 4, result: 'ok', by: 'autoscale'},
		]);
		expect(records.filter(record => record.event !== 'decision')).toMatchObject([
			{event: 'act', action: 'scale', direction: 'up', from: 3, to: 4, dryRun: false},
			{event: 'result', result: 'ok', from: 3, to: 4},
		]);
		expect(records.find(record => record.event === 'decision')).toMatchObject({kind: 'up', from: 3, to: 4, etaSeconds: 0, avgCpuPercent: 85});
		expect(events.map(entry => entry.text)).toContain('autoscale: scale 3 → 4 began (the simulated demo stack)');
		// Then the cooldown holds it, whatever the CPU says.
		await feed(scaler, 5, 85);
		expect(scaler.view().text).toMatch(/^holding \(cooldown \d+ s/);
	});

	it('scales down through a drain after the down-sustain, one step', async () => {
		const scaler = autoscaler(runner());
		await feed(scaler, 31, 10);
		expect(running()).toBe(2);
		expect(audit().map(line => [line.from, line.to, line.result, line.by])).toEqual([
			[3, 2, 'began', 'autoscale'],
			[3, 2, 'ok', 'autoscale'],
		]);
		expect(events.map(entry => entry.text)).toEqual([
			'autoscale: scale 3 → 2 began (the simulated demo stack)',
			'autoscale: va-app-3: va-app-3 takes no new load',
			'autoscale: scale 3 → 2 ok: va-app-3 stopped and removed after 8.0 s, connections drained; service 3 → 2',
		]);
	});

	it('--dry-run: the act is shown and audited as dry-run, nothing changes', async () => {
		const scaler = autoscaler(runner({dryRun: true}));
		await feed(scaler, 11, 85);
		expect(running()).toBe(3);
		expect(audit()).toEqual([{action: 'scale', from: 3, to: 4, result: 'dry-run', by: 'autoscale'}]);
		expect(records.filter(record => record.event === 'result')).toMatchObject([{result: 'dry-run'}]);
	});

	it('--read-only: only a preview, nothing attempted, nothing written', async () => {
		const scaler = autoscaler(runner({readOnly: true}));
		await feed(scaler, 25, 85);
		expect(running()).toBe(3);
		expect(audit()).toEqual([]);
		expect(scaler.view()).toMatchObject({enabled: false, readOnly: true});
		expect(scaler.view().text).toMatch(/^would scale up 3 → 4 in \d+ s/);
	});

	it('off: previews what it would do and never acts', async () => {
		const scaler = autoscaler(runner(), {enabled: false});
		await feed(scaler, 25, 85);
		expect(running()).toBe(3);
		expect(audit()).toEqual([]);
		expect(scaler.view().text).toMatch(/^would scale up 3 → 4 in \d+ s \(avg CPU 85 % > 70 %/);
	});
});

describe('supervised: a countdown before each act', () => {
	it('counts down, then acts if the condition still holds', async () => {
		vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout']});
		const scaler = autoscaler(runner(), {countdownMs: 5000});
		await feed(scaler, 11, 85);
		expect(scaler.view().countdown).toMatchObject({direction: 'up', from: 3, to: 4});
		expect(scaler.view().text).toMatch(/^scaling up 3 → 4 in 5 s: any key cancels/);
		expect(running()).toBe(3);
		await feed(scaler, 3, 85);
		vi.advanceTimersByTime(5000);
		vi.useRealTimers();
		await vi.waitFor(() => expect(scaler.view().acting).toBeNull(), {timeout: 5000});
		stack.advance(2000);
		expect(running()).toBe(4);
		expect(audit().map(line => line.result)).toEqual(['began', 'ok']);
	});

	it('a key during the countdown cancels it and turns autoscaling off: nothing is done or written', async () => {
		vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout']});
		const scaler = autoscaler(runner(), {countdownMs: 5000});
		await feed(scaler, 11, 85);
		expect(scaler.cancel('key x')).toBe(true);
		vi.advanceTimersByTime(10_000);
		await feed(scaler, 30, 85);
		expect(running()).toBe(3);
		expect(audit()).toEqual([]);
		expect(scaler.view().enabled).toBe(false);
		expect(records.filter(record => record.event === 'cancelled')).toEqual([{event: 'cancelled', text: 'key x'}]);
		expect(events.map(entry => entry.text)).toContain('autoscale: scale up 3 → 4 cancelled (key x); autoscaling is off');
		// Without a countdown there is nothing for a key to cancel.
		expect(scaler.cancel('key y')).toBe(false);
	});

	it('the countdown is dropped when the load goes back under the threshold', async () => {
		vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout']});
		const scaler = autoscaler(runner(), {countdownMs: 5000});
		await feed(scaler, 11, 85);
		expect(scaler.view().countdown).not.toBeNull();
		await feed(scaler, 1, 50);
		expect(scaler.view().countdown).toBeNull();
		expect(scaler.view().enabled).toBe(true);
		vi.advanceTimersByTime(10_000);
		expect(running()).toBe(3);
		expect(events.some(entry => entry.text.startsWith('autoscale: countdown dropped: holding at 3'))).toBe(true);
	});
});

describe('next to an operator', () => {
	it("an operator's action pauses it for its cooldown, even one that changed no count", async () => {
		// A dry run: the count stays, so only the operator's action can start the cooldown.
		const actions = runner({dryRun: true});
		const scaler = autoscaler(actions, {enabled: true});
		await feed(scaler, 5, 50);
		const plan = actions.planScale(4, {current: running(), instances: stack.docker.view().instances});
		if (isRefusal(plan)) throw new Error(plan.reason);
		await actions.executeScale(plan);
		await feed(scaler, 2, 85);
		expect(scaler.view().text).toMatch(/^holding \(cooldown 1\d s; then would scale up 3 → 4/);
		expect(audit().map(line => [line.result, line.by])).toEqual([['dry-run', 'operator']]);
	});

	it('stop() during its drain puts the instance back and waits for the result', async () => {
		const actions = runner({drainTimeoutMs: 60_000});
		const scaler = autoscaler(actions);
		// Slow the drain: the victim's connections take simulated time to finish.
		const victim = stack.docker.view().instances.reduce((a, b) => ((a.number ?? 0) > (b.number ?? 0) ? a : b));
		for (let t = 0; t < 31; t++) {
			stack.advance(1000);
			scaler.observe(frame(10));
			if (scaler.view().acting !== null) break;
		}

		expect(scaler.view().acting).toEqual({from: 3, to: 2});
		await scaler.stop();
		expect(running()).toBe(3);
		expect(audit().map(line => line.result)).toEqual(['began', 'aborted']);
		expect(events.some(entry => entry.text.includes(victim.name) && /back/.test(entry.text))).toBe(true);
	});
});
