// Issue 12, "actions" on the whole screen: a service above --max (8 running, --max 6) is marked in the header, comes
// down by one with `-`, and by several only with the number removed typed; results are a status line while the
// charts stay; a row's `new` and `restored` go once they stop being news. The runner is the real one on the demo
// backend (a simulated stack with its own clock), with a real audit log in a temporary directory.
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import React from 'react';
import {cleanup} from 'ink-testing-library';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {createActionRunner, type ActionRunnerOptions} from '../../../source/actions/action-runner.js';
import {openAuditLog, type AuditRecord} from '../../../source/actions/audit-log.js';
import {createDemoBackend} from '../../../source/actions/demo-backend.js';
import {runningCount} from '../../../source/core/action-rules.js';
import {createMonitor} from '../../../source/core/monitor.js';
import {defaultThresholds} from '../../../source/core/thresholds.js';
import {createDemoStack, type DemoStack} from '../../../source/sources/demo/demo-stack.js';
import {createStack, type Stack} from '../../../source/sources/stack.js';
import {App} from '../../../source/ui/app.js';
import {fitProblems, frameLines, renderAt, settings, SteppedSleep, waitForFrame, sources} from '../../support/ui-fixtures.js';

const keys = {escape: '\u001B', enter: '\r'};
const guardMs = 60;
let dir: string;
let demo: DemoStack;
let stack: Stack;
let auditFile: string;

function start(replicas: number) {
	demo = createDemoStack({project: 'acme', service: 'api', intervalMs: 100, seed: 11, replicas});
	stack = createStack({mode: 'demo', project: 'acme', service: 'api', docker: demo.docker, sources: Object.entries(demo.sources).map(([id, collector]) => ({id, collector})), models: demo.models, now: () => demo.now()});
	stack.start();
}

beforeEach(() => {
	dir = mkdtempSync(path.join(tmpdir(), 'vaui-status-'));
	auditFile = path.join(dir, 'audit.log');
});

afterEach(async () => {
	cleanup();
	await stack.stop();
	rmSync(dir, {recursive: true, force: true});
});

function mount(runnerOptions: Partial<ActionRunnerOptions>, columns = 120, rows = 40) {
	const monitor = createMonitor({sources, thresholds: defaultThresholds});
	const stepper = new SteppedSleep(ms => demo.advance(ms));
	const options: ActionRunnerOptions = {min: 2, max: 6, readOnly: false, dryRun: false, appPort: 8000, drainTimeoutMs: 5000, dbThreshold: 80, ...runnerOptions};
	const runner = createActionRunner({backend: createDemoBackend(demo, {appPort: 8000}), options, audit: openAuditLog({path: auditFile}), log: entry => monitor.log(entry), now: () => demo.now(), sleep: stepper.sleep});
	const rendered = renderAt(
		<App stack={stack} monitor={monitor} settings={settings({intervalMs: 100, mode: 'demo', project: 'acme', service: 'api', min: options.min, max: options.max})} onQuit={() => {}} runner={runner} actionGuardMs={guardMs} />,
		columns,
		rows,
	);
	return {...rendered, stepper, monitor};
}

