// Readability: charts are time-aligned (a window longer than the history leaves its left side empty, the newest point
// is always at the right edge); and the name column takes what names need.
import fc from 'fast-check';
import React from 'react';
import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {Header} from '../../../source/ui/components/header/index.js';
import {InstancesTable} from '../../../source/ui/components/instances-table/index.js';
import {chartGutter, chartText, fitChart, type ChartLine} from '../../../source/ui/layout/chart-fit.js';
import {wrapText} from '../../../source/ui/layout/format.js';
import {columnsWidth, tableColumns} from '../../../source/ui/layout/screen-layout.js';
import {assessment, concern, fitProblems, frameLines, instance, renderAt, snapshot, t0} from '../../support/ui-fixtures.js';

afterEach(() => {
	cleanup();
});

/** Columns (from the left edge of the chart) holding data on each line. */
function dataColumns(lines: readonly ChartLine[]): number[][] {
	return lines.map(line => {
		const columns: number[] = [];
		let x = 0;
		for (const segment of line) {
			for (const char of Array.from(segment.text)) {
				if (segment.kind === 'data' && char !== ' ') columns.push(x);
				x++;
			}
		}

		return columns;
	});
}

describe('charts are time-aligned', () => {
	it('20 s of a 5-minute window: the data sits at the right edge, the left of the window stays empty', () => {
		// 80x24's chart: 40 wide, 5 plot lines; 1 s readings, so the window holds 300.
		const values = Array.from({length: 20}, () => 50);
		const lines = fitChart({values, threshold: 80, width: 40, height: 5, expectedPoints: 300});
		const text = chartText(lines);
		const columns = dataColumns(lines).flat();
		// 36 cells for 300 samples: 20 samples are 3 cells, at the right (the last cell is always blank).
		expect(Math.max(...columns)).toBe(38);
		expect(Math.min(...columns)).toBe(36);
		// A start mark where the line begins, and nothing but the threshold line to its left.
		expect(text[2]).toBe(' 50┤' + ' '.repeat(32) + '╶── ');
		// The threshold (80) on the row nearest to it, which is labelled with its own value.
		expect(text[1]).toBe(' 75┤' + '┄'.repeat(36));
	});

	it('the newest point is at the same column whatever the history, up to a full window', () => {
		for (const length of [1, 2, 5, 36, 100, 300, 900]) {
			const values = Array.from({length}, (_, i) => (i % 2 === 0 ? 20 : 40));
			const columns = dataColumns(fitChart({values, width: 40, height: 5, expectedPoints: 300})).flat();
			expect(Math.max(...columns), `${length} samples`).toBe(38);
		}
	});

	it('a full window starts at the axis, with asciichart\'s first-value mark', () => {
		const values = Array.from({length: 300}, () => 50);
		const text = chartText(fitChart({values, threshold: 80, width: 40, height: 5, expectedPoints: 300}));
		expect(text[2]).toBe(' 50┼' + '─'.repeat(35) + ' ');
	});

	it('a window shorter than its points fills the width, as before', () => {
		const values = Array.from({length: 60}, (_, i) => i);
		const columns = dataColumns(fitChart({values, width: 40, height: 5, expectedPoints: 60})).flat();
		expect(Math.min(...columns)).toBe(chartGutter);
	});
});

describe('the name column', () => {
	it('the name column takes what a name needs from the trend, never below 6 cells of trend', () => {
		const plain = tableColumns(80);
		const fitted = tableColumns(80, 20);
		expect(fitted.name).toBe(20);
		expect(fitted.trend).toBe(plain.trend - (20 - plain.name));
		expect(tableColumns(80, 60).trend).toBe(6);
		for (const width of [60, 80, 100, 120, 200]) {
			for (const longest of [0, 10, 20, 40, 80]) {
				const c = tableColumns(width, longest);
				expect(columnsWidth(c), `${width} ${longest}`).toBeLessThanOrEqual(width);
			}
		}
	});
});

describe('wrapText', () => {
	it('wraps on words, cuts a word longer than the line, never exceeds the width', () => {
		expect(wrapText('take voiceassist-server-3 out of the load balancer', 20)).toEqual(['take', 'voiceassist-server-3', 'out of the load', 'balancer']);
		expect(wrapText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
		expect(wrapText('', 10)).toEqual([]);
	});
});
