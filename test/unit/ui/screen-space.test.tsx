// Issue 12, "screen": charts with round labels and values on their right row, an axis past 100 % for a container on
// more than one core, no block of blank rows on a tall pane, the table's headings over their columns at every width,
// useful columns from 120 on, one unit style, and an event log that scrolls and wraps.
import React from 'react';
import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import type {EventEntry} from '../../../source/core/event-log.js';
import {createMonitor} from '../../../source/core/monitor.js';
import {defaultThresholds} from '../../../source/core/thresholds.js';
import {App} from '../../../source/ui/app.js';
import {eventLogLines} from '../../../source/ui/components/event-log/index.js';
import {tableLines} from '../../../source/ui/components/instances-table/index.js';
import {chartScale, chartText, fitChart, limitChar, thresholdChar} from '../../../source/ui/layout/chart-fit.js';
import {formatBytes} from '../../../source/ui/layout/format.js';
import {computeLayout, maxTrend, tableColumns} from '../../../source/ui/layout/screen-layout.js';
import {plainText} from '../../../source/ui/layout/styled-text.js';
import {fitProblems, frameLines, instance, MemoryStack, renderAt, settings, snapshot, t0, waitForFrame, sources} from '../../support/ui-fixtures.js';

afterEach(() => {
	cleanup();
});

/** The plot row (0: top) holding data, and each row's label. */
function rowsOf(lines: string[]): {data: number[]; labels: string[]} {
	const data: number[] = [];
	lines.forEach((line, row) => {
		if (/[─╭╮╰╯│╶┼]/.test(line.slice(4)) || line[3] === '┼') data.push(row);
	});
	return {data, labels: lines.map(line => line.slice(0, 3).trim())};
}

describe('charts: round labels, values on the right row', () => {
	it('a 5-row chart draws 73 on the 75 row (it was drawn on the 50 row), and labels 100 75 50 25 0', () => {
		const lines = chartText(fitChart({values: [73, 73, 73], threshold: 85, width: 30, height: 5}));
		const {data, labels} = rowsOf(lines);
		expect(labels).toEqual(['100', '75', '50', '25', '0']);
		expect(data).toEqual([1]);
	});

	it('every label is a round value on its own row at every chart height (not 100 91 80 73 64)', () => {
		for (let height = 3; height <= 40; height++) {
			const lines = chartText(fitChart({values: [10, 50, 90], threshold: 80, width: 30, height}));
			const scale = chartScale(height);
			lines.forEach((line, row) => {
				const label = line.slice(0, 3).trim();
				if (label === '') return;
				const value = Number(label);
				// Round: a multiple of 5, and exactly the value of its row.
				expect(value % 5, `height ${height} row ${row}: ${label}`).toBe(0);
				expect(Math.abs(value - ((scale.intervals - row) * scale.top) / scale.intervals), `height ${height} row ${row}`).toBeLessThan(1e-6);
			});
			// At least the top and the bottom of the scale are labelled.
			expect(lines.at(-1)!.slice(0, 3).trim()).toBe('0');
			expect(lines.filter(line => line.slice(0, 3).trim() !== '').length).toBeGreaterThanOrEqual(2);
		}
	});

	it('any value lands on the row nearest to it', () => {
		for (const height of [5, 6, 9, 12, 21]) {
			const scale = chartScale(height);
			for (let value = 0; value <= 100; value += 1) {
				const {data} = rowsOf(chartText(fitChart({values: [value, value], width: 20, height})));
				const rowValue = ((scale.intervals - data[0]!) * scale.top) / scale.intervals;
				expect(Math.abs(rowValue - value), `${value} at height ${height}`).toBeLessThanOrEqual(scale.top / scale.intervals / 2 + 1e-9);
			}
		}
	});

	it('a container at 183 % CPU: the axis grows to 200 with 100 marked, instead of clipping at 100 with no mark', () => {
		const lines = chartText(fitChart({values: [40, 120, 183], threshold: 80, width: 30, height: 9}));
		const {labels, data} = rowsOf(lines);
		expect(labels[0]).toBe('200');
		expect(labels).toContain('100');
		// The 100 row carries the limit mark where nothing else is drawn.
		const hundred = labels.indexOf('100');
		expect(lines[hundred]).toContain(limitChar.repeat(5));
		// 183 on the row of 175 (200/8 = 25 a row), the top row stays above it.
		expect(data).toContain(1);
		expect(lines.some(line => line.includes(thresholdChar))).toBe(true);
	});
});

