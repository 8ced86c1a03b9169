// The whole screen with its clock and keys, fed by an in-memory stack, at 80x24 and 120x40.
import React from 'react';
import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {createMonitor} from '../../../source/core/monitor.js';
import {defaultThresholds} from '../../../source/core/thresholds.js';
import {App} from '../../../source/ui/app.js';
import type {ScreenSettings} from '../../../source/ui/contexts/monitor-state-context.js';
import {fitProblems, frameLines, instance, MemoryStack, renderAt, settings, snapshot, t0, waitForFrame, sources} from '../../support/ui-fixtures.js';

afterEach(() => {
	cleanup();
});

const keys = {down: '\u001B[B', up: '\u001B[A', escape: '\u001B', ctrlC: '\u0003'};

function mount(options: {columns?: number; rows?: number; stack?: MemoryStack; settings?: Partial<ScreenSettings>} = {}) {
	const stack = options.stack ?? new MemoryStack(snapshot());
	const monitor = createMonitor({sources, thresholds: defaultThresholds});
	const quits: number[] = [];
	let bells = 0;
	const rendered = renderAt(
		<App
			stack={stack}
			monitor={monitor}
			settings={settings({intervalMs: 100, ...options.settings})}
			onQuit={code => quits.push(code)}
			onBell={() => bells++}
		/>,
		options.columns ?? 80,
		options.rows ?? 24,
	);
	return {...rendered, stack, monitor, quits, bells: () => bells};
}

/** Waits until the stack has been read `count` more times: that many ticks of the shared clock happened. */
async function ticks(stack: MemoryStack, count: number): Promise<void> {
	const target = stack.reads + count;
	const deadline = Date.now() + 3000;
	while (stack.reads < target) {
		if (Date.now() > deadline) throw new Error('the clock did not tick');
		await new Promise(resolve => setTimeout(resolve, 5));
	}
}

