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

/** Each chart's last plot, by its key. */
export class PlotCaches {
	private readonly caches = new Map<string, PlotCache>();

	for(key: string): PlotCache {
		let cache = this.caches.get(key);
		if (cache === undefined) {
			cache = new PlotCache();
			this.caches.set(key, cache);
		}

		return cache;
	}
}

/** layout.height * layout.rows lines, the charts of a row side by side. */
export function chartsPanelLines({charts, layout, color}: ChartsPanelProps, caches: PlotCaches = new PlotCaches()): StyledLine[] {
	if (layout.height <= 0) return [];
	const perRow = layout.widths.length;
	const lines: StyledLine[] = [];
	for (let row = 0; row < layout.rows; row++) {
		const specs = charts.slice(row * perRow, (row + 1) * perRow);
		const parts = specs.map(({key, ...spec}, index) => chartLines({...spec, width: layout.widths[index]!, height: layout.height, color}, caches.for(key)));
		lines.push(...besideEachOther(parts, layout.widths, layout.height));
	}

	return lines;
}

function ChartsPanelView(props: ChartsPanelProps) {
	const caches = useMemo(() => new PlotCaches(), []);
	const width = props.layout.widths.reduce((sum, width) => sum + width, 0);
	return <Lines lines={chartsPanelLines(props, caches)} width={width} height={props.layout.height * props.layout.rows} />;
}

export const ChartsPanel = memo(ChartsPanelView);
