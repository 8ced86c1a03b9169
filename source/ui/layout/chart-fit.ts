// Fits an asciichart plot into a given box. Pure: values in, lines of classified segments out.
// asciichart's width is the number of points and it adds a label gutter, so both are computed here, and
// every line it returns is exactly `width` cells.
import asciichart from 'asciichart';
import {bucketMax, cleanSeries} from './series.js';
import {fit} from './format.js';

export type SegmentKind = 'axis' | 'data' | 'threshold' | 'limit' | 'blank' | 'note';

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
	/** Lines of plot, including the top and bottom (0) label rows. */
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
/** 100 % (one core) on an axis grown past it: where the usual scale ends. */
export const limitChar = '╌';
const emptyLabel = 'no data';

/** Values a label may have: each row with a label sits exactly on one of its multiples. */
const labelUnits = [5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000];
/** Steps between rows that are round (12.5 rows get a label every second row: 0 25 50 …). */
const roundSteps = [1, 1.25, 2, 2.5, 5, 10, 12.5, 20, 25, 50, 100, 125, 200, 250, 500, 1000];

export interface ChartScale {
	/** The value of the top row; the bottom row is 0. */
	top: number;
	/** Rows between the bottom and the top row (plot lines - 1). */
	intervals: number;
	/** A label on every `labelEvery`-th row counting from the bottom, each a multiple of the label unit. */
	labelEvery: number;
}

function isWhole(value: number): boolean {
	return Math.abs(value - Math.round(value)) < 1e-9 && Math.round(value) >= 1;
}

/** The smallest label unit that falls on rows `step` apart, ending on the top; Infinity when none does. */
function labelStep(step: number, top: number): number {
	for (const unit of labelUnits) if (unit <= top + 1e-9 && isWhole(unit / step) && isWhole(top / unit)) return Math.round(unit / step);
	return Number.POSITIVE_INFINITY;
}

/**
 * The scale of a chart with `lines` plot lines for values up to `highest`: 0 to 100, or past 100 (to the next
 * hundred) when a value is over it (a container on more than one core). Every label is a round value on its own row
 * (0 25 50 75 100, 0 20 40 …, never 100 91 80 73): the rows are evenly spaced from 0 to the top, and when no
 * spacing gives round labels on enough rows, a round step that ends at most a fifth above the top does.
 */
export function chartScale(lines: number, highest = 0): ChartScale {
	const intervals = Math.max(1, Math.floor(lines) - 1);
	const needed = Number.isFinite(highest) && highest > 100 ? Math.ceil(highest / 100 - 1e-9) * 100 : 100;
	const exact = {top: needed, intervals, labelEvery: labelStep(needed / intervals, needed)};
	// Enough labels (five or more, or a label on every row) from the exact spacing: done.
	if (exact.labelEvery === 1 || (Number.isFinite(exact.labelEvery) && intervals / exact.labelEvery >= 4)) return exact;
	for (const step of roundSteps) {
		const top = step * intervals;
		if (top < needed - 1e-9) continue;
		if (top > needed * 1.2 + 1e-9) break;
		const every = labelStep(step, top) === Number.POSITIVE_INFINITY ? labelStep(step, needed) : labelStep(step, top);
		if (Number.isFinite(every) && intervals / every >= 2) return {top, intervals, labelEvery: every};
	}

	// Only the ends are round: 0 and the top, the rows between unlabelled.
	return {...exact, labelEvery: Number.isFinite(exact.labelEvery) ? exact.labelEvery : intervals};
}

/** The row (0 is the top line) a value is drawn on: the nearest, as asciichart rounds it. */
export function rowOf(value: number, scale: ChartScale): number {
	const clamped = Math.min(scale.top, Math.max(0, value));
	return scale.intervals - Math.round((clamped * scale.intervals) / scale.top);
}

/** The value exactly on a row. */
export function rowValue(row: number, scale: ChartScale): number {
	return ((scale.intervals - row) * scale.top) / scale.intervals;
}

/** The label of a row ('100', ' 75', '   ' for a row between labels); in the axis' unit when there is one. */
export function rowLabel(row: number, scale: ChartScale, axis?: ChartAxis): string {
	const fromBottom = scale.intervals - row;
	if (fromBottom % scale.labelEvery !== 0) return '   ';
	const value = rowValue(row, scale);
	if (value !== 0 && !isWhole(value)) return '   ';
	return axis === undefined ? label(value) : axis.label(value);
}

function label(value: number): string {
	const rounded = Math.round(value);
	const text = rounded >= 1000 ? `${Math.round(rounded / 1000)}k` : String(rounded);
	return text.padStart(3, ' ').slice(-3);
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
		else if (char === limitChar) push('limit', char);
		else push('data', char);
	});
	return segments;
}