describe('App at the two reference sizes', () => {
	it.each([
		[80, 24],
		[120, 40],
	])('%ix%i: header, recommendation, table, four charts, log and keys all on screen, within the pane', async (columns, rows) => {
		const app = mount({columns, rows});
		const frame = await waitForFrame(app, f => f.includes('web-1') && f.includes('OK: Current'));
		const lines = frameLines(frame);
		expect(fitProblems(frame, columns, rows)).toEqual([]);
		expect(lines).toHaveLength(rows - 1);
		expect(lines[0]).toContain('3/10 instances');
		expect(lines[1]).toContain('✓ OK: Current capacity is adequate');
		expect(frame).toMatch(/▸ web-1 /);
		for (const title of ['CPU 40%', 'MEM 50%', 'DB conn 20/100 20%', 'REDIS mem']) expect(frame).toContain(title);
		expect(frame).toContain('EVENTS');
		// The keys that find the worst come first; at 80 columns the arrows give way (? lists every key), the line is cut at a word.
		expect(lines.at(-1)).toMatch(/^(↑↓\/jk select {2})?! worst {2}\/ filter {2}C\/M\/N sort {2}\? help {2}q quit/);
	});

	it('120x40 gives the charts more room than 80x24', async () => {
		const plotRows = (frame: string) => frameLines(frame).filter(line => /^[ \d]{3}[┤┼]/.test(line)).length;
		const small = await waitForFrame(mount({columns: 80, rows: 24}), f => f.includes('REDIS'));
		cleanup();
		const large = await waitForFrame(mount({columns: 120, rows: 40}), f => f.includes('REDIS'));
		expect(plotRows(large)).toBeGreaterThan(plotRows(small));
		const longest = (frame: string) => Math.max(...frameLines(frame).map(line => line.length));
		expect(longest(large)).toBeGreaterThan(longest(small));
	});

	it('breaches, an unreachable database and a stale Redis all show, in words and symbols', async () => {
		const data = snapshot({
			at: t0 + 20_000,
			instances: [instance('web-1', 95, 90, {sampledAt: t0 + 20_000}), instance('web-2', 40, 50, {sampledAt: t0 + 20_000})],
			postgres: {status: {kind: 'unreachable', reason: 'connection refused at 127.0.0.1:5432', since: t0}, sample: null},
		});
		const stale = {...data, sources: {...data.sources, redis: {...data.sources.redis!, status: {kind: 'ok' as const, at: t0 + 8_000}, sample: {...data.sources.redis!.sample!, at: t0 + 8_000}}}};
		const app = mount({stack: new MemoryStack(stale), columns: 120, rows: 40});
		const frame = await waitForFrame(app, f => f.includes('IMMEDIATE'));
		const lines = frameLines(frame);
		// The worst concern, then a count of the rest (issue 12): `a` lists them all; line 3 names the sources' problems.
		expect(lines[1]).toMatch(/^▲▲ IMMEDIATE: Check load balancing, or drain the instance · web-1 mem 90% ▲▲ · \+2 more \(a\)$/);
		expect(lines[2]).toContain('? postgres: unreachable (connection refused at 127.0.0.1:5432)');
		expect(lines[2]).toContain('? redis: stale 12s');
		// From 120 columns the health has its own column.
		expect(frame).toMatch(/▸ web-1\s+running\s+healthy\s+95% ▲\s+90% ▲▲/);
		expect(frame).toContain('CPU 95% ▲ 0s → IMMEDIATE at 10m');
		expect(frame).toContain('DB conn no data ? unreachable');
		expect(frame).toMatch(/\d\d:\d\d:\d\d ▲▲ IMMEDIATE breach began: web-1 memory 90%/);
		expect(fitProblems(frame, 120, 40)).toEqual([]);
	});

	it('docker unreachable: the table says so instead of showing nothing', async () => {
		const data = snapshot({docker: {kind: 'unreachable', reason: 'permission denied at /var/run/docker.sock', since: t0}, instances: []});
		const frame = await waitForFrame(mount({stack: new MemoryStack(data)}), f => f.includes('docker: unreachable'));
		expect(frame).toContain('  docker: unreachable (permission denied at /var/run/docker.sock)');
		expect(frameLines(frame).at(-1)).toBe('? help  q quit  t table  e events  1-4 window 5m  p pause');
	});

	it('re-lays out at once on resize, and below the minimum says how big the pane must be', async () => {
		const app = mount({columns: 80, rows: 24});
		await waitForFrame(app, f => frameLines(f).length === 23 && f.includes('web-1'));
		app.resize(120, 40);
		let frame = await waitForFrame(app, f => frameLines(f).length === 39);
		expect(fitProblems(frame, 120, 40)).toEqual([]);
		app.resize(50, 10);
		frame = await waitForFrame(app, f => f.startsWith('va-top needs'));
		expect(frame).toBe('va-top needs at least 60x16, this pane is 50x10');
		app.resize(60, 16);
		frame = await waitForFrame(app, f => f.includes('web-1'));
		expect(fitProblems(frame, 60, 16)).toEqual([]);
		expect(frameLines(frame)).toHaveLength(15);
	});
});

describe('keys', () => {
	it('j / k and the arrows move the selection, and the charts follow it', async () => {
		const app = mount();
		await waitForFrame(app, f => /▸ web-1 /.test(f));
		app.stdin.write('j');
		let frame = await waitForFrame(app, f => /▸ web-2 /.test(f));
		expect(frame).toContain('· web-2');
		app.stdin.write(keys.down);
		await waitForFrame(app, f => /▸ web-3 /.test(f));
		app.stdin.write(keys.down);
		app.stdin.write('k');
		await waitForFrame(app, f => /▸ web-2 /.test(f));
		app.stdin.write(keys.up);
		frame = await waitForFrame(app, f => /▸ web-1 /.test(f));
		expect(frame).toContain('· web-1');
	});

	it('1 2 3 4 choose the chart window', async () => {
		const app = mount();
		await waitForFrame(app, f => f.includes('CPU 40% (5m)'));
		for (const [key, window] of [['1', '1m'], ['3', '15m'], ['4', '1h'], ['2', '5m']] as const) {
			app.stdin.write(key);
			const frame = await waitForFrame(app, f => f.includes(`CPU 40% (${window})`));
			expect(frame).toContain(`MEM 50% 1.0G/2.0G (${window})`);
		}
	});

	it('p pauses the display while readings go on, and p again shows the newest', async () => {
		const app = mount();
		await waitForFrame(app, f => f.includes('CPU 40%'));
		app.stdin.write('p');
		await waitForFrame(app, f => f.includes('[PAUSED]'));
		app.stack.current = snapshot({at: t0 + 5000, instances: [instance('web-1', 77, 50, {sampledAt: t0 + 5000})]});
		await ticks(app.stack, 3);
		expect(app.lastFrame()).toContain('CPU 40%');
		expect(app.monitor.current()?.snapshot.at).toBe(t0 + 5000);
		app.stdin.write('p');
		const frame = await waitForFrame(app, f => f.includes('CPU 77%'));
		expect(frame).not.toContain('[PAUSED]');
	});

	it('? opens the help overlay and ? or Esc closes it', async () => {
		const app = mount();
		await waitForFrame(app, f => f.includes('EVENTS'));
		app.stdin.write('?');
		let frame = await waitForFrame(app, f => f.includes('Keys'));
		expect(frame).not.toContain('EVENTS');
		expect(frameLines(frame).at(-1)).toBe('? close help  q quit');
		app.stdin.write('?');
		await waitForFrame(app, f => f.includes('EVENTS'));
		app.stdin.write('?');
		await waitForFrame(app, f => f.includes('Keys'));
		app.stdin.write(keys.escape);
		frame = await waitForFrame(app, f => f.includes('EVENTS'));
		expect(frame).not.toContain('Keys');
	});

	it('q quits with 0 and Ctrl-C with 130', async () => {
		const app = mount();
		await waitForFrame(app, f => f.includes('EVENTS'));
		app.stdin.write('q');
		app.stdin.write(keys.ctrlC);
		expect(app.quits).toEqual([0, 130]);
	});
});

