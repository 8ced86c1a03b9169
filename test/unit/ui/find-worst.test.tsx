// Issue 12, "find the worst at once": 43 replicas and one burning CPU at row 27, as an on-call operator meets them.
// Before, there was no sort, no filter and no page key: the hot row was out of sight at every size and took 26
// presses of j. The whole screen with its clock and keys, fed by an in-memory stack.
import React from 'react';
import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import type {InstanceSample} from '../../../source/core/types.js';
import {createMonitor} from '../../../source/core/monitor.js';
import {defaultThresholds} from '../../../source/core/thresholds.js';
import {App} from '../../../source/ui/app.js';
import {fitProblems, frameLines, instance, MemoryStack, renderAt, settings, snapshot, waitForFrame, sources} from '../../support/ui-fixtures.js';

afterEach(() => {
	cleanup();
});

const keys = {escape: '\u001B', enter: '\r', backspace: '\u007F', pageDown: '\u001B[6~', pageUp: '\u001B[5~', down: '\u001B[B'};
const sleep = async (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** acme_api_1 … acme_api_43; number 27 burns 95 % CPU, the rest idle at 10-30 %. */
function replicas(count = 43, hot = 27, hotCpu = 95): InstanceSample[] {
	return Array.from({length: count}, (_, index) => {
		const number = index + 1;
		return instance(`acme_api_${number}`, number === hot ? hotCpu : 10 + ((number * 7) % 20), 30 + ((number * 3) % 10));
	});
}

function mount(columns = 80, rows = 24, instances = replicas()) {
	const stack = new MemoryStack({...snapshot({instances}), project: 'acme', service: 'api'});
	const monitor = createMonitor({sources, thresholds: defaultThresholds});
	const rendered = renderAt(<App stack={stack} monitor={monitor} settings={settings({intervalMs: 100, project: 'acme', service: 'api'})} onQuit={() => {}} />, columns, rows);
	return {...rendered, stack};
}

/** The table rows' names, top to bottom, and the selected one. */
function rowsOf(frame: string): {names: string[]; selected: string | undefined} {
	const names: string[] = [];
	let selected: string | undefined;
	for (const line of frameLines(frame)) {
		const match = /^(▸| ) (\S*acme_api_\d+) /.exec(line);
		if (!match) continue;
		const name = match[2]!.replace('…', '');
		names.push(name);
		if (match[1] === '▸') selected = name;
	}

	return {names, selected};
}

const footer = (frame: string) => frameLines(frame).at(-1) ?? '';
/** The table's column heading: the line with the CPU and MEM titles. */
const heading = (frame: string) => frameLines(frame).find(line => /CPU[↑↓]?\s+MEM/.test(line)) ?? '';

describe.each([
	[80, 24],
	[120, 40],
	[220, 70],
])('%ix%i with 43 replicas, one hot', (columns, rows) => {
	it('C sorts by CPU: the hot one is the first row, the heading marks CPU↓; C again reverses', async () => {
		const app = mount(columns, rows);
		let frame = await waitForFrame(app, f => rowsOf(f).names.includes('acme_api_1'));
		app.stdin.write('C');
		frame = await waitForFrame(app, f => rowsOf(f).names[0] === 'acme_api_27');
		expect(heading(frame)).toMatch(/CPU↓/);
		expect(fitProblems(frame, columns, rows)).toEqual([]);
		app.stdin.write('C');
		frame = await waitForFrame(app, f => heading(f).includes('CPU↑'));
		expect(rowsOf(frame).names).not.toContain('acme_api_27');
		app.stdin.write('N');
		frame = await waitForFrame(app, f => rowsOf(f).names[0] === 'acme_api_1');
		// Sorted by name again: where the hot one is out of view, the heading says so.
		if (!rowsOf(frame).names.includes('acme_api_27')) expect(heading(frame)).toMatch(/1 more over threshold ↓/);
		else expect(heading(frame)).not.toContain('over threshold');
	});

	it('! selects the worst instance, and it is on screen', async () => {
		const app = mount(columns, rows);
		await waitForFrame(app, f => rowsOf(f).selected === 'acme_api_1');
		app.stdin.write('!');
		const frame = await waitForFrame(app, f => rowsOf(f).selected === 'acme_api_27');
		expect(frame).toMatch(/▸ \S*acme_api_27 .* 95% ▲/);
		expect(fitProblems(frame, columns, rows)).toEqual([]);
	});
});

describe('paging', () => {
	it('PgDn and PgUp move the selection a table page at a time; G and g go to the last and the first', async () => {
		const app = mount(80, 24);
		let frame = await waitForFrame(app, f => rowsOf(f).selected === 'acme_api_1');
		const page = rowsOf(frame).names.length;
		expect(page).toBeGreaterThan(2);
		app.stdin.write(keys.pageDown);
		frame = await waitForFrame(app, f => rowsOf(f).selected !== 'acme_api_1');
		const afterDown = Number(rowsOf(frame).selected!.split('_').at(-1));
		// A page keeps one row of the old view in sight: page - 1 rows further.
		expect(afterDown).toBe(page);
		app.stdin.write(keys.pageDown);
		frame = await waitForFrame(app, f => rowsOf(f).selected !== `acme_api_${afterDown}`);
		expect(rowsOf(frame).selected).toBe(`acme_api_${afterDown + page - 1}`);
		app.stdin.write(keys.pageUp);
		await waitForFrame(app, f => rowsOf(f).selected === `acme_api_${afterDown}`);
		app.stdin.write('G');
		frame = await waitForFrame(app, f => rowsOf(f).selected === 'acme_api_43');
		expect(heading(frame)).toContain(`/43`);
		app.stdin.write('g');
		await waitForFrame(app, f => rowsOf(f).selected === 'acme_api_1');
	});
});

describe('the selection follows the instance, not the row', () => {
	it('acme_api_12 stays selected when C re-sorts, and when the figures change the order again', async () => {
		const app = mount(80, 24);
		await waitForFrame(app, f => rowsOf(f).selected === 'acme_api_1');
		for (let step = 0; step < 11; step++) app.stdin.write('j');
		await waitForFrame(app, f => rowsOf(f).selected === 'acme_api_12');
		app.stdin.write('C');
		let frame = await waitForFrame(app, f => heading(f).includes('CPU↓') && rowsOf(f).selected !== undefined);
		expect(rowsOf(frame).selected).toBe('acme_api_12');
		// Its CPU climbs to the top: the order changes under it, the selection goes with it.
		app.stack.current = {...snapshot({instances: replicas().map(row => (row.name === 'acme_api_12' ? {...row, cpuPercent: 99} : row))}), project: 'acme', service: 'api'};
		frame = await waitForFrame(app, f => rowsOf(f).names[0] === 'acme_api_12');
		expect(rowsOf(frame).selected).toBe('acme_api_12');
		// j from the top row moves to the next in the new order (the hot acme_api_27).
		app.stdin.write('j');
		await waitForFrame(app, f => rowsOf(f).selected === 'acme_api_27');
	});
});

describe('/ filter', () => {
	it('a substring shows the matching rows and the count; typed letters are text (j, k, q do not act); Enter keeps it, Esc clears', async () => {
		const app = mount(80, 24);
		await waitForFrame(app, f => rowsOf(f).selected === 'acme_api_1');
		app.stdin.write('/');
		await waitForFrame(app, f => footer(f).startsWith('/▏'));
		app.stdin.write('api_2');
		let frame = await waitForFrame(app, f => footer(f).startsWith('/api_2▏'));
		// api_2 and api_20 … api_29: 11 of 43.
		expect(footer(frame)).toContain('11 of 43 match');
		expect(rowsOf(frame).names.every(name => name.startsWith('acme_api_2'))).toBe(true);
		app.stdin.write(keys.enter);
		frame = await waitForFrame(app, f => !footer(f).startsWith('/'));
		expect(heading(frame)).toContain('/api_2 (11 of 43)');
		app.stdin.write(keys.escape);
		frame = await waitForFrame(app, f => !heading(f).includes('/api_2') && rowsOf(f).names.length > 0);
		expect(rowsOf(frame).names[0]).toBe('acme_api_1');
	});

	it('a glob with * and ?; no match says so; the typed q is part of the pattern, not quit', async () => {
		const quits: number[] = [];
		const stack = new MemoryStack({...snapshot({instances: replicas()}), project: 'acme', service: 'api'});
		const app = renderAt(
			<App stack={stack} monitor={createMonitor({sources, thresholds: defaultThresholds})} settings={settings({intervalMs: 100, project: 'acme', service: 'api'})} onQuit={code => quits.push(code)} />,
			120,
			40,
		);
		await waitForFrame(app, f => rowsOf(f).selected === 'acme_api_1');
		app.stdin.write('/*_4?');
		let frame = await waitForFrame(app, f => footer(f).startsWith('/*_4?▏'));
		expect(rowsOf(frame).names).toEqual(['acme_api_40', 'acme_api_41', 'acme_api_42', 'acme_api_43']);
		app.stdin.write('q');
		frame = await waitForFrame(app, f => footer(f).startsWith('/*_4?q▏'));
		expect(quits).toEqual([]);
		expect(frame).toContain('no instance matches /*_4?q (Esc clears the filter)');
		for (let i = 0; i < 6; i++) app.stdin.write(keys.backspace);
		await waitForFrame(app, f => footer(f).startsWith('/▏') && rowsOf(f).names.includes('acme_api_1'));
		app.stdin.write(keys.escape);
		await waitForFrame(app, f => !footer(f).startsWith('/'));
	});

	it('! clears a filter that hides the worst instance, so it is on screen', async () => {
		const app = mount(80, 24);
		await waitForFrame(app, f => rowsOf(f).selected === 'acme_api_1');
		app.stdin.write('/api_3');
		app.stdin.write(keys.enter);
		await waitForFrame(app, f => heading(f).includes('/api_3'));
		app.stdin.write('!');
		const frame = await waitForFrame(app, f => rowsOf(f).selected === 'acme_api_27');
		expect(heading(frame)).not.toContain('/api_3');
	});
});

describe('concerned instances out of view', () => {
	it('the heading says how many instances with a mark are below (↓) or above (↑) the rows shown', async () => {
		// Two hot ones far down the list (27 and 40), the selection at the top.
		const instances = replicas().map(row => (row.name === 'acme_api_40' ? {...row, cpuPercent: 91} : row));
		const app = mount(80, 24, instances);
		let frame = await waitForFrame(app, f => heading(f).includes('over threshold'));
		expect(heading(frame)).toContain('2 more over threshold ↓');
		expect(fitProblems(frame, 80, 24)).toEqual([]);
		app.stdin.write('G');
		frame = await waitForFrame(app, f => rowsOf(f).selected === 'acme_api_43');
		// acme_api_40 is in view now; acme_api_27 is above.
		expect(heading(frame)).toContain('1 more over threshold ↑');
		// Sorted by CPU both are at the top, above the selected acme_api_43, which the view keeps in sight.
		app.stdin.write('C');
		frame = await waitForFrame(app, f => heading(f).includes('CPU↓'));
		expect(rowsOf(frame).selected).toBe('acme_api_43');
		expect(heading(frame)).toContain('2 more over threshold ↑');
		app.stdin.write('g');
		frame = await waitForFrame(app, f => rowsOf(f).names[0] === 'acme_api_27');
		expect(rowsOf(frame).names[1]).toBe('acme_api_40');
		expect(heading(frame)).not.toContain('over threshold');
	});
});

describe('t: the whole body for the table', () => {
	it('shows as many rows as the pane has, and t again brings the charts and the log back', async () => {
		const app = mount(120, 40);
		let frame = await waitForFrame(app, f => rowsOf(f).selected === 'acme_api_1');
		const normal = rowsOf(frame).names.length;
		app.stdin.write('t');
		frame = await waitForFrame(app, f => !f.includes('EVENTS'));
		// 40 rows: 39 for the frame, 3 header lines, the footer, the column heading: 34 instances.
		expect(rowsOf(frame).names).toHaveLength(34);
		expect(rowsOf(frame).names.length).toBeGreaterThan(normal);
		expect(fitProblems(frame, 120, 40)).toEqual([]);
		app.stdin.write('t');
		frame = await waitForFrame(app, f => f.includes('EVENTS'));
		expect(rowsOf(frame).names).toHaveLength(normal);
		await sleep(10);
	});
});

describe('every view fits the pane', () => {
	it.each([
		[60, 16],
		[67, 21],
		[80, 24],
		[100, 30],
		[120, 40],
		[161, 50],
		[220, 70],
	])('%ix%i: the table alone, the log, the filter being typed, the help: no line wider, the frame at most rows - 1', async (columns, rows) => {
		const app = mount(columns, rows);
		let frame = await waitForFrame(app, f => rowsOf(f).selected === 'acme_api_1');
		expect(fitProblems(frame, columns, rows)).toEqual([]);
		for (const [open, shown, close] of [
			['t', (f: string) => !f.includes('EVENTS'), 't'],
			['e', (f: string) => /EVENTS \d+-\d+ of \d+/.test(f), 'e'],
			['/', (f: string) => footer(f).startsWith('/▏'), keys.escape],
			['?', (f: string) => f.includes('Keys'), '?'],
		] as const) {
			app.stdin.write(open);
			frame = await waitForFrame(app, shown);
			expect(fitProblems(frame, columns, rows), `${open} at ${columns}x${rows}`).toEqual([]);
			expect(frameLines(frame)).toHaveLength(rows - 1);
			app.stdin.write(close);
			await waitForFrame(app, f => !shown(f));
		}
	});
});