function emptyFrame(width: number, scale: ChartScale, avoidRow: number, axis?: ChartAxis): string[] {
	const plot = width - chartGutter;
	const height = scale.intervals + 1;
	const lines: string[] = [];
	let labelRow = Math.floor((height - 1) / 2);
	// Keep the label off the threshold row so the dotted line cannot hide it.
	if (labelRow === avoidRow) labelRow = labelRow + 1 < height ? labelRow + 1 : labelRow - 1;
	for (let i = 0; i < height; i++) {
		const middle = i === labelRow;
		const body = middle ? fit(' '.repeat(Math.max(0, Math.floor((plot - emptyLabel.length) / 2))) + emptyLabel, plot) : ' '.repeat(plot);
		lines.push(`${rowLabel(i, scale, axis)}┤${body}`);
	}

	return lines;
}

/** Fills the blank cells of a row with a character (the threshold, the 100 % limit). */
function drawAcross(line: string, char: string): string {
	const chars = Array.from(line);
	for (let i = chartGutter; i < chars.length; i++) if (chars[i] === ' ') chars[i] = char;
	return chars.join('');
}

/**
 * The chart as `height` lines of exactly `width` cells. Never throws: empty, constant and NaN series and tiny boxes
 * all give a drawable result. The scale is 0..100, grown to the next hundred when a value is over 100 (CPU on several
 * cores), with 100 marked; every value is drawn on the row nearest to it, and the rows are labelled with round values.
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
	const values = bucketMax(cleanSeries(input.values, 0, Number.POSITIVE_INFINITY), points, input.expectedPoints);
	let highest = 0;
	for (const value of values) highest = Math.max(highest, value);
	const scale = chartScale(height, highest);
	const thresholdRow = hasThreshold ? rowOf(threshold, scale) : -1;
	// A value past 100 (more than one core): the usual top is marked, unless the threshold line is already on that row.
	const limitRow = highest > 100 && input.axis === undefined ? rowOf(100, scale) : -1;
	// What is drawn depends only on the rows the points land on: a new sample that lands on the same rows (an idle
	// service, every second) reuses the last drawing instead of plotting again.
	const key = plotKey(values, width, scale, hasThreshold ? threshold : null, limitRow) + (input.axis ? `|${input.axis.key}` : '');
	const known = plots.get(key);
	if (known !== undefined) return known;
	let lines: string[];
	if (values.length === 0) {
		lines = emptyFrame(width, scale, thresholdRow, input.axis);
	} else {
		// Time-aligned: the x axis is the whole window, newest at the right. A window longer than the history has
		// room on the left, left empty (asciichart 1.5 draws null as 0 and throws on undefined, so no padding values:
		// the plot is shifted instead).
		const pad = points - values.length;
		const firstRow = rowOf(values[0]!, scale);
		const plotted = values.map(value => Math.min(scale.top, value));
		const plot = asciichart.plot(plotted, {min: 0, max: scale.top, height: height - 1, offset: 2, format: (_value: number, row: number) => rowLabel(row, scale, input.axis)});
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

	if (limitRow >= 0 && limitRow !== thresholdRow && lines[limitRow] !== undefined) lines[limitRow] = drawAcross(lines[limitRow], limitChar);
	if (hasThreshold && lines[thresholdRow] !== undefined) lines[thresholdRow] = drawAcross(lines[thresholdRow], thresholdChar);

	const result = lines.slice(0, height).map(line => classify(line));
	if (plots.size >= maxPlots) plots.delete(plots.keys().next().value!);
	plots.set(key, result);
	return result;
}

/** Recent drawings by plotKey; a few per chart (four charts, the window changing). Callers never mutate them. */
const plots = new Map<string, ChartLine[]>();
const maxPlots = 32;

function plotKey(values: readonly number[], width: number, scale: ChartScale, threshold: number | null, limitRow: number): string {
	// asciichart's own rounding (its ratio is plot lines / range), plus the row fitChart puts the first point on.
	const ratio = scale.intervals / scale.top;
	let key = `${width}x${scale.intervals}/${scale.top}:${threshold}:${limitRow}:${values.length > 0 ? rowOf(values[0]!, scale) : -1}:`;
	for (const value of values) key += `${Math.round(Math.min(scale.top, value) * ratio)},`;
	return key;
}

/** The plain text of a fitted chart, for tests and logs. */
export function chartText(lines: readonly ChartLine[]): string[] {
	return lines.map(line => line.map(segment => segment.text).join(''));
}
