// A titled asciichart, fitted to exactly the box it is given.
import React, {memo, useMemo} from 'react';
import {fitChart, type ChartAxis, type ChartLine, type SegmentKind} from '../../layout/chart-fit.js';
import {textWidth} from '../../layout/format.js';
import {shortenName} from '../../layout/instance-names.js';
import {fitLine, styledLine, type StyledLine} from '../../layout/styled-text.js';
import {tone, type ColorName} from '../../layout/symbols.js';
import {Lines} from '../lines/index.js';

export interface ChartProps {
	title: string;
	/** Colour of the title when something is over a threshold; the title text must say so too. */
	titleColor?: ColorName;
	values: readonly number[];
	threshold?: number | null;
	width: number;
	/** Lines, the title included. */
	height: number;
	expectedPoints?: number;
	lineColor?: ColorName;
	color: boolean;
	/** A chart not in percent: its values scaled to 0..100 and how to label them (see chart-specs). */
	axis?: ChartAxis;
}

/** The last plot and its styled lines: redrawn only when the values, the threshold or the box changed. */
export class PlotCache {
	private last: {values: readonly number[]; threshold: number | null | undefined; width: number; height: number; expectedPoints: number | undefined; axisKey: string | undefined; lines: ChartLine[]} | undefined;
	private styled: {plot: ChartLine[]; color: boolean; lineColor: ColorName | undefined; lines: StyledLine[]} | undefined;
	private titled: {title: string; titleColor: ColorName | undefined; color: boolean; width: number; line: StyledLine} | undefined;

	/** The fitted title line; the same object while the title is the same. */
	title(title: string, titleColor: ColorName | undefined, color: boolean, width: number): StyledLine {
		const last = this.titled;
		if (last !== undefined && last.title === title && last.titleColor === titleColor && last.color === color && last.width === width) return last.line;
		// One cell short, so side-by-side titles never run into each other.
		const line = fitLine(styledLine(fitTitle(title, Math.max(1, width - 1)), {bold: true, color: tone(color, titleColor)}), Math.max(1, width - 1));
		this.titled = {title, titleColor, color, width, line};
		return line;
	}

	plot(values: readonly number[], threshold: number | null | undefined, width: number, height: number, expectedPoints: number | undefined, axis?: ChartAxis): ChartLine[] {
		const last = this.last;
		if (last !== undefined && last.threshold === threshold && last.width === width && last.height === height && last.expectedPoints === expectedPoints && last.axisKey === axis?.key && sameValues(last.values, values)) {
			return last.lines;
		}

		const lines = fitChart({values, threshold, width, height, expectedPoints, axis});
		this.last = {values, threshold, width, height, expectedPoints, axisKey: axis?.key, lines};
		return lines;
	}

	/** The plot's lines with their colours; the same objects while the plot is the same one. */
	style(plot: ChartLine[], color: boolean, lineColor: ColorName | undefined): StyledLine[] {
		const last = this.styled;
		if (last !== undefined && last.plot === plot && last.color === color && last.lineColor === lineColor) return last.lines;
		const segmentColor: Record<SegmentKind, ColorName | undefined> = {
			axis: 'gray',
			data: lineColor ?? 'cyan',
			threshold: 'red',
			limit: 'gray',
			blank: undefined,
			note: 'gray',
		};
		const lines = plot.map(line => styledLine(line.map(segment => ({text: segment.text, style: {color: tone(color, segmentColor[segment.kind])}}))));
		this.styled = {plot, color, lineColor, lines};
		return lines;
	}
}

/** Shortest an instance name in a title gets before the title is simply cut. */
const minTitleName = 8;

/**
 * A title in `width` cells. A title ending in ` · NAME` (the selected instance) keeps the name recognisable: the name
 * gives way from its start, as everywhere (instance-names.ts), rather than being cut at its end into another name.
 */
export function fitTitle(title: string, width: number): string {
	if (textWidth(title) <= width) return title;
	const at = title.lastIndexOf(' · ');
	if (at < 0) return title;
	const head = title.slice(0, at + 3);
	const room = width - textWidth(head);
	if (room < minTitleName) return title;
	return head + shortenName(title.slice(at + 3), room);
}

function sameValues(a: readonly number[], b: readonly number[]): boolean {
	if (a === b) return true;
	if (a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
	return true;
}

/** `height` lines: the title, then the plot. */
export function chartLines({title, titleColor, values, threshold, width, height, expectedPoints, lineColor, color, axis}: ChartProps, cache: PlotCache = new PlotCache()): StyledLine[] {
	if (height <= 0) return [];
	const plot = cache.plot(values, threshold, width, height - 1, expectedPoints, axis);
	return [cache.title(title, titleColor, color, width), ...cache.style(plot, color, lineColor)];
}

function ChartView(props: ChartProps) {
	const cache = useMemo(() => new PlotCache(), []);
	return <Lines lines={chartLines(props, cache)} width={props.width} height={props.height} />;
}

export const Chart = memo(ChartView);
