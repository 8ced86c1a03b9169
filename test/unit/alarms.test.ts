// Issue 12, "Alarms that mean something": each scenario is one of the "Why" items, run through the live
// monitor (its event log is what the operator reads) or the rules as --once runs them.
import {describe, expect, it} from 'vitest';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {createActionRunner} from '../../source/actions/action-runner.js';
import {openAuditLog} from '../../source/actions/audit-log.js';
import {createDemoBackend} from '../../source/actions/demo-backend.js';
import {selfMadeChanges} from '../../source/actions/self-made.js';
import {isRefusal} from '../../source/core/action-rules.js';
import {createMonitor, type Monitor} from '../../source/core/monitor.js';
import {evaluate} from '../../source/core/rules.js';
import {createDemoStack} from '../../source/sources/demo/demo-stack.js';
import {defaultThresholds} from '../../source/sources/registry.js';
import {createStack} from '../../source/sources/stack.js';
import {instance, snapshot, sources} from '../support/snapshots.js';

const live = {...defaultThresholds, cpuSustainSeconds: 600};
const t0 = Date.UTC(2025, 10, 27, 9, 0, 0);

/** The service-average CPU at `cpu` on two instances, at second `second`. */
function atCpu(second: number, cpu: number) {
	return snapshot({at: second * 1000, instances: [instance('web-1', cpu, 30, {sampledAt: second * 1000}), instance('web-2', cpu, 30, {sampledAt: second * 1000})]});
}

function cpuEvents(monitor: ReturnType<typeof createMonitor>) {
	return (monitor.current()?.events ?? []).filter(event => event.key === 'service.cpu');
}

describe('a value hovering at a threshold', () => {
	it('makes one breach, not a stream of began/ended (hysteresis)', () => {
		const monitor = createMonitor({thresholds: live, sources});
		// An average sitting at the SOON threshold (70 %): 69.6, 70.4, 69.6, … for two minutes.
		for (let second = 0; second < 120; second++) monitor.tick(atCpu(second, second % 2 === 0 ? 69.6 : 70.4));
		const events = cpuEvents(monitor);
		expect(events.map(event => event.text.split(':')[0])).toEqual(['breach began']);
	});

	it('says the comparison as a true statement: 70.4% > 70%, never 70% > 70%', () => {
		const monitor = createMonitor({thresholds: live, sources});
		const frame = monitor.tick(atCpu(0, 70.4));
		const concern = frame.assessment.concerns.find(candidate => candidate.key === 'service.cpu')!;
		expect(concern.message).toContain('average CPU 70.4% > 70%');
		expect(frame.events.at(-1)!.text).toContain('70.4% > 70%');
		expect(frame.events.at(-1)!.text).not.toMatch(/\b(\d+)% > \1%/);
	});

	it('while held under its threshold, says so truthfully, and ends after the hold', () => {
		const monitor = createMonitor({thresholds: live, sources});
		monitor.tick(atCpu(0, 74));
		const held = monitor.tick(atCpu(1, 68));
		const concern = held.assessment.concerns.find(candidate => candidate.key === 'service.cpu')!;
		expect(concern.message).toMatch(/average CPU 68% ≤ 70% \(breach held until under 65% or \d+s more\)/);
		for (let second = 2; second <= 30; second++) monitor.tick(atCpu(second, 68));
		expect(monitor.current()!.assessment.concerns.some(candidate => candidate.key === 'service.cpu')).toBe(true);
		const ended = monitor.tick(atCpu(31, 68));
		expect(ended.assessment.concerns.some(candidate => candidate.key === 'service.cpu')).toBe(false);
		expect(cpuEvents(monitor).at(-1)!.text).toContain('ended');
	});

	it('ends at once when the value falls under the threshold by the margin', () => {
		const monitor = createMonitor({thresholds: live, sources});
		monitor.tick(atCpu(0, 74));
		const ended = monitor.tick(atCpu(1, 64));
		expect(ended.assessment.concerns.some(candidate => candidate.key === 'service.cpu')).toBe(false);
	});

	it('with --hysteresis 0, ends as soon as the value is not over', () => {
		const monitor = createMonitor({thresholds: {...live, hysteresis: 0}, sources});
		monitor.tick(atCpu(0, 70.4));
		expect(monitor.tick(atCpu(1, 69.6)).assessment.concerns.some(candidate => candidate.key === 'service.cpu')).toBe(false);
	});
});

describe('the message that ends a breach', () => {
	it('names the threshold the breach began at: began 76% > 70%, ended back under 70% (not 80%)', () => {
		const monitor = createMonitor({thresholds: live, sources});
		monitor.tick(atCpu(0, 76));
		// Over the IMMEDIATE threshold for a while (its sustain clock runs), then well down.
		monitor.tick(atCpu(1, 84));
		monitor.tick(atCpu(2, 86));
		monitor.tick(atCpu(3, 40));
		const events = cpuEvents(monitor);
		expect(events[0]!.text).toContain('76% > 70%');
		expect(events.at(-1)!.text).toContain('cpu back under 70%');
		expect(events.at(-1)!.text).not.toContain('80%');
	});
});

