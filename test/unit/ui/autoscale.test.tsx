// The autoscaler on the whole screen: its preview line under the header (on or off), A with its confirmation, the
// countdown that any key cancels, and --read-only. Snapshots are hand-made and move on with the real clock; the
// runner is the real one on the demo backend (the simulated stack is real code) with a real audit log.
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import React from 'react';
import {cleanup} from 'ink-testing-library';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {createActionRunner, type ActionRunnerOptions} from '../../../source/actions/action-runner.js';
import {openAuditLog, type AuditRecord} from '../../../source/actions/audit-log.js';
import {createAutoscaler} from '../../../source/actions/autoscaler.js';
import {createDemoBackend} from '../../../source/actions/demo-backend.js';
import {defaultAutoscaleSettings} from '../../../source/core/autoscale-policy.js';
import {createMonitor} from '../../../source/core/monitor.js';
import {defaultThresholds} from '../../../source/sources/registry.js';
import type {StackSnapshot} from '../../../source/core/types.js';
import {createDemoStack, type DemoStack} from '../../../source/sources/demo/demo-stack.js';
import {App} from '../../../source/ui/app.js';
import {frameLines, instance, renderAt, settings, snapshot, sources, waitForFrame} from '../../support/ui-fixtures.js';

const guardMs = 60;
let dir: string;
let demo: DemoStack;
let auditFile: string;

beforeEach(() => {
	dir = mkdtempSync(path.join(tmpdir(), 'va-ui-autoscale-'));
	auditFile = path.join(dir, 'audit.log');
	demo = createDemoStack({project: 'voiceassist', service: 'voiceassist-server', intervalMs: 100, seed: 7, replicas: 3});
	demo.docker.start();
});

afterEach(async () => {
	cleanup();
	await demo.docker.stop();
	rmSync(dir, {recursive: true, force: true});
});

/** Hand-made readings whose time is now: the policy's clocks run on the snapshots' time. */
class ClockStack {
	readonly mode = 'live' as const;
	readonly models = sources;
	cpu: number;

	constructor(cpu: number) {
		this.cpu = cpu;
	}

	snapshot(): StackSnapshot {
		const at = Date.now();
		const cpu = this.cpu;
		return snapshot({at, instances: [1, 2, 3].map(n => instance(`voiceassist-server-${n}`, cpu, 40, {sampledAt: at}))});
	}
}

function mount(options: {cpu: number; enabled?: boolean; readOnly?: boolean; countdownMs?: number}) {
	const monitor = createMonitor({thresholds: defaultThresholds, sources});
	const runnerOptions: ActionRunnerOptions = {min: 2, max: 10, readOnly: options.readOnly ?? false, dryRun: false, appPort: 8000, drainTimeoutMs: 30_000, dbThreshold: 80};
	const runner = createActionRunner({
		backend: createDemoBackend(demo, {appPort: 8000}),
		options: runnerOptions,
		audit: runnerOptions.readOnly ? null : openAuditLog({path: auditFile}),
		log: entry => monitor.log(entry),
	});
	const autoscaler = createAutoscaler({
		runner,
		sources,
		settings: {...defaultAutoscaleSettings, min: 2, max: 10, dbThreshold: 80, intervalMs: 1000, upSustainMs: 1000, downSustainMs: 60_000, cooldownMs: 60_000},
		memUpAt: 70,
		countdownMs: options.countdownMs ?? 5000,
		enabled: options.enabled ?? false,
		log: entry => monitor.log(entry),
	});
	const stack = new ClockStack(options.cpu);
	const app = renderAt(
		<App stack={stack} monitor={monitor} settings={settings({intervalMs: 100})} onQuit={() => undefined} runner={runner} actionGuardMs={guardMs} autoscaler={autoscaler} autoscaleSummary="2..10, avg CPU > 70 % / < 30 %" />,
		100,
		30,
	);
	return {app, autoscaler, stack};
}

