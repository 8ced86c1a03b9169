// Two readability fixes: charts are time-aligned (a window longer than the history leaves its left side empty, the
// newest point is always at the right edge) and never draw a value under the threshold on the threshold line; and
// instance names lose the compose project's prefix when all of them have it.
import fc from 'fast-check';
import React from 'react';
import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {Header} from '../../../source/ui/components/header/index.js';
import {InstancesTable} from '../../../source/ui/components/instances-table/index.js';
import {chartGutter, chartText, fitChart, keepUnderThreshold, type ChartLine} from '../../../source/ui/layout/chart-fit.js';
import {displayNames, wrapText} from '../../../source/ui/layout/format.js';
import {tableColumns} from '../../../source/ui/layout/screen-layout.js';
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
		expect(text[1]).toBe(' 80┤' + '┄'.repeat(36));
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

describe('the threshold line is never crossed by a value under it', () => {
	it('67% under an 80% threshold on a 5-line chart is drawn below the line labelled 80', () => {
		const text = chartText(fitChart({values: [67, 67, 67], threshold: 80, width: 20, height: 5}));
		expect(text[1]).toMatch(/^ 80┤┄+$/);
		expect(text[2]).toMatch(/^ 50┤ *╶── $/);
	});

	it('for any value, threshold and height: under the threshold means below its row, at or over means on or above it', () => {
		fc.assert(
			fc.property(fc.integer({min: 0, max: 100}), fc.integer({min: 1, max: 99}), fc.integer({min: 3, max: 13}), (value, threshold, height) => {
				const lines = fitChart({values: [value, value, value], threshold, width: 12, height});
				const thresholdRow = chartText(lines).findIndex(line => line.startsWith(String(threshold).padStart(3, ' ')) && line.includes('┄'));
				const dataRow = dataColumns(lines).findIndex(columns => columns.length > 0);
				expect(thresholdRow).toBeGreaterThanOrEqual(0);
				// Rows count from the top.
				if (value < threshold && thresholdRow < height - 1) expect(dataRow).toBeGreaterThan(thresholdRow);
				if (value >= threshold) expect(dataRow).toBeLessThanOrEqual(thresholdRow);
			}),
			{numRuns: 300},
		);
	});

	it('keepUnderThreshold moves only the values under the threshold that would touch its row', () => {
		expect(keepUnderThreshold([10, 67, 79, 80, 95], 80, 5)).toEqual([10, 50, 50, 80, 95]);
	});
});

describe('instance names without the project prefix', () => {
	const names = ['voiceassist-voiceassist-server-1', 'voiceassist-voiceassist-server-2', 'voiceassist-voiceassist-server-3'];

	it('80x24: `voiceassist-server-1` whole, not `…iceassist-server-1`', () => {
		const instances = names.map((name, index) => instance(name, 40 + index, 50));
		const {lastFrame} = renderAt(
			<InstancesTable instances={instances} assessment={undefined} selectedId={instances[0]!.id} trends={new Map()} width={80} height={4} color={false} project="voiceassist" />,
			80,
			24,
		);
		const lines = frameLines(lastFrame());
		expect(lines[1]).toMatch(/^▸ voiceassist-server-1 +running\/healthy +40% /);
		expect(lines[3]).toMatch(/^ {2}voiceassist-server-3 /);
		expect(lastFrame()).not.toContain('…');
		expect(fitProblems(lastFrame()!, 80, 24)).toEqual([]);
	});

	it('only when every name has the prefix, and never when two would become one', () => {
		expect(displayNames(names, 'voiceassist')).toEqual(['voiceassist-server-1', 'voiceassist-server-2', 'voiceassist-server-3']);
		expect(displayNames(['p_web_1', 'p_web_2'], 'p')).toEqual(['web_1', 'web_2']);
		expect(displayNames([...names, 'other-server-4'], 'voiceassist')).toEqual([...names, 'other-server-4']);
		expect(displayNames(['p-web', 'p_web'], 'p')).toEqual(['p-web', 'p_web']);
		expect(displayNames(names, '')).toEqual(names);
	});

	it('the name column takes what a name needs from the trend, never below 6 cells of trend', () => {
		const plain = tableColumns(80);
		const fitted = tableColumns(80, 20);
		expect(fitted.name).toBe(20);
		expect(fitted.trend).toBe(plain.trend - (20 - plain.name));
		expect(tableColumns(80, 60).trend).toBe(6);
		for (const width of [60, 80, 100, 120, 200]) {
			for (const longest of [0, 10, 20, 40, 80]) {
				const c = tableColumns(width, longest);
				const sum = c.select + c.name + c.state + c.cpu + c.mem + c.usage + c.trend + (c.usage > 0 ? 5 : 4);
				expect(sum, `${width} ${longest}`).toBeLessThanOrEqual(width);
			}
		}
	});

	it('the header names instances in its concerns the same way', () => {
		const hot = assessment([
			concern({level: 'SOON', key: 'instance.cpu:x', scope: 'instance', subject: 'voiceassist-voiceassist-server-1', value: 84, threshold: 70}),
		]);
		const {lastFrame} = renderAt(
			<Header
				width={80}
				color={false}
				project="voiceassist"
				service="voiceassist-server"
				dockerEndpoint="unix:///var/run/docker.sock"
				mode="live"
				readOnly={false}
				paused={false}
				max={10}
				intervalMs={1000}
				snapshot={snapshot()}
				assessment={hot}
				now={t0}
			/>,
			80,
			24,
		);
		expect(frameLines(lastFrame())[1]).toContain('· voiceassist-server-1 cpu 84% ▲');
	});
});

describe('wrapText', () => {
	it('wraps on words, cuts a word longer than the line, never exceeds the width', () => {
		expect(wrapText('take voiceassist-server-3 out of the load balancer', 20)).toEqual(['take', 'voiceassist-server-3', 'out of the load', 'balancer']);
		expect(wrapText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
		expect(wrapText('', 10)).toEqual([]);
	});
});
