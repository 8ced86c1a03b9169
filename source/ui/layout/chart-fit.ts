// Fits an asciichart plot into a given box. Pure: values in, lines of classified segments out.
// asciichart's width is the number of points and it adds a label gutter, so both are computed here, and
// every line it returns is exactly `width` cells.
import asciichart from 'asciichart';
import {bucketMax, cleanSeries} from './series.js';
import {fit} from './format.js';

export type SegmentKind = 'axis' | 'data' | 'threshold' | 'blank' | 'note';

export interface Segment {
	kind: SegmentKind;
	text: string;
}

export type ChartLine = Segment[];

export interface ChartInput {
	values: readonly number[];
	/** Drawn as a dotted constant line in its own character, so it shows without colour. */
	threshold?: number | null;
	/** Cells, including the label gutter. */
	width: number;
	/** Lines of plot, including the top (100) and bottom (0) label rows. */
	height: number;
	/** Samples the full window holds; shorter history gives a shorter line, drawn at the right (time-aligned). */
	expectedPoints?: number;
	/** Labels for a chart whose values were scaled to 0..100 (a time chart): the real value of a plot value, 3 cells. */
	axis?: ChartAxis;
}

/** The y axis of a chart that is not in percent: values are drawn as a share of a ceiling, labelled in their unit. */
export interface ChartAxis {
	/** Tells plots of different ceilings apart in the cache. */
	key: string;
	label(plotValue: number): string;
}

/** Labels are 3 wide ('100', ' 50', '  0') and the axis one more: the plot starts at this column. */
export const chartGutter = 4;
export const thresholdChar = '┄';
const emptyLabel = 'no data';

function label(value: number): string {
	return String(Math.round(value)).padStart(3, ' ').slice(-3);
}

/** Plot rows for height lines: asciichart draws height + 1 rows. */
function rowOf(value: number, lines: number): number {
	const rows = lines - 1;
	return rows - Math.round((Math.min(100, Math.max(0, value)) * rows) / 100);
}

/** The value asciichart puts exactly on a row (0 is the top line). */
function rowValue(row: number, lines: number): number {
	const rows = lines - 1;
	return ((rows - row) * 100) / rows;
}

/**
 * A short chart's rows are wide bands (5 lines: 25 points each), and the threshold row is labelled with the threshold:
 * 67 would be drawn on the line labelled 80 and read as a breach. So a value under the threshold is drawn on the row
 * below the threshold line, never on or above it; values at or over it keep their row (on the line or higher).
 */
export function keepUnderThreshold(values: readonly number[], threshold: number, lines: number): number[] {
	const thresholdRow = rowOf(threshold, lines);
	if (thresholdRow + 1 > lines - 1) return values.slice();
	const below = rowValue(thresholdRow + 1, lines);
	return values.map(value => (value < threshold && rowOf(value, lines) <= thresholdRow ? below : value));
}

/** Splits one plain plot line into runs of the same kind. */
function classify(line: string): ChartLine {
	const segments: ChartLine = [];
	const chars = Array.from(line);
	const push = (kind: SegmentKind, char: string) => {
		const last = segments[segments.length - 1];
		if (last && last.kind === kind) last.text += char;
		else segments.push({kind, text: char});
	};

	chars.forEach((char, index) => {
		if (index < chartGutter) push('axis', char);
		else if (char === ' ') push('blank', char);
		else if (char === thresholdChar) push('threshold', char);
		else push('data', char);
	});
	return segments;
}

function emptyFrame(width: number, height: number, avoidRow: number): string[] {
	const plot = width - chartGutter;
	const lines: string[] = [];
	let labelRow = Math.floor((height - 1) / 2);
	// Keep the label off the threshold row so the dotted line cannot hide it.
	if (labelRow === avoidRow) labelRow = labelRow + 1 < height ? labelRow + 1 : labelRow - 1;
	for (let i = 0; i < height; i++) {
		const value = height === 1 ? 0 : 100 - (i * 100) / (height - 1);
		const middle = i === labelRow;
		const body = middle ? fit(' '.repeat(Math.max(0, Math.floor((plot - emptyLabel.length) / 2))) + emptyLabel, plot) : ' '.repeat(plot);
		lines.push(`${label(value)}┤${body}`);
	}

	return lines;
}