describe('layout: no block of blank rows at heights past the old cap', () => {
	it('220x70 with 3 instances and 2 events: taller charts, at most a line or two left blank', async () => {
		const stack = new MemoryStack(snapshot());
		const monitor = createMonitor({sources, thresholds: defaultThresholds});
		monitor.log({at: t0, level: 'INFO', key: 'x', text: 'first event'});
		const app = renderAt(<App stack={stack} monitor={monitor} settings={settings({intervalMs: 100})} onQuit={() => {}} />, 220, 70);
		const frame = await waitForFrame(app, f => f.includes('first event'));
		expect(fitProblems(frame, 220, 70)).toEqual([]);
		const lines = frameLines(frame);
		expect(lines).toHaveLength(69);
		let run = 0;
		let longest = 0;
		for (const line of lines) {
			run = line.trim() === '' ? run + 1 : 0;
			longest = Math.max(longest, run);
		}

		// Before: 24 blank rows under the events.
		expect(longest).toBeLessThanOrEqual(2);
		const plotRows = lines.filter(line => /^ {0,2}\d{0,3}┤/.test(line) || /^ {3}┤/.test(line)).length;
		expect(plotRows).toBeGreaterThan(2 * 13);
	});

	it('every size from 60x16 to 260x90 fills exactly rows - 1 lines, for any number of events', () => {
		for (let columns = 60; columns <= 260; columns += 20) {
			for (let rows = 16; rows <= 90; rows += 4) {
				for (const events of [0, 1, 5, 100]) {
					for (const count of [1, 3, 43]) {
						const layout = computeLayout(columns, rows, count, {events});
						if (layout.kind !== 'screen') throw new Error('layout');
						expect(layout.header + layout.table + layout.charts.height * layout.charts.rows + layout.events + layout.footer, `${columns}x${rows}`).toBe(rows - 1);
						// Few events: the log is not taller than what it has to show, but for up to three lines (two charts of
						// one more line each would lose their round labels: 0 20 40 … needs 6 or 11 plot lines, not 7 or 8).
						expect(layout.events, `${columns}x${rows} ${events} events ${count} rows`).toBeLessThanOrEqual(Math.max(layout.wide ? 4 : 2, events + 1) + 3);
					}
				}
			}
		}
	});
});

describe('the table: headings over their columns, useful columns from 120 on', () => {
	const instances = [
		instance('acme_api_1', 42, 51, {restartCount: 2, memUsageBytes: 1010 * 1024 ** 2, memLimitBytes: 2 * 1024 ** 3}),
		instance('acme_api_27', 95, 40, {health: 'unhealthy', memUsageBytes: 1012 * 1024, memLimitBytes: 64 * 1024 ** 2}),
	];
	const trends = new Map([
		['id-acme_api_1', Array.from({length: 200}, () => 40)],
		['id-acme_api_27', Array.from({length: 200}, () => 90)],
	]);

	it('at every width from 60 to 260 each title stands over its column (CPU TREND was at 111, its bars at 71)', () => {
		for (let width = 60; width <= 260; width++) {
			const lines = tableLines({instances, assessment: undefined, selectedId: null, trends, width, height: 3, color: false, now: t0}).map(line => plainText(line));
			const [heading, row] = [lines[0]!, lines[1]!];
			expect(heading.length, `width ${width}`).toBeLessThanOrEqual(width);
			// The figures are right-aligned under a right-aligned title: the title ends where the value ends.
			const cpuEnd = heading.indexOf('CPU') + 3;
			expect(row.slice(0, cpuEnd).trimEnd().endsWith('42%'), `width ${width}: ${heading}\n${row}`).toBe(true);
			const memEnd = heading.indexOf('MEM') + 3;
			expect(row.slice(0, memEnd).trimEnd().endsWith('51%'), `width ${width}`).toBe(true);
			if (heading.includes('TREND')) {
				const at = heading.indexOf(heading.includes('CPU TREND') ? 'CPU TREND' : 'TREND');
				// The sparkline fills its column from the title's first cell.
				expect(row[at], `width ${width}: trend at ${at}\n${heading}\n${row}`).toBe('▄');
				expect(row[at - 1]).toBe(' ');
			}

			if (heading.includes('USED/LIMIT')) expect(row.indexOf('1.0G/2.0G'), `width ${width}`).toBe(heading.indexOf('USED/LIMIT'));
			expect(row.indexOf('running'), `width ${width}`).toBe(heading.indexOf('STATE'));
			// RESTARTS is right-aligned over its count.
			if (heading.includes('RESTARTS')) expect(row.indexOf(' 2 ') + 1, `width ${width}`).toBe(heading.indexOf('RESTARTS') + 'RESTARTS'.length - 1);
		}
	});

	it('from 120 columns: HEALTH, RESTARTS and UPTIME columns, the trend at most 30 cells', () => {
		for (const width of [120, 160, 220, 260]) {
			const lines = tableLines({instances, assessment: undefined, selectedId: null, trends, width, height: 3, color: false, now: t0}).map(line => plainText(line));
			expect(lines[0]).toMatch(/STATE +HEALTH +CPU +MEM +USED\/LIMIT +RESTARTS +UPTIME +CPU TREND/);
			expect(lines[1]).toMatch(/acme_api_1 +running +healthy +42% +51% +1\.0G\/2\.0G +2 +1h00m +▄+$/);
			expect(lines[2]).toMatch(/acme_api_27 +running +unhealthy ▲ +95% +40% +1\.0M\/64M +0 +1h00m/);
			expect(tableColumns(width, 11).trend).toBeLessThanOrEqual(maxTrend);
			expect((/▄+$/.exec(lines[1]!) ?? [''])[0].length).toBeLessThanOrEqual(maxTrend);
		}
	});
});

