import {describe, expect, it} from 'vitest';
import {computeLayout, minColumns, minRows, tableColumns} from '../../../source/ui/layout/screen-layout.js';
import {fit, formatAge, formatBytes, formatPercent, truncate} from '../../../source/ui/layout/format.js';
import {bucketMax, cleanSeries, sparkline} from '../../../source/ui/layout/series.js';

describe('computeLayout', () => {
	it('says too small below the minimum, in either direction', () => {
		expect(computeLayout(minColumns - 1, 40, 3)).toEqual({kind: 'too-small', columns: minColumns - 1, rows: 40});
		expect(computeLayout(200, minRows - 1, 3).kind).toBe('too-small');
		expect(computeLayout(minColumns, minRows, 3).kind).toBe('screen');
	});

	it('fills exactly rows - 1 lines and the full width at every size and instance count', () => {
		for (let columns = minColumns; columns <= 260; columns += 7) {
			for (let rows = minRows; rows <= 90; rows += 3) {
				for (const count of [0, 1, 3, 8, 25]) {
					const layout = computeLayout(columns, rows, count);
					if (layout.kind !== 'screen') throw new Error(`unexpected too-small at ${columns}x${rows}`);
					const used = layout.header + layout.footer + layout.table + layout.charts.height * layout.charts.rows + layout.events;
					expect(used, `${columns}x${rows} n=${count}`).toBe(rows - 1);
					expect(layout.body).toBe(rows - 1 - layout.header - layout.footer);
					expect(layout.charts.widths.reduce((a, b) => a + b, 0)).toBe(columns);
					expect(layout.table).toBeGreaterThanOrEqual(2);
					expect(layout.charts.height).toBeGreaterThanOrEqual(3);
				}
			}
		}
	});

	it('80x24: a 2x2 grid of compact charts, the table and a log line all fit', () => {
		const layout = computeLayout(80, 24, 3);
		expect(layout).toMatchObject({kind: 'screen', wide: false, table: 4, charts: {arrangement: 'grid', rows: 2, widths: [40, 40]}});
		if (layout.kind === 'screen') expect(layout.events).toBeGreaterThanOrEqual(2);
	});

	it('120x40: wide, with taller charts side by side', () => {
		const compact = computeLayout(80, 24, 3);
		const wide = computeLayout(120, 40, 3);
		if (wide.kind !== 'screen' || compact.kind !== 'screen') throw new Error('layout');
		expect(wide.wide).toBe(true);
		expect(wide.charts.arrangement).toBe('grid');
		expect(wide.charts.widths).toEqual([60, 60]);
		expect(wide.charts.height).toBeGreaterThan(compact.charts.height);
	});

	it('a short pane puts the four charts in one row', () => {
		const layout = computeLayout(60, 16, 3);
		expect(layout).toMatchObject({kind: 'screen', charts: {arrangement: 'row', rows: 1, widths: [15, 15, 15, 15]}});
	});
});

describe('tableColumns', () => {
	it('never adds up to more than the width', () => {
		for (let width = minColumns; width <= 300; width++) {
			const c = tableColumns(width);
			const gaps = c.usage > 0 ? 5 : 4;
			expect(c.select + c.name + c.state + c.cpu + c.mem + c.usage + c.trend + gaps, `width ${width}`).toBeLessThanOrEqual(width);
			expect(c.name).toBeGreaterThanOrEqual(8);
		}
	});

	it('drops the usage column before squeezing names', () => {
		expect(tableColumns(60).usage).toBe(0);
		expect(tableColumns(80).usage).toBeGreaterThan(0);
	});
});

describe('format', () => {
	it('percentages, bytes and ages in few cells', () => {
		expect(formatPercent(84.4)).toBe('84%');
		expect(formatPercent(5.33)).toBe('5.3%');
		expect(formatPercent(null)).toBe('-');
		expect(formatPercent(Number.NaN)).toBe('-');
		expect(formatBytes(512 * 1024 ** 2)).toBe('512M');
		expect(formatBytes(1.5 * 1024 ** 3)).toBe('1.5G');
		expect(formatBytes(null)).toBe('-');
		expect(formatAge(12_400)).toBe('12s');
		expect(formatAge(372_000)).toBe('6m12s');
	});

	it('cuts text to a width from either end', () => {
		expect(truncate('abcdef', 4)).toBe('abc…');
		expect(fit('ab', 4)).toBe('ab  ');
		expect(fit('ab', 4, 'right')).toBe('  ab');
		expect(fit('abcdef', 3)).toBe('ab…');
	});
});

describe('series', () => {
	it('cleans NaN and clamps to the scale', () => {
		expect(cleanSeries([Number.NaN, 10, Number.NaN, 150, -3, Number.POSITIVE_INFINITY])).toEqual([10, 10, 100, 0, 0]);
	});

	it('keeps a one-sample spike when bucketing a long window', () => {
		const values = Array.from({length: 3600}, () => 10);
		values[1800] = 95;
		const points = bucketMax(values, 60);
		expect(points).toHaveLength(60);
		expect(Math.max(...points)).toBe(95);
	});

	it('gives a shorter line when history is shorter than the window', () => {
		expect(bucketMax(Array.from({length: 30}, () => 1), 60, 300)).toHaveLength(6);
		expect(bucketMax([], 60, 300)).toEqual([]);
	});

	it('draws a sparkline of exactly the width, newest on the right', () => {
		expect(sparkline([0, 50, 100], 5)).toBe('  ▁▅█');
		expect(sparkline([], 4)).toBe('    ');
		expect(Array.from(sparkline(Array.from({length: 100}, (_, i) => i), 10))).toHaveLength(10);
	});
});
