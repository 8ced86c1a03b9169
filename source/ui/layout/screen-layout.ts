// How the screen is divided at a given terminal size. Pure, so every size can be checked without a terminal.
// The frame is at most rows - 1 lines: in Ink 6 a frame as tall as the terminal repaints the whole screen
// on every update, which flickers in tmux.

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

/** What the table, the charts and the log need at least: 2 + 4 + 2 lines; the stack panel gets no more than leaves them that. */
const restMin = 8;

/** `stackWanted`: the stack panel's lines (1 collapsed, 1 + a line per service expanded), cut to what fits. */
export function computeLayout(columns: number, rows: number, instanceCount: number, stackWanted = 0): ScreenLayout | TooSmallLayout {
	const cols = Math.floor(columns);
	const lines = Math.floor(rows);
	if (!(cols >= minColumns && lines >= minRows)) return {kind: 'too-small', columns: cols || 0, rows: lines || 0};

	const wide = isWideSize(cols, lines);
	const frame = lines - 1;
	const body = frame - headerHeight - footerHeight;
	const stack = Math.max(0, Math.min(Math.floor(stackWanted), body - restMin));
	const rest = body - stack;
	const tableWanted = 1 + Math.max(1, instanceCount);
	const tableCap = wide ? Math.max(11, Math.min(21, Math.floor(rest / 3))) : 6;
	let table = Math.min(tableWanted, tableCap);
	const eventsMin = wide ? 4 : 2;
	let chartSpace = rest - table - eventsMin;
	let charts: ChartsLayout;
	// A grid needs two rows of charts with 4 plot lines each; below that the four charts share one row.
	if (chartSpace >= 10) {
		const height = Math.min(wide ? 13 : 8, Math.floor(chartSpace / 2));
		charts = {arrangement: 'grid', height, widths: split(cols, 2), rows: 2};
	} else {
		if (chartSpace < 4) {
			table = Math.max(2, rest - eventsMin - 4);
			chartSpace = rest - table - eventsMin;
		}

		charts = {arrangement: 'row', height: Math.max(0, Math.min(8, chartSpace)), widths: split(cols, 4), rows: 1};
	}

	const events = Math.max(0, rest - table - charts.height * charts.rows);
	return {kind: 'screen', columns: cols, rows: lines, wide, frame, header: headerHeight, footer: footerHeight, body, table, stack, charts, events};
}

export interface TableColumns {
	/** Selection marker. */
	select: number;
	name: number;
	state: number;
	/** Value right-aligned plus a breach mark. */
	cpu: number;
	mem: number;
	/** usage/limit, 0 when there is no room. */
	usage: number;
	trend: number;
	/** The engine an instance runs on, with several engines (after the name, with its own gap); 0: no column. */
	host: number;
}

/** The trend keeps at least this many cells when a long name asks for room. */
export const minTrend = 6;

/**
 * Column widths (without the one-space gaps) that sum, with the gaps, to at most `width`. `longestName`: the widest
 * name to show; the name column takes up to that from the trend (down to minTrend), so `voiceassist-server-1` is
 * shown whole at 80 columns instead of `…iceassist-server-1`.
 */
export function tableColumns(width: number, longestName = 0, hostWidth = 0): TableColumns {
	// The HOST column (several engines) and its gap come off the top; the rest divide what is left as before.
	const host = hostWidth > 0 ? Math.min(hostWidth, Math.max(4, Math.floor(width / 10))) : 0;
	if (host > 0) return {...tableColumns(width - host - 1, longestName), host};
	const select = 2;
	const cpu = 8;
	const mem = 8;
	const state = width >= 80 ? 17 : 12;
	let usage = 11;
	let trend = width >= wideColumns ? Math.min(30, Math.floor(width * 0.15)) : 10;
	const gaps = () => (usage > 0 ? 5 : 4);
	let name = width - select - state - cpu - mem - usage - trend - gaps();
	if (name < 12) {
		usage = 0;
		name = width - select - state - cpu - mem - trend - gaps();
	}

	if (name < 10) {
		trend = Math.max(0, trend - (10 - name));
		name = width - select - state - cpu - mem - usage - trend - gaps();
	}

	// A long name column helps nobody: give the rest to the trend.
	if (name > 32) {
		trend += name - 32;
		name = 32;
	}

	if (longestName > name && trend > minTrend) {
		const take = Math.min(longestName - name, trend - minTrend);
		name += take;
		trend -= take;
	}

	return {select, name: Math.max(1, name), state, cpu, mem, usage, trend, host: 0};
}
