// The action keys in the whole screen: + - s d with their confirmation, cancel, refusals, --read-only, --dry-run,
// held keys (issue 7), the drain's countdown on the row and Esc. The runner is the real one on the demo backend (the
// simulated stack is real code with its own clock) with a real audit log in a temporary directory.
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import React from 'react';
import {cleanup} from 'ink-testing-library';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {createActionRunner, type ActionRunner, type ActionRunnerOptions} from '../../../source/actions/action-runner.js';
import {openAuditLog, type AuditRecord} from '../../../source/actions/audit-log.js';
import {createDemoBackend} from '../../../source/actions/demo-backend.js';
import {runningCount} from '../../../source/core/action-rules.js';
import {createMonitor, type Monitor} from '../../../source/core/monitor.js';
import {defaultThresholds} from '../../../source/core/thresholds.js';
import {createDemoStack, type DemoStack} from '../../../source/sources/demo/demo-stack.js';
import {createStack, type Stack} from '../../../source/sources/stack.js';
import {App} from '../../../source/ui/app.js';
import {decideKey, initialActionState, type ActionUiState} from '../../../source/ui/hooks/use-action-state.js';
import {keyNames} from '../../../source/ui/hooks/use-keys.js';
import {fitProblems, frameLines, instance, MemoryStack, renderAt, settings, snapshot, SteppedSleep, waitForFrame, sources} from '../../support/ui-fixtures.js';

const keys = {escape: '\u001B', enter: '\r', backspace: '\u007F', ctrlC: '\u0003'};
/** A short guard keeps the suite quick; one test uses the real 300 ms. */
const guardMs = 60;

let dir: string;
let demo: DemoStack;
let stack: Stack;
let auditFile: string;

beforeEach(() => {
	dir = mkdtempSync(path.join(tmpdir(), 'va-ui-actions-'));
	auditFile = path.join(dir, 'state', 'audit.log');
	demo = createDemoStack({project: 'voiceassist', service: 'voiceassist-server', intervalMs: 100, seed: 7, replicas: 3});
	stack = createStack({mode: 'demo', project: 'voiceassist', service: 'voiceassist-server', docker: demo.docker, sources: Object.entries(demo.sources).map(([id, collector]) => ({id, collector})), models: demo.models, now: () => demo.now()});
	stack.start();
});

afterEach(async () => {
	cleanup();
	await stack.stop();
	rmSync(dir, {recursive: true, force: true});
});

interface MountOptions {
	runner?: Partial<ActionRunnerOptions>;
	columns?: number;
	rows?: number;
	guard?: number;
	/** Screen data from a hand-made snapshot instead of the demo (planning only). */
	memory?: MemoryStack;
}

function mount(options: MountOptions = {}) {
	const monitor: Monitor = createMonitor({sources, thresholds: defaultThresholds});
	const stepper = new SteppedSleep(ms => demo.advance(ms));
	const runnerOptions: ActionRunnerOptions = {min: 2, max: 10, readOnly: false, dryRun: false, appPort: 8000, drainTimeoutMs: 30_000, dbThreshold: 80, ...options.runner};
	const runner: ActionRunner = createActionRunner({
		backend: createDemoBackend(demo, {appPort: 8000}),
		options: runnerOptions,
		audit: runnerOptions.readOnly ? null : openAuditLog({path: auditFile}),
		log: entry => monitor.log(entry),
		now: () => demo.now(),
		sleep: stepper.sleep,
	});
	const quits: number[] = [];
	const rendered = renderAt(
		<App
			stack={options.memory ?? stack}
			monitor={monitor}
			settings={settings({intervalMs: 100, mode: 'demo', min: runnerOptions.min, max: runnerOptions.max})}
			onQuit={code => quits.push(code)}
			runner={runner}
			actionGuardMs={options.guard ?? guardMs}
		/>,
		options.columns ?? 80,
		options.rows ?? 24,
	);
	return {...rendered, runner, monitor, stepper, quits};
}

