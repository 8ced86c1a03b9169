// The action runner's rules and flow on the demo backend: the simulated stack is real code with its own clock, so
// drains run in simulated seconds (sleep advances the clock) and every number here comes from the simulation.
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {createActionRunner, type ActionRunner, type ActionRunnerOptions, type DrainPlan, type ScalePlan} from '../../../source/actions/action-runner.js';
import {openAuditLog, type AuditRecord} from '../../../source/actions/audit-log.js';
import {createDemoBackend} from '../../../source/actions/demo-backend.js';
import type {DrainProgress} from '../../../source/actions/drain.js';
import {isRefusal, runningCount} from '../../../source/core/action-rules.js';
import type {EventEntry} from '../../../source/core/event-log.js';
import {createDemoStack, type DemoStack} from '../../../source/sources/demo/demo-stack.js';

const t0 = Date.UTC(2025, 10, 27, 9, 0, 0);
let dir: string;
let stack: DemoStack;
let events: EventEntry[];
let auditFile: string;

beforeEach(() => {
	dir = mkdtempSync(path.join(tmpdir(), 'va-runner-'));
	auditFile = path.join(dir, 'audit.log');
	events = [];
	stack = createDemoStack({project: 'va', service: 'app', intervalMs: 1000, now: () => t0, seed: 3, replicas: 3});
	stack.docker.start();
});

afterEach(async () => {
	await stack.docker.stop();
	rmSync(dir, {recursive: true, force: true});
});

const defaults: ActionRunnerOptions = {min: 2, max: 10, readOnly: false, dryRun: false, appPort: 8000, drainTimeoutMs: 30_000, dbThreshold: 80};

function runner(options: Partial<ActionRunnerOptions> = {}): ActionRunner {
	const merged = {...defaults, ...options};
	return createActionRunner({
		backend: createDemoBackend(stack, {appPort: 8000}),
		options: merged,
		audit: merged.readOnly ? null : openAuditLog({path: auditFile, user: 'op', host: 'bastion', now: stack.now}),
		log: (entry) => events.push(entry),
		now: stack.now,
		// Simulated seconds: waiting moves the demo's clock.
		sleep: async (ms) => {
			stack.advance(ms);
		},
	});
}

function audit(): AuditRecord[] {
	let text = '';
	try {
		text = readFileSync(auditFile, 'utf8');
	} catch {
		return [];
	}

	return text.trimEnd().split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditRecord);
}

function running(): number {
	return runningCount(stack.docker.view().instances);
}

function scalePlan(actions: ActionRunner, target: number, extra: {dbConnections?: number; dbMax?: number} = {}): ScalePlan {
	const plan = actions.planScale(target, {current: running(), instances: stack.docker.view().instances, ...extra});
	if (isRefusal(plan)) throw new Error(`refused: ${plan.reason}`);
	return plan;
}

function drainPlan(actions: ActionRunner, name: string): DrainPlan {
	const instance = stack.docker.view().instances.find((candidate) => candidate.name === name)!;
	const plan = actions.planDrain(instance, {current: running()});
	if (isRefusal(plan)) throw new Error(`refused: ${plan.reason}`);
	return plan;
}

