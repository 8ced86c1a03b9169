// The screen's own output path (renderLive's): the lines handed to the writer are the frame Ink would draw,
// and Ink itself lays out and paints nothing.
import React from 'react';
import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {createMonitor} from '../../../source/core/monitor.js';
import {defaultThresholds} from '../../../source/core/thresholds.js';
import {App} from '../../../source/ui/app.js';
import type {FrameOutput} from '../../../source/ui/contexts/frame-output-context.js';
import {fitProblems, frameLines, instance, MemoryStack, renderAt, settings, snapshot, stripAnsi, t0, waitForFrame, sources} from '../../support/ui-fixtures.js';

afterEach(() => {
	cleanup();
});

function data() {
	return new MemoryStack(
		snapshot({
			db: 92,
			instances: [instance('web-1', 95, 90, {sampledAt: t0}), instance('web-2', 40, 50), instance('web-3', 42, 48, {state: 'exited', health: 'none', cpuPercent: null, memPercent: null})],
		}),
	);
}

function mount(columns: number, rows: number, output?: FrameOutput) {
	return renderAt(<App stack={data()} monitor={createMonitor({sources, thresholds: defaultThresholds})} settings={settings({intervalMs: 100, color: true})} onQuit={() => {}} output={output} />, columns, rows);
}

async function drawn(frames: Array<readonly string[]>, check: (lines: readonly string[]) => boolean): Promise<readonly string[]> {
	const deadline = Date.now() + 3000;
	for (;;) {
		const last = frames.at(-1);
		if (last && check(last)) return last;
		if (Date.now() > deadline) throw new Error(`no drawn frame matched; last:\n${(last ?? []).join('\n')}`);
		await new Promise(resolve => setTimeout(resolve, 10));
	}
}

describe('frame output', () => {
	it.each([
		[80, 24],
		[120, 40],
	])('%ix%i: the drawn lines are the frame Ink draws, rows - 1 of them, none wider than the pane', async (columns, rows) => {
		const frames: Array<readonly string[]> = [];
		const direct = mount(columns, rows, {sgr: false, draw: lines => frames.push(lines)});
		const lines = await drawn(frames, l => l.join('\n').includes('breach began: web-3'));
		// Ink's own frame stays empty: it laid out nothing.
		expect(direct.lastFrame()).toBe('');
		cleanup();

		const viaInk = await waitForFrame(mount(columns, rows), f => f.includes('breach began: web-3'));
		expect(lines).toHaveLength(rows - 1);
		expect(lines).toEqual(frameLines(viaInk));
		expect(fitProblems(lines.join('\n'), columns, rows)).toEqual([]);
	});

	it('with SGR the drawn lines carry the colours and read the same without them', async () => {
		const plain: Array<readonly string[]> = [];
		mount(120, 40, {sgr: false, draw: lines => plain.push(lines)});
		const withoutCodes = await drawn(plain, l => l.join('\n').includes('IMMEDIATE breach began'));
		cleanup();
		const coloured: Array<readonly string[]> = [];
		mount(120, 40, {sgr: true, draw: lines => coloured.push(lines)});
		const withCodes = await drawn(coloured, l => stripAnsi(l.join('\n')).includes('IMMEDIATE breach began'));
		expect(withCodes.join('\n')).toMatch(/\u001B\[31m/);
		expect(withCodes.join('\n')).toMatch(/\u001B\[1m/);
		// Trailing spaces inside a styled run (the inverse selection) may stay; the text is the same.
		expect(withCodes.map(line => stripAnsi(line).trimEnd())).toEqual(withoutCodes);
	});
});