const line = (frame: string) => frameLines(frame)[3] ?? '';
const footer = (frame: string) => frameLines(frame).at(-1) ?? '';
const sleep = async (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

function audit(): AuditRecord[] {
	try {
		return readFileSync(auditFile, 'utf8').trimEnd().split('\n').filter(Boolean).map(text => JSON.parse(text) as AuditRecord);
	} catch {
		return [];
	}
}

describe('the preview line', () => {
	it('says under the header what the policy would do, with autoscaling off', async () => {
		const {app} = mount({cpu: 85});
		const frame = await waitForFrame(app, f => /would scale up 3 → 4 in \d+ s/.test(line(f)));
		expect(line(frame)).toMatch(/^autoscale: would scale up 3 → 4 in \d+ s \(avg CPU 85 % > 70 % for \d+ s of 1 s\)$/);
		// (after the action keys, or at 100 columns after q quit: the status line goes on, cut at the pane's edge)
		expect(footer(frame)).toMatch(/ {2}A autoscale {2}/);
	});

	it('in the band it holds, and says why', async () => {
		const {app} = mount({cpu: 50});
		const frame = await waitForFrame(app, f => line(f).startsWith('autoscale: holding'));
		expect(line(frame)).toBe('autoscale: holding at 3 (avg CPU 50 % between 30 % and 70 %)');
	});
});

describe('A and the countdown', () => {
	it('A asks first; y turns it on; the countdown shows; any key cancels it and turns autoscaling off', async () => {
		const {app, autoscaler} = mount({cpu: 85, countdownMs: 5000});
		await waitForFrame(app, f => line(f).startsWith('autoscale: would scale up'));
		app.stdin.write('A');
		const asking = await waitForFrame(app, f => line(f).includes('turns autoscaling on'));
		expect(line(asking)).toBe('autoscale: y turns autoscaling on (2..10, avg CPU > 70 % / < 30 %); any other key cancels');
		expect(footer(asking)).toBe('y turn autoscaling on  any other key cancels');
		await sleep(guardMs + 20);
		app.stdin.write('y');
		const counting = await waitForFrame(app, f => line(f).includes('scaling up 3 → 4 in'), 5000);
		expect(line(counting)).toMatch(/^\[AUTOSCALE ON\] scaling up 3 → 4 in \d s: any key cancels \(and turns autoscaling off\)$/);
		expect(footer(counting)).toBe('any key cancels the autoscale step and turns autoscaling off');
		// j would move the selection; here it only cancels.
		app.stdin.write('j');
		const cancelled = await waitForFrame(app, f => line(f).startsWith('autoscale: ') && f.includes('cancelled'));
		expect(autoscaler.view().enabled).toBe(false);
		expect(cancelled).toContain('autoscale: scale up 3 → 4 cancelled (key j pressed); autoscaling is off');
		expect(cancelled).toMatch(/▸ voiceassist-server-1 /);
		await sleep(5500);
		expect(audit()).toEqual([]);
	}, 15_000);

	it('any key but y at the question leaves it off; A when on turns it off at once', async () => {
		const {app, autoscaler} = mount({cpu: 50});
		await waitForFrame(app, f => line(f).startsWith('autoscale: holding'));
		app.stdin.write('A');
		await waitForFrame(app, f => line(f).includes('turns autoscaling on'));
		await sleep(guardMs + 20);
		app.stdin.write('n');
		await waitForFrame(app, f => line(f).startsWith('autoscale: holding'));
		expect(autoscaler.view().enabled).toBe(false);

		app.stdin.write('A');
		await waitForFrame(app, f => line(f).includes('turns autoscaling on'));
		await sleep(guardMs + 20);
		app.stdin.write('y');
		const on = await waitForFrame(app, f => line(f).startsWith('[AUTOSCALE ON] holding'));
		expect(footer(on)).toMatch(/ {2}A autoscale off( |$)/);
		await sleep(200);
		app.stdin.write('A');
		await waitForFrame(app, f => line(f).startsWith('autoscale: holding'));
		expect(autoscaler.view().enabled).toBe(false);
	});

	it('--autoscale: on from the start; when the countdown ends it acts through the runner, audited by autoscale', async () => {
		const {app} = mount({cpu: 85, enabled: true, countdownMs: 1000});
		await waitForFrame(app, f => line(f).includes('scaling up 3 → 4 in'), 5000);
		await waitForFrame(app, () => audit().length >= 2, 10_000);
		expect(audit().map(record => [record.action, record.from, record.to, record.result, record.by])).toEqual([
			['scale', 3, 4, 'began', 'autoscale'],
			['scale', 3, 4, 'ok', 'autoscale'],
		]);
		await waitForFrame(app, f => f.includes('autoscale: scale 3 → 4 ok'));
	}, 15_000);

	it('--read-only: the line previews, A is not bound and nothing acts', async () => {
		const {app, autoscaler} = mount({cpu: 85, enabled: true, readOnly: true, countdownMs: 500});
		const frame = await waitForFrame(app, f => /would scale up 3 → 4/.test(line(f)), 5000);
		expect(line(frame)).toMatch(/^autoscale \(read-only, preview\): would scale up 3 → 4 in \d+ s/);
		expect(footer(frame)).not.toContain('A autoscale');
		app.stdin.write('A');
		await sleep(300);
		expect(line(app.lastFrame() ?? '')).not.toContain('turn autoscaling on');
		expect(autoscaler.view().enabled).toBe(false);
	});
});