const sleep = async (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
const footer = (frame: string) => frameLines(frame).at(-1) ?? '';
const running = () => runningCount(demo.docker.view().instances);
function audit(): AuditRecord[] {
	try {
		return readFileSync(auditFile, 'utf8').trimEnd().split('\n').filter(Boolean).map(line => JSON.parse(line) as AuditRecord);
	} catch {
		return [];
	}
}

/** Lets the drain's readings pass until the runner has finished. */
async function until(app: ReturnType<typeof mount>, done: (frame: string) => boolean): Promise<string> {
	const deadline = Date.now() + 10_000;
	while (!done(app.lastFrame() ?? '')) {
		if (Date.now() > deadline) throw new Error(`never done; last frame:\n${app.lastFrame()}`);
		if (app.stepper.waiting > 0) await app.stepper.step(1);
		await sleep(10);
	}

	return app.lastFrame()!;
}

describe('above --max', () => {
	it('the header marks 8 of --max 6; - comes down by one and says it is still above; the charts stay in view', async () => {
		start(8);
		const app = mount({});
		let frame = await waitForFrame(app, f => f.includes('acme-api-8'));
		// Before: `43/6 instances` with no mark.
		expect(frameLines(frame)[0]).toContain('8/6 instances ▲ above --max 6');
		app.stdin.write('-');
		frame = await waitForFrame(app, f => f.includes('SCALE api 8 → 7 (-1)'));
		expect(frame).toContain('▲▲ 8 → 7 is still above the maximum of 6 (--max)');
		expect(footer(frame)).toBe('y confirm  any other key cancels');
		await sleep(guardMs + 20);
		app.stdin.write('y');
		frame = await until(app, f => footer(f).startsWith('scale 8 → 7 ok'));
		await waitForFrame(app, () => (app.monitor.current()?.events ?? []).some(event => event.text.startsWith('scale 8 → 7 ok')));
		expect(app.monitor.current()!.events.find(event => event.text.startsWith('scale 8 → 7 ok'))!.text).toMatch(/; still above the maximum of 6 \(--max\)$/);
		// The result is a line: the charts and the log are all there.
		for (const part of ['CPU ', 'MEM ', 'DB conn', 'REDIS mem', 'EVENTS']) expect(frame).toContain(part);
		expect(fitProblems(frame, 120, 40)).toEqual([]);
		expect(running()).toBe(7);
	});

	it('s 5 asks for the number removed, typed: y does not do it, 3 and Enter does; the audit names the three', async () => {
		start(8);
		const app = mount({});
		await waitForFrame(app, f => f.includes('acme-api-8'));
		app.stdin.write('s');
		app.stdin.write('5');
		app.stdin.write(keys.enter);
		let frame = await waitForFrame(app, f => f.includes('SCALE api 8 → 5 (-3)'));
		expect(frame).toContain('this removes 3 instances at once: type 3, then Enter');
		expect(footer(frame)).toBe('0-9 the number removed  Enter confirm  any other key cancels');
		await sleep(guardMs + 20);
		// y is not the number: the confirmation is cancelled, nothing happens.
		app.stdin.write('y');
		await waitForFrame(app, f => !f.includes('SCALE api'));
		expect(running()).toBe(8);
		// A wrong number cancels too.
		app.stdin.write('s5');
		app.stdin.write(keys.enter);
		await waitForFrame(app, f => f.includes('SCALE api 8 → 5'));
		await sleep(guardMs + 20);
		app.stdin.write('2');
		await waitForFrame(app, f => f.includes('removed: 2▏'));
		app.stdin.write(keys.enter);
		await waitForFrame(app, f => !f.includes('SCALE api'));
		expect(running()).toBe(8);
		expect(audit()).toEqual([]);

		app.stdin.write('s5');
		app.stdin.write(keys.enter);
		await waitForFrame(app, f => f.includes('SCALE api 8 → 5'));
		await sleep(guardMs + 20);
		app.stdin.write('3');
		app.stdin.write(keys.enter);
		frame = await until(app, f => footer(f).startsWith('scale 8 → 5 ok'));
		expect(running()).toBe(5);
		expect(audit().map(record => [record.result, record.instances])).toEqual([
			['began', ['acme-api-8', 'acme-api-7', 'acme-api-6']],
			['ok', ['acme-api-8', 'acme-api-7', 'acme-api-6']],
		]);
		// Back inside the bounds: no mark.
		frame = await waitForFrame(app, f => frameLines(f)[0]!.includes('5/6 instances') || frameLines(f)[0]!.includes('/6 instances ·'));
		expect(frameLines(frame)[0]).not.toContain('above --max');
	});
});

describe('a row says an action\'s result only while it is news', () => {
	it('`new` shows while the instance starts and goes once it runs with a reading', async () => {
		start(3);
		const app = mount({max: 10});
		await waitForFrame(app, f => f.includes('acme-api-3'));
		app.stdin.write('+');
		await waitForFrame(app, f => f.includes('SCALE api 3 → 4'));
		await sleep(guardMs + 20);
		app.stdin.write('y');
		let frame = await waitForFrame(app, f => /acme-api-4 .* new/.test(f));
		// Created, then running with its health check still starting: it stays new.
		expect(frame).toMatch(/acme-api-4 +(created ▲ +-|running +starting) .* new/);
		// Its health check passes (the simulation's 3 s boot, skipped): the word goes within an interval or two (before: 30 s).
		demo.advance(5000);
		frame = await waitForFrame(app, f => /acme-api-4 +running +healthy +[\d.]+%/.test(f) && !/acme-api-4 .* new/.test(f), 3000);
		expect(frame).not.toMatch(/ACTION/);
	});

	it('`restored` after an aborted drain goes after one interval, and the CPU and memory stayed in view throughout', async () => {
		start(3);
		const app = mount({max: 10});
		await waitForFrame(app, f => f.includes('acme-api-3'));
		app.stdin.write('d');
		await waitForFrame(app, f => f.includes('DRAIN acme-api-1'));
		await sleep(guardMs + 20);
		app.stdin.write('y');
		const draining = await waitForFrame(app, f => /acme-api-1 .* draining \d+ conn/.test(f));
		// Before: the drain's words took the place of the memory figures.
		expect(draining).toMatch(/▸ acme-api-1 +running +\S+ +[\d.]+% +[\d.]+% +[\d.]+[KMG]\/[\d.]+[KMG] +draining \d+ conn \d+s/);
		app.stdin.write(keys.escape);
		await waitForFrame(app, f => footer(f).includes('aborted'));
		const started = Date.now();
		await waitForFrame(app, f => !/acme-api-1 .* restored/.test(f) && !f.includes('ACTION'), 3000);
		// One interval is 100 ms here; a frame comes each interval. Before: over 20 s.
		expect(Date.now() - started).toBeLessThan(2000);
	});
});