describe('planning', () => {
	it('shows from, to, the steps and the projected database connections, warning above the threshold', () => {
		const actions = runner();
		const plan = scalePlan(actions, 5, {dbConnections: 45, dbMax: 100});
		expect(plan).toMatchObject({kind: 'scale', from: 3, to: 5, direction: 'up', title: 'scale 3 → 5', dryRun: false});
		expect(plan.db).toMatchObject({current: 45, perInstance: 15, projected: 75, warn: false});
		expect(plan.steps.join('\n')).toContain('database connections 45 → ~75 of 100');
		const hot = scalePlan(actions, 5, {dbConnections: 60, dbMax: 100});
		expect(hot.db).toMatchObject({projected: 100, warn: true});
		expect(hot.warnings[0]).toContain('WARNING above the 80% database threshold');
	});

	it('names the highest-numbered replicas a scale-down will drain', () => {
		const plan = scalePlan(runner(), 2);
		expect(plan.direction).toBe('down');
		expect(plan.steps[0]).toContain('take va-app-3 out of the load balancer');
		expect(plan.steps.join('\n')).toContain('stop and remove va-app-3');
	});

	it('refuses below min and above max with the reason, in the event log and the audit log', () => {
		const actions = runner({min: 3, max: 4});
		const low = actions.planScale(2, {current: 3});
		expect(low).toMatchObject({kind: 'refusal', code: 'below-min', reason: '2 is below the minimum of 3 (--min)'});
		const high = actions.planScale(5, {current: 3});
		expect(high).toMatchObject({kind: 'refusal', code: 'above-max', reason: '5 is above the maximum of 4 (--max)'});
		const drain = actions.planDrain(stack.docker.view().instances[0]!, {current: 3});
		expect(drain).toMatchObject({kind: 'refusal', code: 'below-min'});
		expect(events.map((entry) => entry.text)).toEqual([
			'scale refused: 2 is below the minimum of 3 (--min)',
			'scale refused: 5 is above the maximum of 4 (--max)',
			'drain refused: draining va-app-1 would leave 2 instances, below the minimum of 3 (--min)',
		]);
		expect(audit().map((line) => [line.action, line.result, line.from, line.to, line.error])).toEqual([
			['scale', 'refused', 3, 2, '2 is below the minimum of 3 (--min)'],
			['scale', 'refused', 3, 5, '5 is above the maximum of 4 (--max)'],
			['drain', 'refused', 3, 2, 'draining va-app-1 would leave 2 instances, below the minimum of 3 (--min)'],
		]);
		expect(running()).toBe(3);
	});
});

describe('read-only and dry-run', () => {
	it('read-only refuses every action and writes nothing anywhere', async () => {
		const actions = runner({readOnly: true});
		expect(actions.readOnly).toBe(true);
		expect(actions.planScale(4, {current: 3})).toMatchObject({code: 'read-only'});
		expect(actions.planDrain(stack.docker.view().instances[0]!, {current: 3})).toMatchObject({code: 'read-only'});
		// Even a plan made elsewhere is refused at execution.
		const forged: ScalePlan = {kind: 'scale', from: 3, to: 4, direction: 'up', title: '', steps: [], db: null, warnings: [], dryRun: false};
		expect(await actions.executeScale(forged)).toMatchObject({result: 'refused', refusal: {code: 'read-only'}});
		expect(running()).toBe(3);
		expect(audit()).toEqual([]);
	});

	it('dry-run shows and logs what it would do, and changes nothing', async () => {
		const actions = runner({dryRun: true});
		const up = scalePlan(actions, 4);
		expect(up.warnings).toContain('DRY RUN: nothing will be changed, only shown and logged');
		const upResult = await actions.executeScale(up);
		expect(upResult).toMatchObject({result: 'dry-run', from: 3, to: 4});
		expect(upResult.message).toContain('dry-run: scale 3 → 4 would add 1 simulated instance');
		const drain = await actions.executeDrain(drainPlan(actions, 'va-app-2'));
		expect(drain.result).toBe('dry-run');
		expect(drain.message).toMatch(/dry-run: drain va-app-2 would take it out of .*, wait for its \d+ connection\(s\) on port 8000/);
		stack.advance(5000);
		expect(running()).toBe(3);
		expect(stack.connections('va-app-2')).toBeGreaterThan(0);
		expect(audit().map((line) => [line.action, line.result, line.instance])).toEqual([
			['scale', 'dry-run', null],
			['drain', 'dry-run', 'va-app-2'],
		]);
	});
});

describe('scale', () => {
	it('scales 3 → 4 → 3, auditing began before and the result after', async () => {
		const actions = runner();
		const up = await actions.executeScale(scalePlan(actions, 4));
		expect(up).toMatchObject({result: 'ok', from: 3, to: 4});
		expect(up.message).toContain('created va-app-4');
		stack.advance(5000);
		expect(running()).toBe(4);

		const progress: DrainProgress[] = [];
		const down = await actions.executeScale(scalePlan(actions, 3), {onProgress: (p) => progress.push(p)});
		expect(down.result).toBe('ok');
		expect(down.message).toContain('va-app-4 stopped and removed');
		expect(progress.every((p) => p.instance === 'va-app-4')).toBe(true);
		expect(progress.some((p) => p.phase === 'waiting' && (p.connections ?? 0) > 0)).toBe(true);
		// Listed as exited for two seconds, then gone.
		stack.advance(3000);
		expect(running()).toBe(3);
		expect(stack.docker.view().instances.map((instance) => instance.name)).not.toContain('va-app-4');
		expect(audit().map((line) => [line.result, line.from, line.to])).toEqual([
			['began', 3, 4],
			['ok', 3, 4],
			['began', 4, 3],
			['ok', 4, 3],
		]);
		expect(audit()[1]!.duration).toBeGreaterThanOrEqual(0);
	});

	it('refuses when the count changed since the confirmation, with both numbers', async () => {
		const actions = runner();
		const plan = scalePlan(actions, 4);
		await stack.scaleTo(5);
		stack.advance(5000);
		const result = await actions.executeScale(plan);
		expect(result).toMatchObject({result: 'refused', refusal: {code: 'count-changed', from: 3, to: 5}});
		expect(result.message).toContain('changed from 3 to 5');
		expect(running()).toBe(5);
		expect(audit()).toMatchObject([{action: 'scale', result: 'refused', from: 3, to: 5}]);
	});
});

