// Four charts: a 2x2 grid, or one row of four when the pane is short.
import React, {memo, useMemo} from 'react';
import type {ChartsLayout} from '../../layout/screen-layout.js';
import {besideEachOther, type StyledLine} from '../../layout/styled-text.js';
import {chartLines, PlotCache, type ChartProps} from '../chart/index.js';
import {Lines} from '../lines/index.js';

export type ChartSpec = Omit<ChartProps, 'width' | 'height' | 'color'> & {key: string};

export interface ChartsPanelProps {
	charts: readonly ChartSpec[];
	layout: ChartsLayout;
	color: boolean;
}

/** Each chart's last plot, by its key, and each row of charts as last composed. */
export class PlotCaches {
	private readonly caches = new Map<string, PlotCache>();
	private readonly rows = new Map<number, {parts: ReadonlyArray<readonly StyledLine[]>; widths: readonly number[]; lines: StyledLine[]}>();

	for(key: string): PlotCache {
		let cache = this.caches.get(key);
		if (cache === undefined) {
			cache = new PlotCache();
			this.caches.set(key, cache);
		}

		return cache;
	}

	/** The charts of one row side by side; the same lines (objects) while every chart line is the same. */
	row(index: number, parts: ReadonlyArray<readonly StyledLine[]>, widths: readonly number[], height: number): StyledLine[] {
		const last = this.rows.get(index);
		if (last !== undefined && last.lines.length === height && sameWidths(last.widths, widths) && sameParts(last.parts, parts)) return last.lines;
		const lines = besideEachOther(parts, widths, height);
		this.rows.set(index, {parts, widths, lines});
		return lines;
	}
}

function sameWidths(a: readonly number[], b: readonly number[]): boolean {
	return a.length === b.length && a.every((width, index) => width === b[index]);
}

function sameParts(a: ReadonlyArray<readonly StyledLine[]>, b: ReadonlyArray<readonly StyledLine[]>): boolean {
	if (a.length !== b.length) return false;
	for (let part = 0; part < a.length; part++) {
		const x = a[part]!;
		const y = b[part]!;
		if (x.length !== y.length) return false;
		for (let line = 0; line < x.length; line++) if (x[line] !== y[line]) return false;
	}

	return true;
}

/** layout.height * layout.rows lines, the charts of a row side by side. */
export function chartsPanelLines({charts, layout, color}: ChartsPanelProps, caches: PlotCaches = new PlotCaches()): StyledLine[] {
	if (layout.height <= 0) return [];
	const perRow = layout.widths.length;
	const lines: StyledLine[] = [];
	for (let row = 0; row < layout.rows; row++) {
		const specs = charts.slice(row * perRow, (row + 1) * perRow);
		const parts = specs.map(({key, ...spec}, index) => chartLines({...spec, width: layout.widths[index]!, height: layout.height, color}, caches.for(key)));
		lines.push(...caches.row(row, parts, layout.widths, layout.height));
	}

	return lines;
}

function ChartsPanelView(props: ChartsPanelProps) {
	const caches = useMemo(() => new PlotCaches(), []);
	const width = props.layout.widths.reduce((sum, width) => sum + width, 0);
	return <Lines lines={chartsPanelLines(props, caches)} width={width} height={props.layout.height * props.layout.rows} />;
}

export const ChartsPanel = memo(ChartsPanelView);