function audit(): AuditRecord[] {
	try {
		return readFileSync(auditFile, 'utf8').trimEnd().split('\n').filter(Boolean).map(line => JSON.parse(line) as AuditRecord);
	} catch {
		return [];
	}
}

function running(): number {
	return runningCount(demo.docker.view().instances);
}

const sleep = async (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
/** The frame as one line of words: dialog text wraps at the pane's width. */
const flat = (frame: string) => frameLines(frame).map(line => line.trim()).join(' ');

/** The demo's new instances are `created` for a moment before they run. */
async function runningBecomes(count: number): Promise<void> {
	const deadline = Date.now() + 5000;
	while (running() !== count) {
		if (Date.now() > deadline) throw new Error(`running is ${running()}, expected ${count}`);
		await sleep(20);
	}
}
// At 80 columns the name column shows each container name's end: `…voiceassist-server-1`.
const ready = (frame: string) => /▸ (…|voiceassist-)voiceassist-server-1 /.test(frame) && frame.includes('voiceassist-server-3');
const footer = (frame: string) => frameLines(frame).at(-1) ?? '';

describe('scale keys', () => {
	it('+ opens a confirmation with the count, the target, what will be done and the DB projection; y scales 3 → 4', async () => {
		const app = mount();
		await waitForFrame(app, ready);
		app.stdin.write('+');
		const dialog = await waitForFrame(app, f => f.includes('SCALE voiceassist-server 3 → 4'));
		expect(dialog).toContain('running now 3 · target 4 · allowed 2-10 (--min/--max)');
		expect(dialog).toContain('1. add 1 simulated instance');
		expect(dialog).toMatch(/database connections \d+ → ~\d+ of 100/);
		expect(flat(dialog)).toContain('the count is read again before acting: it must still be 3');
		expect(footer(dialog)).toBe('y confirm  any other key cancels');
		// The table stays in view next to the confirmation, and all of it fits 80x24.
		expect(dialog).toMatch(/voiceassist-server-3 +running/);
		expect(fitProblems(dialog, 80, 24)).toEqual([]);
		expect(running()).toBe(3);

		await sleep(guardMs + 20);
		app.stdin.write('y');
		// The result is a status line and an event: the charts and the log stay in view while it shows.
		const done = await waitForFrame(app, f => footer(f).startsWith('scale 3 → 4 ok: created voiceassist-voiceassist-server-4'));
		expect(done).toContain('EVENTS');
		expect(done).toMatch(/DB conn \d+\/100/);
		await runningBecomes(4);
		// The result asks nothing: keys do what they always do.
		app.stdin.write('j');
		await waitForFrame(app, f => /▸ …voiceassist-server-2 /.test(f));
		// The audit names the instance created.
		expect(audit().map(record => [record.action, record.from, record.to, record.result, record.instances])).toEqual([
			['scale', 3, 4, 'began', null],
			['scale', 3, 4, 'ok', ['voiceassist-voiceassist-server-4']],
		]);
		expect(audit()[1]!.instance).toBe('voiceassist-voiceassist-server-4');
		await waitForFrame(app, () => (app.monitor.current()?.events ?? []).some(event => event.key === 'action:scale' && event.text.startsWith('scale 3 → 4 ok')));
	});

	it('any other key cancels: nothing changes, nothing is audited, the log says it was cancelled', async () => {
		const app = mount();
		await waitForFrame(app, ready);
		for (const cancel of ['n', keys.escape, 'j', 'Y']) {
			app.stdin.write('-');
			await waitForFrame(app, f => f.includes('SCALE voiceassist-server 3 → 2'));
			await sleep(guardMs + 20);
			app.stdin.write(cancel);
			await waitForFrame(app, f => !f.includes('SCALE voiceassist-server') && f.includes('EVENTS'));
		}

		const frame = await waitForFrame(app, f => f.includes('scale 3 → 2 cancelled: nothing was done'));
		expect(frame).toContain('3/10 instances');
		expect(running()).toBe(3);
		expect(audit()).toEqual([]);
	});

	it('below --min: refused with the reason, on the status line, in the event log and the audit log', async () => {
		const app = mount({runner: {min: 3}});
		await waitForFrame(app, ready);
		app.stdin.write('-');
		const refused = await waitForFrame(app, f => footer(f).startsWith('scale refused: 2 is below the minimum of 3 (--min)'));
		// Nothing covers the screen: the charts and the log stay.
		expect(refused).toContain('EVENTS');
		expect(refused).toContain('REDIS mem');
		expect(audit()).toMatchObject([{action: 'scale', from: 3, to: 2, result: 'refused', error: '2 is below the minimum of 3 (--min)'}]);
		// A burst of - (a held key's repeats) is one more press, not five more refusals.
		await sleep(200);
		for (let i = 0; i < 5; i++) app.stdin.write('-');
		await sleep(guardMs + 20);
		expect(audit()).toHaveLength(2);
		await waitForFrame(app, f => f.includes('scale refused: 2 is below'));
		expect(running()).toBe(3);
	});

	it('s types an exact count: Enter plans it, y applies it; above --max is refused with the reason', async () => {
		const app = mount();
		await waitForFrame(app, ready);
		app.stdin.write('s');
		// The count is typed on the status line; the charts stay in view.
		let frame = await waitForFrame(app, f => footer(f).startsWith('scale to: ▏ (running 3, allowed 2-10)'));
		expect(footer(frame)).toContain('0-9 count  Enter plan');
		expect(frame).toContain('REDIS mem');
		for (const key of ['1', '2']) app.stdin.write(key);
		frame = await waitForFrame(app, f => footer(f).startsWith('scale to: 12▏'));
		app.stdin.write(keys.enter);
		frame = await waitForFrame(app, f => f.includes('scale refused'));
		expect(footer(frame)).toContain('12 is above the maximum of 10 (--max)');

		app.stdin.write('s');
		await waitForFrame(app, f => footer(f).startsWith('scale to: ▏'));
		for (const key of ['6', keys.backspace, '5']) app.stdin.write(key);
		await waitForFrame(app, f => footer(f).startsWith('scale to: 5▏'));
		app.stdin.write(keys.enter);
		frame = await waitForFrame(app, f => f.includes('SCALE voiceassist-server 3 → 5 (+2)'));
		await sleep(guardMs + 20);
		app.stdin.write('y');
		await waitForFrame(app, f => footer(f).startsWith('scale 3 → 5 ok: created'));
		await runningBecomes(5);
	});

	it('plans from what the screen shows: runningCount (an exited instance does not count) and the DB numbers, warning above the threshold', async () => {
		const memory = new MemoryStack(
			snapshot({
				db: 75,
				instances: [
					instance('voiceassist-voiceassist-server-1', 40, 50),
					instance('voiceassist-voiceassist-server-2', 40, 50),
					instance('voiceassist-voiceassist-server-3', 40, 50),
					instance('voiceassist-voiceassist-server-4', null, null, {state: 'exited', health: 'none'}),
				],
			}),
			'demo',
		);
		const app = mount({memory});
		await waitForFrame(app, f => f.includes('voiceassist-server-4'));
		app.stdin.write('+');
		const frame = await waitForFrame(app, f => f.includes('SCALE voiceassist-server 3 → 4'));
		// 75 connections over 3 instances: 25 each, so 4 instances hold ~100 of 100.
		expect(frame).toContain('2. ▲▲ database connections 75 → ~100 of 100 (100%, 25 per instance): WARNING');
		expect(frame).toContain('above the 80% database threshold');
		expect(fitProblems(frame, 80, 24)).toEqual([]);
	});
});

describe('--read-only and --dry-run', () => {
	it('--read-only: no action key is listed, each says actions are off on the status line, and nothing is written', async () => {
		const app = mount({runner: {readOnly: true}});
		const frame = await waitForFrame(app, ready);
		expect(frameLines(frame)[0]).toContain('[READ-ONLY]');
		// The demo's pool, queue and access-log charts are a second page, its database and Redis nodes two more: `c`
		// cycles them, said right after the finding keys.
		expect(footer(frame)).toMatch(/^! worst {2}\/ filter {2}C\/M\/N sort {2}c 1\/4 {2}\? help {2}q quit/);
		expect(footer(frame)).not.toContain('scale');
		// Before, + - s d did nothing and said nothing under --read-only.
		for (const key of ['+', '-', 's', 'd']) {
			app.stdin.write(key);
			await waitForFrame(app, f => footer(f).startsWith('read-only: actions are off (--read-only)'));
			await sleep(150);
		}

		app.stdin.write('y');
		await sleep(300);
		expect(app.lastFrame()).not.toMatch(/SCALE|DRAIN|refused/);
		app.stdin.write('?');
		const help = await waitForFrame(app, f => f.includes('Keys'));
		expect(help).not.toMatch(/^ {2}(\+|s|d|y|Esc) /m);
		expect(help).not.toContain('scale');
		expect(running()).toBe(3);
		expect(audit()).toEqual([]);
	});

	it('--dry-run: the badge, the confirmation says so, y shows what would be done and changes nothing', async () => {
		const app = mount({runner: {dryRun: true}});
		const frame = await waitForFrame(app, ready);
		expect(frameLines(frame)[0]).toContain('[DRY RUN]');
		app.stdin.write('+');
		const dialog = await waitForFrame(app, f => f.includes('SCALE voiceassist-server 3 → 4 (+1) · DRY RUN'));
		expect(dialog).toContain('DRY RUN: nothing will be changed, only shown and logged');
		await sleep(guardMs + 20);
		app.stdin.write('y');
		const result = await waitForFrame(app, f => footer(f).startsWith('dry-run: scale 3 → 4 would add 1 simulated instance'));
		expect(result).toContain('EVENTS');
		expect(running()).toBe(3);
		expect(audit()).toMatchObject([{action: 'scale', from: 3, to: 4, result: 'dry-run'}]);
		app.stdin.write('?');
		const help = await waitForFrame(app, f => f.includes('Keys'));
		expect(help).toContain('DRY RUN: actions show and log what they would do, change nothing');
		expect(fitProblems(help, 80, 24)).toEqual([]);
	});
});

describe('a held key cannot open and confirm (issue 7)', () => {
	it('repeats of the opening key neither confirm nor cancel; y inside the first 300 ms is ignored; y after it confirms', async () => {
		const app = mount({guard: 300});
		await waitForFrame(app, ready);
		app.stdin.write('+');
		await waitForFrame(app, f => f.includes('SCALE voiceassist-server 3 → 4'));
		// A y typed right after (a fast "+y") is inside the guard: ignored, not a confirmation.
		app.stdin.write('y');
		// The terminal's auto-repeat of the held +, past the guard: single keys and a batch read at once.
		for (let i = 0; i < 12; i++) {
			app.stdin.write(i === 6 ? '+++' : '+');
			await sleep(35);
		}

		await sleep(50);
		// Still the same dialog (not confirmed, not cancelled and reopened), nothing done, nothing audited.
		expect(app.lastFrame()).toContain('SCALE voiceassist-server 3 → 4');
		expect(running()).toBe(3);
		expect(audit()).toEqual([]);
		// Now y is deliberate.
		app.stdin.write('y');
		await waitForFrame(app, f => footer(f).startsWith('scale 3 → 4 ok'));
		await runningBecomes(4);
		expect(audit().filter(record => record.result === 'began')).toHaveLength(1);
	});

	it('a pasted "+y" (or keys read in one go) cannot confirm: the y lands inside the guard', async () => {
		const app = mount({guard: 300});
		await waitForFrame(app, ready);
		app.stdin.write('+y');
		await waitForFrame(app, f => f.includes('SCALE voiceassist-server 3 → 4'));
		await sleep(400);
		expect(app.lastFrame()).toContain('SCALE voiceassist-server 3 → 4');
		expect(running()).toBe(3);
		expect(audit()).toEqual([]);
		// Keys read together still each count, in order: x cancels, j moves the selection.
		app.stdin.write('xj');
		await waitForFrame(app, f => !f.includes('SCALE voiceassist-server') && /▸ …voiceassist-server-2 /.test(f));
	});

	it('the key rules, directly: opener ignored, guard, repeat after close, help covers the keys', () => {
		const plan = {kind: 'scale', from: 3, to: 4, direction: 'up', title: 'scale 3 → 4', steps: [], db: null, warnings: [], dryRun: false} as const;
		const confirm: ActionUiState = {...initialActionState, dialog: {kind: 'confirm', plan, opener: '+', openedAt: 1000}};
		const at = (now: number) => ({now, bound: true, help: false, guardMs: 300});
		expect(decideKey(confirm, '+', at(5000))).toEqual({kind: 'ignore', why: 'opener'});
		expect(decideKey(confirm, 'y', at(1299))).toEqual({kind: 'ignore', why: 'guard'});
		expect(decideKey(confirm, 'y', at(1300))).toEqual({kind: 'confirm'});
		expect(decideKey(confirm, 'n', at(1300))).toEqual({kind: 'cancel'});
		const closed: ActionUiState = {...initialActionState, lastKey: {name: '+', at: 2000}};
		expect(decideKey(closed, '+', at(2050))).toEqual({kind: 'ignore', why: 'repeat'});
		expect(decideKey(closed, '+', at(2500))).toMatchObject({kind: 'open', action: 'scale-up'});
		expect(decideKey(initialActionState, '+', {...at(0), help: true})).toEqual({kind: 'pass'});
		expect(decideKey(initialActionState, '+', {...at(0), bound: false})).toEqual({kind: 'pass'});
	});

	it('keyNames: a chunk of text is its characters in order; special keys by name; other Ctrl/Alt combinations none', () => {
		const plain = {escape: false, return: false, backspace: false, delete: false, upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, tab: false, ctrl: false, meta: false};
		const key = (overrides: Partial<typeof plain>) => ({...plain, ...overrides}) as unknown as Parameters<typeof keyNames>[1];
		expect(keyNames('+++y', key({}))).toEqual(['+', '+', '+', 'y']);
		expect(keyNames('', key({escape: true, meta: true}))).toEqual(['escape']);
		expect(keyNames('\r', key({return: true}))).toEqual(['return']);
		expect(keyNames('y', key({meta: true}))).toEqual([]);
		expect(keyNames('d', key({ctrl: true}))).toEqual([]);
	});
});

describe('drain', () => {
	it('d drains the selected instance: the row counts its connections down with the seconds left, then it is removed', async () => {
		const app = mount();
		await waitForFrame(app, ready);
		app.stdin.write('j');
		await waitForFrame(app, f => /▸ …voiceassist-server-2 /.test(f));
		app.stdin.write('d');
		// The dialog names the instance as the table, the events and the audit log do: its container name.
		const dialog = await waitForFrame(app, f => f.includes('DRAIN voiceassist-voiceassist-server-2, then remove it'));
		expect(flat(dialog)).toContain('running now 3 · after 2 · waits at most 30 s for its connections');
		expect(flat(dialog)).toContain('take voiceassist-voiceassist-server-2 out of the load balancer');
		await sleep(guardMs + 20);
		app.stdin.write('y');

		// The first reading: its connections and 30 s left, on the row and in the footer with Esc.
		// At 80 columns the action column is short: ⇣ and the connections, then the seconds left.
		let frame = await waitForFrame(app, f => /▸ …voiceassist-server-2 .* ⇣\d+ 30s/.test(f));
		const first = Number(/⇣(\d+) 30s/.exec(frame)![1]);
		expect(first).toBeGreaterThan(0);
		expect(footer(frame)).toMatch(/^drain voiceassist-voiceassist-server-2: \d+ conn, 30s left {2}Esc abort/);
		// Its CPU and memory stay in view beside the drain's own column.
		expect(frame).toMatch(/▸ …voiceassist-server-2 +running\/healthy +[\d.]+% +[\d.]+% +[\d.]+[KMG]\/[\d.]+G +⇣\d+ 30s/);
		expect(footer(frame)).not.toContain('+/-/s');
		// Two readings later the countdown moved with the (simulated) clock and the connections went down.
		await app.stepper.step(2);
		frame = await waitForFrame(app, f => /⇣\d+ 28s/.test(f));
		expect(Number(/⇣(\d+) 28s/.exec(frame)![1])).toBeLessThan(first);
		expect(fitProblems(frame, 80, 24)).toEqual([]);

		// Drained: zero three times, then stopped and removed.
		while (!/drain voiceassist-voiceassist-server-2 ok/.test(footer(app.lastFrame() ?? ''))) {
			if (app.stepper.waiting > 0) await app.stepper.step(1);
			await sleep(10);
		}

		const lastEvents = async () => (await waitForFrame(app, () => (app.monitor.current()?.events ?? []).some(event => event.text.includes('stopped and removed')))) && app.monitor.current()!.events;
		expect((await lastEvents()).map(event => event.text).join('\n')).toMatch(/stopped and removed after \d+\.\d s, connections drained; service 3 → 2/);
		expect(running()).toBe(2);
		expect(audit().map(record => [record.action, record.instance, record.result])).toEqual([
			['drain', 'voiceassist-voiceassist-server-2', 'began'],
			['drain', 'voiceassist-voiceassist-server-2', 'ok'],
		]);
	});

	it('Esc aborts a drain in progress: the instance goes back, nothing is stopped; q asks to abort first', async () => {
		const app = mount();
		await waitForFrame(app, ready);
		app.stdin.write('d');
		await waitForFrame(app, f => f.includes('DRAIN voiceassist-voiceassist-server-1'));
		await sleep(guardMs + 20);
		app.stdin.write('y');
		await waitForFrame(app, f => /⇣\d+ 30s/.test(f));

		// q does not walk away from an instance out of the balancer; a second action is not started.
		app.stdin.write('q');
		let frame = await waitForFrame(app, f => footer(f).startsWith('drain of voiceassist-voiceassist-server-1 in progress: Esc aborts it'));
		expect(app.quits).toEqual([]);
		app.stdin.write('+');
		frame = await waitForFrame(app, f => f.includes('busy:'));
		expect(footer(frame)).toContain('another action is in progress (drain of voiceassist-voiceassist-server-1)');

		app.stdin.write(keys.escape);
		frame = await waitForFrame(app, f => footer(f).includes('aborted'));
		await waitForFrame(app, () => (app.monitor.current()?.events ?? []).some(event => event.text.includes('aborted')));
		expect(app.monitor.current()!.events.find(event => event.text.includes('aborted'))!.text).toContain('back in the balancer, nothing stopped');
		expect(running()).toBe(3);
		expect(audit().map(record => record.result)).toEqual(['began', 'aborted']);
	});

	it('a drain that would go below --min is refused with the reason', async () => {
		const app = mount({runner: {min: 3}});
		await waitForFrame(app, ready);
		app.stdin.write('d');
		const frame = await waitForFrame(app, f => footer(f).startsWith('drain refused: draining voiceassist-voiceassist-server-1 would leave 2'));
		expect(fitProblems(frame, 80, 24)).toEqual([]);
		// The whole line is in the event log (e shows it wrapped).
		await waitForFrame(app, () => (app.monitor.current()?.events.length ?? 0) > 0);
		expect(app.monitor.current()!.events.at(-1)!.text).toBe('drain refused: draining voiceassist-voiceassist-server-1 would leave 2 instances, below the minimum of 3 (--min)');
		expect(audit()).toMatchObject([{action: 'drain', result: 'refused'}]);
	});
});

describe('errors', () => {
	it("the backend's own error is shown in full, and the service is unchanged", async () => {
		// The demo's host has room for 20: with --max 25, 21 passes the rules and the backend says no.
		const app = mount({runner: {max: 25}});
		await waitForFrame(app, ready);
		app.stdin.write('s');
		await waitForFrame(app, f => footer(f).startsWith('scale to: ▏'));
		for (const key of ['2', '1']) app.stdin.write(key);
		await waitForFrame(app, f => footer(f).startsWith('scale to: 21▏'));
		app.stdin.write(keys.enter);
		await waitForFrame(app, f => f.includes('SCALE voiceassist-server 3 → 21'));
		await sleep(guardMs + 20);
		app.stdin.write('y');
		const frame = await waitForFrame(app, f => footer(f).startsWith('scale 3 → 21 failed'));
		expect(footer(frame)).toContain('scale 3 → 21 failed: scale count must be a whole number 0..20, got 21');
		expect(running()).toBe(3);
		expect(audit().map(record => record.result)).toEqual(['began', 'failed']);
		expect(audit()[1]!.error).toContain('scale count must be a whole number 0..20, got 21');
	});
});

describe('help and footer list exactly what works', () => {
	it('with actions: the footer offers +/-/s and d, the help explains them with the limits', async () => {
		const app = mount();
		const frame = await waitForFrame(app, ready);
		// At 80 columns scale and drain come before ? help, so they are never the keys cut.
		expect(footer(frame)).toMatch(/ {2}c 1\/4 {2}\+\/-\/s scale {2}d drain {2}\? help {2}q quit/);
		app.stdin.write('?');
		const help = await waitForFrame(app, f => f.includes('Keys'));
		expect(help).toMatch(/^ {2}\+ {2}- +scale up or down by one, within --min 2 \/ --max 10 \(asks first\)$/m);
		expect(help).toMatch(/^ {2}s +scale to an exact count: type it, then Enter/m);
		expect(help).toMatch(/^ {2}d +drain the selected instance, then remove it \(asks first\)$/m);
		expect(help).toMatch(/^ {2}y +confirms; any other key cancels/m);
		expect(help).toMatch(/^ {2}Esc +aborts a drain in progress/m);
		expect(fitProblems(help, 80, 24)).toEqual([]);
		// The action keys do nothing while the help covers the screen.
		app.stdin.write('+');
		await sleep(100);
		expect(app.lastFrame()).not.toContain('SCALE');
	});

	it('120x40: the confirmation and the table fit', async () => {
		const app = mount({columns: 120, rows: 40});
		await waitForFrame(app, ready);
		app.stdin.write('d');
		const frame = await waitForFrame(app, f => f.includes('DRAIN voiceassist-voiceassist-server-1'));
		expect(fitProblems(frame, 120, 40)).toEqual([]);
		expect(frame).toContain('4. Esc before the stop puts it back into the load balancer');
	});

	it('60x16, the smallest pane: a long confirmation keeps its title, counts and keys, and says what was cut', async () => {
		const app = mount({columns: 60, rows: 16});
		await waitForFrame(app, f => f.includes('server-3'));
		app.stdin.write('d');
		const frame = await waitForFrame(app, f => f.includes('DRAIN '));
		expect(fitProblems(frame, 60, 16)).toEqual([]);
		expect(frame).toContain('running now 3 · after 2');
		expect(frame).toContain('… (more than fits this pane)');
		expect(frame).toContain('y confirm · any other key cancels');
	});

	it('Ctrl-C quits even during a drain, and the drain is aborted on the way out', async () => {
		const app = mount();
		await waitForFrame(app, ready);
		app.stdin.write('d');
		await waitForFrame(app, f => f.includes('DRAIN voiceassist-voiceassist-server-1'));
		await sleep(guardMs + 20);
		app.stdin.write('y');
		await waitForFrame(app, f => /⇣\d+ 30s/.test(f));
		app.stdin.write(keys.ctrlC);
		expect(app.quits).toEqual([130]);
		app.unmount();
		// The unmount aborted it: the runner puts the instance back and records that.
		const deadline = Date.now() + 3000;
		while (app.runner.inProgress() !== null && Date.now() < deadline) await sleep(10);
		expect(app.runner.inProgress()).toBeNull();
		expect(audit().map(record => record.result)).toEqual(['began', 'aborted']);
		expect(running()).toBe(3);
	});
});
