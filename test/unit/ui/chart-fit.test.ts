import {describe, expect, it} from 'vitest';
import {chartGutter, chartText, fitChart, thresholdChar} from '../../../source/ui/layout/chart-fit.js';

const widths = [6, 10, 15, 20, 33, 40, 60, 97, 160];
const heights = [2, 3, 4, 7, 12];
const series: Record<string, number[]> = {
	empty: [],
	one: [42],
	constant: Array.from({length: 50}, () => 50),
	nan: [Number.NaN, Number.NaN, Number.NaN],
	mixed: [10, Number.NaN, 85, Number.POSITIVE_INFINITY, 40],
	over: [150, 250, 99],
	long: Array.from({length: 3600}, (_, i) => (i * 7) % 100),
};

describe('fitChart', () => {
	it('never throws and fills exactly width x height for every series and box', () => {
		for (const [name, values] of Object.entries(series)) {
			for (const width of widths) {
				for (const height of heights) {
					const lines = chartText(fitChart({values, threshold: 80, width, height}));
					expect(lines, `${name} ${width}x${height}`).toHaveLength(height);
					for (const line of lines) expect(Array.from(line), `${name} ${width}x${height}: ${line}`).toHaveLength(width);
				}
			}
		}
	});

	it('keeps a fixed 0..100 scale for values up to 100, whatever they are', () => {
		for (const values of [[1, 2, 3], [50, 50], [100]]) {
			const lines = chartText(fitChart({values, width: 30, height: 5}));
			expect(lines[0]!.slice(0, 3)).toBe('100');
			expect(lines.at(-1)!.slice(0, 3)).toBe('  0');
		}
	});

	it('says "no data" on an empty or all-NaN series, and keeps the threshold line', () => {
		for (const values of [[], [Number.NaN]]) {
			const lines = chartText(fitChart({values, threshold: 80, width: 30, height: 5}));
			expect(lines.join('\n')).toContain('no data');
			expect(lines.join('\n')).toContain(thresholdChar.repeat(10));
		}
	});

	it('draws the threshold as a dotted line on its row, in its own segment kind', () => {
		const chart = fitChart({values: [10, 10, 10], threshold: 80, width: 30, height: 6});
		// 6 lines: rows for 100, 80, 60, 40, 20, 0.
		expect(chartText(chart)[1]!.startsWith(' 80┤')).toBe(true);
		expect(chart[1]!.some(segment => segment.kind === 'threshold' && segment.text.length > 10)).toBe(true);
		expect(chart[4]!.some(segment => segment.kind === 'data')).toBe(true);
	});

	it('uses one point per column after the gutter, newest at the right', () => {
		const values = Array.from({length: 26}, (_, i) => (i === 25 ? 100 : 0));
		const lines = chartText(fitChart({values, width: 30, height: 3}));
		// The last point is drawn in the column before the (always blank) last one.
		expect(lines[0]!.trimEnd().length).toBe(30 - 1);
		expect(chartGutter).toBe(4);
	});
});

describe('threshold row', () => {
	it('the threshold is drawn on the row nearest to it, and that row keeps its own label', () => {
		const lines = chartText(fitChart({values: [10, 20], threshold: 80, width: 30, height: 5}));
		// 5 lines: 100, 75, 50, 25, 0. 80 is nearest the 75 row: the dots are there, the label still says 75.
		expect(lines.map(line => line.slice(0, 3))).toEqual(['100', ' 75', ' 50', ' 25', '  0']);
		expect(lines[1]).toMatch(/^ 75┤┄+$/);
	});
});

describe('drawings reused', () => {
	it('points that land on the same rows give the same drawing (the same object); a point on another row redraws', () => {
		// 9 plot lines: a row every 12.5 points, so 10.1 and 11.9 share the row of 12.5, 20 does not.
		const first = fitChart({values: [10.1, 11.9, 10.4], threshold: 80, width: 30, height: 9});
		const same = fitChart({values: [11.8, 10.2, 11.6], threshold: 80, width: 30, height: 9});
		const moved = fitChart({values: [10.1, 11.9, 20], threshold: 80, width: 30, height: 9});
		expect(same).toBe(first);
		expect(moved).not.toBe(first);
		expect(chartText(moved)).not.toEqual(chartText(first));
		// The box and the threshold are part of what is drawn.
		expect(fitChart({values: [10.1, 11.9, 10.4], threshold: 70, width: 30, height: 9})).not.toBe(first);
		expect(fitChart({values: [10.1, 11.9, 10.4], threshold: 80, width: 31, height: 9})).not.toBe(first);
	});
});
