// How the screen is divided at a given terminal size. Pure, so every size can be checked without a terminal.
// The frame is at most rows - 1 lines: in Ink 6 a frame as tall as the terminal repaints the whole screen
// on every update, which flickers in tmux.
import {chartScale} from './chart-fit.js';

export const minColumns = 60;
export const minRows = 16;
/** Wide layout from here: taller charts side by side with more points, more table rows, a longer log. */
export const wideColumns = 120;
export const wideRows = 40;

/** The wide layout's size: the stack panel is expanded there by default. */
export function isWideSize(columns: number, rows: number): boolean {
	return columns >= wideColumns && rows >= wideRows;
}

export const headerHeight = 3;
export const footerHeight = 1;

export type ChartArrangement = 'grid' | 'row';

export interface ChartsLayout {
	arrangement: ChartArrangement;
	/** Lines per chart, title included. */
	height: number;
	/** Widths of the charts in one row (2 in a grid, 4 in a row); they sum to the screen width. */
	widths: number[];
	/** Rows of charts: 2 for a grid, 1 for a row. */
	rows: number;
}

export interface ScreenLayout {
	kind: 'screen';
	columns: number;
	rows: number;
	wide: boolean;
	/** Lines the whole frame may use: rows - 1. */
	frame: number;
	header: number;
	footer: number;
	/** Lines between header and footer (the help overlay uses them all). */
	body: number;
	/** Table lines, its column header included. */
	table: number;
	/** The stack panel's lines under the table (the project's other services); 0 hides it. */
	stack: number;
	charts: ChartsLayout;
	/** Event log lines, its title included; 0 hides it. */
	events: number;
}

export interface TooSmallLayout {
	kind: 'too-small';
	columns: number;
	rows: number;
}

function split(total: number, parts: number): number[] {
	const base = Math.floor(total / parts);
	return Array.from({length: parts}, (_, i) => base + (i < total - base * parts ? 1 : 0));
}

/** What the body shows: everything, the table alone (`t`), or the table and the event log it is reading (`e`). */
export type BodyView = 'normal' | 'table' | 'log';

export interface LayoutNeeds {
	/** Event lines there are to show; undefined: as many as fit (the log takes what is left). */
	events?: number;
	view?: BodyView;
	/** The autoscale preview line under the header (the live monitor always has one). */
	autoscaleLine?: boolean;
	/** The stack panel's lines (1 collapsed, 1 + a line per service expanded), cut to what fits; shown in the normal view only. */
	stackWanted?: number;
}

/** What the table, the charts and the log need at least: 2 + 4 + 2 lines; the stack panel gets no more than leaves them that. */
const restMin = 8;

/** A chart of `height` lines (title included) whose rows get round labels 25 points apart or closer. */
function roundChart(height: number): boolean {
	const scale = chartScale(height - 1);
	return scale.labelEvery * (scale.top / scale.intervals) <= 25 + 1e-9;
}

export function computeLayout(columns: number, rows: number, instanceCount: number, needs: LayoutNeeds = {}): ScreenLayout | TooSmallLayout {
	const cols = Math.floor(columns);
	const lines = Math.floor(rows);
	if (!(cols >= minColumns && lines >= minRows)) return {kind: 'too-small', columns: cols || 0, rows: lines || 0};

	const wide = isWideSize(cols, lines);
	const frame = lines - 1;
	const header = headerHeight + (needs.autoscaleLine ? 1 : 0);
	const body = frame - header - footerHeight;
	const base = {kind: 'screen' as const, columns: cols, rows: lines, wide, frame, header, footer: footerHeight, body};
	const noCharts: ChartsLayout = {arrangement: 'grid', height: 0, widths: split(cols, 2), rows: 0};
	const tableWanted = 1 + Math.max(1, instanceCount);
	const view = needs.view ?? 'normal';
	if (view === 'table') return {...base, table: body, stack: 0, charts: noCharts, events: 0};

	// The normal view shares the body with the stack panel; the rest is divided as before.
	const stack = view === 'normal' ? Math.max(0, Math.min(Math.floor(needs.stackWanted ?? 0), body - restMin)) : 0;
	const rest = body - stack;
	const tableCap = wide ? Math.max(11, Math.min(21, Math.floor(rest / 3))) : 6;
	let table = Math.min(tableWanted, tableCap);
	if (view === 'log') return {...base, table: Math.min(table, Math.max(2, body - 4)), stack: 0, charts: noCharts, events: body - Math.min(table, Math.max(2, body - 4))};

	const eventsMin = wide ? 4 : 2;
	// The title and the lines there are (one line says there are none yet).
	const eventsNeed = needs.events === undefined ? Number.POSITIVE_INFINITY : 1 + Math.max(1, needs.events);
	let chartSpace = rest - table - eventsMin;
	let charts: ChartsLayout;
	// A grid needs two rows of charts with 4 plot lines each; below that the four charts share one row.
	if (chartSpace >= 10) {
		let height = Math.min(wide ? 13 : 8, Math.floor(chartSpace / 2));
		// Rows the log would leave blank go to more instances, then to taller charts.
		let spare = rest - table - 2 * height - eventsNeed;
		if (spare > 0) {
			const more = Math.min(spare, tableWanted - table);
			table += more;
			spare -= more;
			height += Math.floor(spare / 2);
		}

		// A chart whose rows cannot carry round labels at 25 points or finer (4 plot lines: 0 33 67 100) takes one
		// more line from the log or the table, or gives one back.
		if (!roundChart(height)) {
			const fromLog = rest - table - 2 * height - eventsMin;
			const fromTable = table - Math.min(table, 4);
			if (roundChart(height + 1) && fromLog + fromTable >= 2) {
				table -= Math.max(0, 2 - fromLog);
				height += 1;
			} else if (height > 4 && roundChart(height - 1)) {
				height -= 1;
			}
		}

		charts = {arrangement: 'grid', height, widths: split(cols, 2), rows: 2};
	} else {
		if (chartSpace < 4) {
			table = Math.max(2, rest - eventsMin - 4);
			chartSpace = rest - table - eventsMin;
		}

		charts = {arrangement: 'row', height: Math.max(0, Math.min(8, chartSpace)), widths: split(cols, 4), rows: 1};
	}

	const events = Math.max(0, rest - table - charts.height * charts.rows);
	return {...base, table, stack, charts, events};
}

