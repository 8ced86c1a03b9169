// Issue 12, "actions" and "names", through the real runner on the demo backend (a simulation with its own clock):
// a service already above --max may come down one at a time or, typed, at once; the audit names every instance a
// scale creates or removes; and with no balancer the words never say an instance went back into one.
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {createActionRunner, type ActionRunner, type ActionRunnerOptions, type ScalePlan} from '../../../source/actions/action-runner.js';
import {openAuditLog, type AuditRecord} from '../../../source/actions/audit-log.js';
import {noBalancer} from '../../../source/actions/backend.js';
import {createDemoBackend} from '../../../source/actions/demo-backend.js';
import {isRefusal, runningCount} from '../../../source/core/action-rules.js';
import type {EventEntry} from '../../../source/core/event-log.js';
import {createDemoStack, type DemoStack} from '../../../source/sources/demo/demo-stack.js';

const t0 = Date.UTC(2025, 10, 27, 9, 0, 0);
let dir: string;
let stack: DemoStack;
let events: EventEntry[];
let auditFile: string;

beforeEach(() => {
	dir = mkdtempSync(path.join(tmpdir(), 'vaui-bounds-'));
	auditFile = path.join(dir, 'audit.log');
	events = [];
	// Eight running, --max 6: the 43 over 6, on the simulation's scale.
	stack = createDemoStack({project: 'acme', service: 'api', intervalMs: 1000, now: () => t0, seed: 5, replicas: 8});
	stack.docker.start();
});

afterEach(async () => {
	await stack.docker.stop();
	rmSync(dir, {recursive: true, force: true});
});

function runner(options: Partial<ActionRunnerOptions> = {}, balancer?: typeof noBalancer): ActionRunner {
	const backend = createDemoBackend(stack, {appPort: 8000});
	return createActionRunner({
		backend: balancer === undefined ? backend : {...backend, balancer: async () => balancer},
		options: {min: 2, max: 6, readOnly: false, dryRun: false, appPort: 8000, drainTimeoutMs: 5000, dbThreshold: 80, ...options},
		audit: openAuditLog({path: auditFile, user: 'op', host: 'bastion', now: stack.now}),
		log: entry => events.push(entry),
		now: stack.now,
		sleep: async ms => {
			stack.advance(ms);
		},
	});
}

function audit(): AuditRecord[] {
	try {
		return readFileSync(auditFile, 'utf8').trimEnd().split('\n').filter(Boolean).map(line => JSON.parse(line) as AuditRecord);
	} catch {
		return [];
	}
}

const running = () => runningCount(stack.docker.view().instances);
const context = () => ({current: running(), instances: stack.docker.view().instances});

describe('above --max (8 running, --max 6)', () => {
	it('- is allowed: 8 → 7, the confirmation and the result say the count is still above the maximum', async () => {
		const actions = runner();
		const plan = actions.planScale(7, context());
		// Before: `7 is above the maximum of 6` — the gentlest way back was the one refused.
		expect(isRefusal(plan)).toBe(false);
		const scale = plan as ScalePlan;
		expect(scale.warnings).toContain('8 → 7 is still above the maximum of 6 (--max)');
		expect(scale.confirmText).toBeUndefined();
		const result = await actions.executeScale(scale);
		expect(result.result).toBe('ok');
		expect(result.message).toMatch(/; still above the maximum of 6 \(--max\)$/);
		expect(running()).toBe(7);
	});

	it('s 5 (three at once) needs the number removed typed; the audit names the three instances removed', async () => {
		const actions = runner();
		const plan = actions.planScale(5, context()) as ScalePlan;
		// Before: offered at once with y, the only move allowed.
		expect(plan.confirmText).toBe('3');
		const result = await actions.executeScale(plan);
		expect(result.result).toBe('ok');
		expect(running()).toBe(5);
		const [began, done] = audit();
		// Compose's order: the highest numbers go first.
		const removed = ['acme-api-8', 'acme-api-7', 'acme-api-6'];
		expect(began).toMatchObject({action: 'scale', result: 'began', from: 8, to: 5, instance: null, instances: removed});
		expect(done).toMatchObject({action: 'scale', result: 'ok', instances: removed});
		expect(result.instances).toEqual(removed);
	});

	it('d is allowed and says the count stays above; moving away or past --min is refused', () => {
		const actions = runner();
		const instance = stack.docker.view().instances[0]!;
		const drain = actions.planDrain(instance, context());
		expect(isRefusal(drain)).toBe(false);
		expect(drain.warnings).toContain('8 → 7 is still above the maximum of 6 (--max)');
		expect(actions.planScale(9, context())).toMatchObject({kind: 'refusal', code: 'above-max'});
		expect(actions.planScale(1, context())).toMatchObject({kind: 'refusal', code: 'below-min'});
	});
});

describe('the audit names what a scale creates', () => {
	it('a scale-up: began has no names yet (null), ok names the new instance', async () => {
		const actions = runner({max: 10});
		const result = await actions.executeScale(actions.planScale(9, context()) as ScalePlan);
		expect(result.result).toBe('ok');
		const [began, done] = audit();
		expect(began).toMatchObject({result: 'began', instance: null, instances: null});
		expect(done).toMatchObject({result: 'ok', instance: 'acme-api-9', instances: ['acme-api-9']});
	});
});

describe('no load balancer', () => {
	it('an aborted drain says nothing was taken out, never that the instance is "back in the balancer"', async () => {
		const actions = runner({}, noBalancer);
		const instance = stack.docker.view().instances[0]!;
		const plan = actions.planDrain(instance, context());
		if (isRefusal(plan)) throw new Error(plan.reason);
		const abort = new AbortController();
		const result = await actions.executeDrain(plan, {
			signal: abort.signal,
			onProgress: progress => {
				if (progress.phase === 'waiting') abort.abort();
			},
		});
		expect(result.result).toBe('aborted');
		expect(result.message).toBe(`drain ${instance.name} aborted: nothing stopped (no load balancer, so nothing was taken out)`);
		const said = events.map(event => event.text).join('\n');
		// Before: `acme_api_3: no load balancer to put it back into`, then `… back in the balancer`.
		expect(said).not.toContain('back in the balancer');
		expect(said).not.toContain('put it back into');
		expect(said).toContain(`${instance.name}: no load balancer, so nothing to put back`);
	});
});