describe('the shared clock', () => {
	it('one stack read per tick, whatever else happens', async () => {
		const app = mount();
		await ticks(app.stack, 3);
		// Keys and renders do not read the stack: only the one interval does.
		const before = app.stack.reads;
		for (let i = 0; i < 20; i++) app.stdin.write(i % 2 === 0 ? 'j' : 'k');
		expect(app.stack.reads).toBe(before);
	});

	it('rings the bell once on entering IMMEDIATE, not on every frame, and again after leaving and re-entering', async () => {
		const app = mount();
		await ticks(app.stack, 1);
		expect(app.bells()).toBe(0);
		// The log keeps old IMMEDIATE lines: the recommendation line is what says the level now.
		const level = (frame: string) => frameLines(frame)[1]!.split(':')[0];
		app.stack.current = snapshot({db: 95});
		await waitForFrame(app, f => level(f) === '▲▲ IMMEDIATE');
		await ticks(app.stack, 3);
		expect(app.bells()).toBe(1);
		app.stack.current = snapshot({db: 20});
		await waitForFrame(app, f => level(f) === '✓ OK');
		app.stack.current = snapshot({db: 95});
		await waitForFrame(app, f => level(f) === '▲▲ IMMEDIATE');
		expect(app.bells()).toBe(2);
	});
});

describe('telling the stack which instances are in view', () => {
	/** The real stack streams the instances in view first past 20 (docker collector); this one records what it is told. */
	class FocusStack extends MemoryStack {
		told: string[][] = [];
		focus(ids: readonly string[] | null): void {
			if (ids) this.told.push([...ids]);
		}
	}

	it('says which rows are on screen, and again when the selection scrolls the table', async () => {
		// Given 40 instances at 120x40, more than the table shows
		const many = Array.from({length: 40}, (_, index) => instance(`web-${index + 1}`, 30, 40));
		const stack = new FocusStack(snapshot({instances: many}));
		const app = mount({columns: 120, rows: 40, stack});
		const frame = await waitForFrame(app, f => f.includes('web-1 '));
		// Then the stack was told exactly the rows the table shows
		const shown = frameLines(frame).flatMap(line => /\b(web-\d+)\s+running/.exec(line)?.[1] ?? []);
		expect(shown.length).toBeGreaterThan(3);
		expect(shown.length).toBeLessThan(40);
		expect(stack.told.at(-1)).toEqual(shown.map(name => `id-${name}`));

		// When the selection moves past the last row shown
		for (let step = 0; step < shown.length; step++) app.stdin.write(keys.down);
		const scrolled = await waitForFrame(app, f => !/\bweb-1\s+running/.test(f));
		// Then the stack is told the new rows, the selected one among them
		const now = frameLines(scrolled).flatMap(line => /\b(web-\d+)\s+running/.exec(line)?.[1] ?? []);
		await ticks(stack, 1);
		expect(stack.told.at(-1)).toEqual(now.map(name => `id-${name}`));
		expect(now).toContain(`web-${shown.length + 1}`);
	});
});