export interface TableColumns {
	/** Selection marker. */
	select: number;
	name: number;
	/** state/health below wideColumns; the state alone from there, with HEALTH beside it. */
	state: number;
	health: number;
	/** Value right-aligned plus a breach mark. */
	cpu: number;
	mem: number;
	/** usage/limit, 0 when there is no room. */
	usage: number;
	/** An action's step or result (draining, restored…), 0 while no row has one. */
	action: number;
	restarts: number;
	uptime: number;
	trend: number;
	/** The engine an instance runs on, with several engines (after the name, with its own gap); 0: no column. */
	host: number;
}

/** The trend keeps at least this many cells when a long name asks for room. */
export const minTrend = 6;
/** A longer sparkline says nothing more: the width goes to columns that do. */
export const maxTrend = 30;

/** Cells of the columns after the name, each with its one-space gap before it. */
export function columnsWidth(c: TableColumns): number {
	let sum = c.select + c.name;
	for (const width of [c.host, c.state, c.health, c.cpu, c.mem, c.usage, c.action, c.restarts, c.uptime, c.trend]) if (width > 0) sum += width + 1;
	return sum;
}

/**
 * Column widths (without the one-space gaps) that sum, with the gaps, to at most `width`. `longestName`: the widest
 * name to show; the name column takes up to that from the trend (down to minTrend). From wideColumns on, HEALTH,
 * RESTARTS and UPTIME get their own columns and the trend stops at maxTrend. `action`: a row shows an action's step.
 */
export function tableColumns(width: number, longestName = 0, options: {action?: boolean; host?: number} = {}): TableColumns {
	// The HOST column (several engines, or a Swarm service's nodes) and its gap come off the top; the rest divide what
	// is left as before.
	const hostWidth = options.host ?? 0;
	const host = hostWidth > 0 ? Math.min(hostWidth, Math.max(4, Math.floor(width / 10))) : 0;
	if (host > 0) return {...tableColumns(width - host - 1, longestName, {action: options.action}), host};
	const wide = width >= wideColumns;
	const c: TableColumns = {
		select: 2,
		name: 0,
		state: wide ? 10 : width >= 80 ? 17 : 12,
		health: wide ? 11 : 0,
		cpu: 8,
		mem: 8,
		usage: 10,
		action: options.action ? (wide ? 19 : 8) : 0,
		restarts: wide ? 8 : 0,
		uptime: wide ? 7 : 0,
		trend: wide ? maxTrend : 10,
		host: 0,
	};
	// Below the wide layout an action's cell takes the trend's place.
	if (c.action > 0 && !wide) c.trend = 0;
	const rest = () => width - columnsWidth({...c, name: 0});
	c.name = rest();
	// A long trend gives way first (to its narrow width), then USED/LIMIT, then the rest of the trend.
	if (c.name < 12 && c.trend > 10) {
		c.trend = Math.max(10, c.trend - (12 - c.name));
		c.name = rest();
	}

	if (c.name < 12) {
		c.usage = 0;
		c.name = rest();
	}

	if (c.name < 10 && c.trend > 0) {
		c.trend = Math.max(minTrend, c.trend - (10 - c.name));
		c.name = rest();
	}

	if (c.name < 10 && c.trend > 0) {
		c.trend = 0;
		c.name = rest();
	}

	// The name column is as wide as the longest name (at least 16). Past that the trend grows (up to maxTrend in the
	// wide layout), and what is still left stays empty at the right: a wide blank name column pushes every figure away
	// from the name it belongs to.
	const wantName = Math.max(16, longestName);
	if (c.name > wantName && c.trend > 0) {
		const excess = c.name - wantName;
		const give = wide ? Math.min(excess, maxTrend - c.trend) : excess;
		c.trend += Math.max(0, give);
		c.name = wantName;
	} else if (c.name > wantName) {
		c.name = wantName;
	} else if (c.name < longestName && c.trend > minTrend) {
		const take = Math.min(longestName - c.name, c.trend - minTrend);
		c.name += take;
		c.trend -= take;
	}

	c.name = Math.max(1, c.name);
	return c;
}