describe('one unit style', () => {
	it('binary with one decimal: 1.0G, 987M, 12K; 1010M is 1.0G and 1012K is 1.0M, so they never stand side by side', () => {
		const mib = 1024 ** 2;
		expect(formatBytes(1010 * mib)).toBe('1.0G');
		expect(formatBytes(1012 * 1024)).toBe('1.0M');
		expect(formatBytes(987 * mib)).toBe('987M');
		expect(formatBytes(12 * 1024)).toBe('12K');
		expect(formatBytes(2 * 1024 ** 3)).toBe('2.0G');
		expect(formatBytes(64 * mib)).toBe('64M');
		expect(formatBytes(9.96 * 1024 ** 3)).toBe('10G');
		expect(formatBytes(999.7 * mib)).toBe('1.0G');
		expect(formatBytes(512)).toBe('512B');
		for (let exponent = 0; exponent < 50; exponent++) expect(formatBytes(1.7 ** exponent * 1000).length).toBeLessThanOrEqual(4);
	});
});

describe('the event log: a key to focus it, the usual keys to scroll, long lines wrap', () => {
	const events: EventEntry[] = Array.from({length: 30}, (_, index) => ({
		at: t0 + index * 1000,
		level: index % 5 === 0 ? 'SOON' : 'INFO',
		key: `k${index}`,
		text: index === 29 ? `entry ${index}: ${'a long line that does not fit the width of a small pane '.repeat(2)}THE-END` : `entry ${index}`,
	}));

	it('unfocused: the newest that fit, cut; focused: whole entries, wrapped, and scrolled back by entries', () => {
		const plain = eventLogLines({events, width: 60, height: 4, color: false}).map(line => plainText(line));
		expect(plain[0]).toBe('EVENTS (last 3 of 30; e scrolls)');
		expect(plain[3]).toMatch(/…$/);
		const focused = eventLogLines({events, width: 60, height: 6, color: false, focused: true}).map(line => plainText(line));
		// The long entry takes three lines; two short ones above it fill the rest.
		expect(focused[0]).toMatch(/^EVENTS 28-30 of 30 · /);
		expect(focused.slice(1).join(' ')).toContain('THE-END');
		expect(focused.slice(1).every(line => !line.endsWith('…'))).toBe(true);
		const back = eventLogLines({events, width: 60, height: 6, color: false, focused: true, scroll: 20}).map(line => plainText(line));
		expect(back[0]).toMatch(/^EVENTS 6-10 of 30/);
		expect(back.at(-1)).toMatch(/entry 9$/);
	});

	it('in the app: e focuses it, k and PgUp go back, g to the oldest, G to the newest, e closes', async () => {
		const stack = new MemoryStack(snapshot());
		const monitor = createMonitor({sources, thresholds: defaultThresholds});
		for (const event of events) monitor.log(event);
		const app = renderAt(<App stack={stack} monitor={monitor} settings={settings({intervalMs: 100})} onQuit={() => {}} />, 80, 24);
		await waitForFrame(app, f => f.includes('e scrolls'));
		app.stdin.write('e');
		let frame = await waitForFrame(app, f => /EVENTS \d+-30 of 30/.test(f));
		// The log takes the charts' place while it has the keys.
		expect(frame).not.toContain('REDIS mem');
		expect(frame).toContain('THE-END');
		app.stdin.write('k');
		frame = await waitForFrame(app, f => /EVENTS \d+-29 of 30/.test(f));
		app.stdin.write('\u001B[5~');
		frame = await waitForFrame(app, f => /EVENTS \d+-(1\d|2[0-8]) of 30/.test(f));
		app.stdin.write('g');
		frame = await waitForFrame(app, f => /EVENTS 1-1 of 30/.test(f));
		expect(frame).toContain('entry 0');
		app.stdin.write('G');
		await waitForFrame(app, f => /EVENTS \d+-30 of 30/.test(f));
		expect(fitProblems(app.lastFrame()!, 80, 24)).toEqual([]);
		app.stdin.write('e');
		await waitForFrame(app, f => f.includes('REDIS mem'));
	});
});