describe("va-top's own actions", () => {
	/** A scale-down 4 → 3 and a scale-up 3 → 5 on the demo, the monitor ticking each simulated second throughout. */
	async function demoRun(withSelfMade: boolean) {
		const dir = mkdtempSync(path.join(tmpdir(), 'va-alarms-'));
		const demo = createDemoStack({project: 'acme', service: 'api', intervalMs: 1000, now: () => t0, seed: 3, replicas: 4});
		const stack = createStack({mode: 'demo', project: 'acme', service: 'api', docker: demo.docker, sources: Object.entries(demo.sources).map(([id, collector]) => ({id, collector})), models: demo.models, now: () => demo.now()});
		let monitor: Monitor | undefined;
		const second = () => {
			demo.advance(1000);
			monitor?.tick(stack.snapshot());
		};

		const runner = createActionRunner({
			backend: createDemoBackend(demo, {appPort: 8000}),
			options: {min: 1, max: 10, readOnly: false, dryRun: false, appPort: 8000, drainTimeoutMs: 30_000, dbThreshold: 80},
			audit: openAuditLog({path: path.join(dir, 'audit.log'), user: 'op', host: 'bastion', now: demo.now}),
			log: () => {},
			now: demo.now,
			// Simulated seconds: the screen ticks the monitor each one while the action waits.
			sleep: async ms => {
				for (let waited = 0; waited < ms; waited += 1000) second();
			},
		});
		monitor = createMonitor({thresholds: live, sources: demo.models, selfMade: withSelfMade ? () => selfMadeChanges(runner) : undefined});
		try {
			stack.start();
			second();
			for (const [from, to] of [[4, 3], [3, 5]] as const) {
				const plan = runner.planScale(to, {current: from, instances: demo.docker.view().instances});
				if (isRefusal(plan)) throw new Error(plan.reason);
				expect((await runner.executeScale(plan)).result).toBe('ok');
				for (let after = 0; after < 20; after++) second();
			}

			return monitor.current()!.events.filter(event => event.key.startsWith('instance.state:'));
		} finally {
			await stack.stop();
			rmSync(dir, {recursive: true, force: true});
		}
	}

	it('a scale-down and a scale-up raise no "breach began: … is exited / is created"', async () => {
		const events = await demoRun(true);
		expect(events.map(event => event.text)).toEqual([]);
	});

	it('without knowing they are ours, the same changes would have been alarms (the check can fail)', async () => {
		const events = await demoRun(false);
		expect(events.map(event => event.text).join('\n')).toMatch(/breach began: acme-api-4 is exited/);
	});

	it('a container that exits on its own still raises a breach', () => {
		const monitor = createMonitor({thresholds: live, sources, selfMade: () => ({names: new Set(['web-9']), window: false})});
		const frame = monitor.tick(snapshot({instances: [instance('web-1', 20, 30), instance('web-2', 20, 30, {state: 'exited'})]}));
		expect(frame.events.map(event => event.text)).toContain('breach began: web-2 is exited: Check the instance, or drain it');
	});

	it('a start-up grace: `created` is no alarm in its first 15 s, and is one after', () => {
		const monitor = createMonitor({thresholds: live, sources});
		const created = (second: number) => snapshot({at: second * 1000, instances: [instance('web-1', 20, 30), instance('web-2', null, null, {state: 'created'})]});
		for (let second = 0; second < 15; second++) expect(monitor.tick(created(second)).assessment.concerns).toEqual([]);
		expect(monitor.tick(created(15)).assessment.concerns.map(concern => concern.message)).toEqual(['web-2 is created: Check the instance, or drain it']);
	});
});

describe('live and --once on the same readings', () => {
	it('agree on the breach, and each says which sustain rule applied', () => {
		const data = atCpu(0, 86);
		const liveConcern = evaluate(data, live, undefined, data.at, {sources}).assessment.concerns[0]!;
		const onceConcern = evaluate(data, live, undefined, data.at, {sources, oneShot: true}).assessment.concerns[0]!;
		expect(liveConcern).toMatchObject({key: 'service.cpu', level: 'SOON', threshold: 80});
		expect(liveConcern.message).toContain('86% > 80% for 0s, IMMEDIATE at 10m');
		expect(onceConcern).toMatchObject({key: 'service.cpu', level: 'IMMEDIATE', threshold: 80});
		expect(onceConcern.message).toContain("86% > 80% (--once does not wait the live monitor's 10m)");
	});
});