describe('drain', () => {
	it('waits for the connections to reach zero three times, then removes the instance: N → N-1', async () => {
		const actions = runner();
		const before = stack.connections('va-app-2');
		expect(before).toBeGreaterThan(0);
		const progress: DrainProgress[] = [];
		const plan = drainPlan(actions, 'va-app-2');
		expect(plan).toMatchObject({from: 3, to: 2, timeoutSeconds: 30});
		const result = await actions.executeDrain(plan, {onProgress: (p) => progress.push(p)});
		expect(result).toMatchObject({result: 'ok', from: 3, to: 2, instance: 'va-app-2'});
		expect(result.message).toContain('connections drained; service 3 → 2');
		const waiting = progress.filter((p) => p.phase === 'waiting');
		expect(waiting[0]!.connections).toBeGreaterThan(0);
		expect(waiting.at(-1)).toMatchObject({connections: 0, zeroReadings: 3});
		// Counted down once a second, never past the timeout.
		expect(waiting[0]!.secondsLeft).toBe(30);
		expect(waiting.at(-1)!.secondsLeft).toBeGreaterThan(0);
		expect(progress.at(-1)).toMatchObject({phase: 'done', abortable: false});
		expect(actions.activity().get('va-app-2')).toMatchObject({phase: 'removed'});
		stack.advance(3000);
		expect(running()).toBe(2);
		expect(audit().map((line) => [line.action, line.instance, line.result])).toEqual([
			['drain', 'va-app-2', 'began'],
			['drain', 'va-app-2', 'ok'],
		]);
	});

	it('stops anyway at the drain timeout', async () => {
		const actions = runner({drainTimeoutMs: 2000});
		const result = await actions.executeDrain(drainPlan(actions, 'va-app-1'));
		expect(result.result).toBe('ok');
		expect(result.message).toMatch(/timed out with \d+ open on va-app-1/);
		expect(events.some((entry) => /va-app-1: drain timeout \(2 s\) with \d+ connections? still open; stopping anyway/.test(entry.text))).toBe(true);
		stack.advance(3000);
		expect(running()).toBe(2);
	});

	it('abort puts the instance back and stops nothing', async () => {
		const actions = runner();
		const abort = new AbortController();
		const result = await actions.executeDrain(drainPlan(actions, 'va-app-3'), {
			signal: abort.signal,
			onProgress: (p) => {
				if (p.phase === 'waiting' && p.secondsLeft <= 28) abort.abort();
			},
		});
		expect(result).toMatchObject({result: 'aborted', instance: 'va-app-3'});
		expect(result.message).toContain('back in the balancer, nothing stopped');
		expect(actions.activity().get('va-app-3')).toMatchObject({phase: 'restored'});
		// Back in: it takes load again.
		stack.advance(3000);
		expect(running()).toBe(3);
		expect(stack.connections('va-app-3')).toBeGreaterThan(0);
		expect(audit().map((line) => line.result)).toEqual(['began', 'aborted']);
	});

	it('one action at a time: a second one is refused while a drain runs', async () => {
		const actions = runner();
		let second: Promise<unknown> | undefined;
		const result = await actions.executeDrain(drainPlan(actions, 'va-app-3'), {
			onProgress: (p) => {
				if (second === undefined && p.phase === 'waiting') {
					expect(actions.inProgress()).toMatchObject({kind: 'drain'});
					second = actions.executeScale({kind: 'scale', from: 3, to: 4, direction: 'up', title: '', steps: [], db: null, warnings: [], dryRun: false});
				}
			},
		});
		expect(result.result).toBe('ok');
		expect(await second).toMatchObject({result: 'refused', refusal: {code: 'busy'}});
		expect(actions.inProgress()).toBeNull();
	});
});