/**
 * The chart as `height` lines of exactly `width` cells. Never throws: empty, constant and NaN series,
 * values above 100 (CPU on several cores) and tiny boxes all give a drawable result on a fixed 0..100 scale.
 */
export function fitChart(input: ChartInput): ChartLine[] {
	const width = Math.max(0, Math.floor(input.width));
	const height = Math.max(0, Math.floor(input.height));
	if (width === 0 || height === 0) return [];
	// Too narrow or short for axes: a blank box keeps the layout's sums right.
	if (width < chartGutter + 2 || height < 2) {
		return Array.from({length: height}, (_, i) => [{kind: 'note' as const, text: fit(i === 0 ? emptyLabel : '', width)}]);
	}

	// asciichart draws points + gutter cells (the last one always blank), so this fills the width exactly.
	const points = width - chartGutter;
	const threshold = input.threshold;
	const hasThreshold = threshold !== null && threshold !== undefined && Number.isFinite(threshold);
	const bucketed = bucketMax(cleanSeries(input.values), points, input.expectedPoints);
	const values = hasThreshold ? keepUnderThreshold(bucketed, threshold, height) : bucketed;
	const thresholdRow = hasThreshold ? rowOf(threshold, height) : -1;
	// What is drawn depends only on the rows the points land on: a new sample that lands on the same rows (an idle
	// service, every second) reuses the last drawing instead of plotting again.
	const key = plotKey(values, width, height, hasThreshold ? threshold : null) + (input.axis ? `|${input.axis.key}` : '');
	const known = plots.get(key);
	if (known !== undefined) return known;
	let lines: string[];
	if (values.length === 0) {
		lines = emptyFrame(width, height, thresholdRow);
	} else {
		// Time-aligned: the x axis is the whole window, newest at the right. A window longer than the history has
		// room on the left, left empty (asciichart 1.5 draws null as 0 and throws on undefined, so no padding values:
		// the plot is shifted instead).
		const pad = points - values.length;
		const firstRow = rowOf(values[0]!, height);
		const plot = asciichart.plot(values, {min: 0, max: 100, height: height - 1, offset: 2, format: input.axis?.label ?? label});
		lines = plot.split('\n').map((line, row) => {
			const chars = Array.from(line);
			// The label takes the gutter's first cells, then the axis; the plot follows.
			let axis = chars[chartGutter - 1] ?? '┤';
			// asciichart marks its top row with '┼' as if zero were there; only the first value's row should have it,
			// and only when the line starts at the axis.
			if (axis === '┼' && (row !== firstRow || pad > 0)) axis = '┤';
			const start = pad > 0 ? ' '.repeat(pad - 1) + (row === firstRow ? '╶' : ' ') : '';
			return fit(chars.slice(0, chartGutter - 1).join('') + axis + start + chars.slice(chartGutter).join(''), width);
		});
	}

	if (hasThreshold) {
		const row = thresholdRow;
		const line = Array.from(lines[row] ?? '');
		for (let i = chartGutter; i < line.length; i++) {
			if (line[i] === ' ') line[i] = thresholdChar;
		}

		// The row's label names the threshold itself (80, not the 75 the scale would put there).
		lines[row] = (input.axis?.label ?? label)(threshold) + line.slice(chartGutter - 1).join('');
	}

	const result = lines.slice(0, height).map(line => classify(line));
	if (plots.size >= maxPlots) plots.delete(plots.keys().next().value!);
	plots.set(key, result);
	return result;
}

/** Recent drawings by plotKey; a few per chart (four charts, the window changing). Callers never mutate them. */
const plots = new Map<string, ChartLine[]>();
const maxPlots = 32;

function plotKey(values: readonly number[], width: number, height: number, threshold: number | null): string {
	// asciichart's own rounding (its ratio is plot lines / range), plus the row fitChart puts the first point on.
	const ratio = (height - 1) / 100;
	let key = `${width}x${height}:${threshold}:${values.length > 0 ? rowOf(values[0]!, height) : -1}:`;
	for (const value of values) key += `${Math.round(value * ratio)},`;
	return key;
}

/** The plain text of a fitted chart, for tests and logs. */
export function chartText(lines: readonly ChartLine[]): string[] {
	return lines.map(line => line.map(segment => segment.text).join(''));
}
