// Everything a key can do. Stable for the app's life, so consumers do not re-render when data changes.
import {createContext, useContext} from 'react';
import type {ChartWindow} from '../hooks/use-monitor-state.js';
import type {SortKey} from '../layout/instance-order.js';

export interface MonitorActions {
	selectNext(): void;
	selectPrevious(): void;
	/** PgDn (1) and PgUp (-1): a table page at a time. */
	selectPage(direction: 1 | -1): void;
	/** g and G: the first and the last row. */
	selectFirst(): void;
	selectLast(): void;
	/** `!`: the worst instance, the filter cleared if it hides it. */
	selectWorst(): void;
	/** C, M, N: sort by that column, or reverse it. */
	sortBy(key: SortKey): void;
	/** `/`: type a filter; the table follows as it is typed. */
	openFilter(): void;
	typeFilter(text: string): void;
	eraseFilter(): void;
	/** Enter keeps the typed filter; Esc clears it. */
	acceptFilter(): void;
	clearFilter(): void;
	/** `t`: the table alone; `e`: the table and the event log, whose lines the keys then scroll. */
	toggleView(view: 'table' | 'log'): void;
	closeView(): void;
	/** Scrolls the focused event log by entries (positive: older), a page, or to an end. */
	scrollLog(by: number | 'page-up' | 'page-down' | 'oldest' | 'newest'): void;
	setWindow(window: ChartWindow): void;
	togglePause(): void;
	toggleHelp(): void;
	closeHelp(): void;
	/** The next chart page (wraps), when the sources need more than one. */
	nextChartPage(): void;
	/** Shows or hides the list of every concern. */
	toggleConcerns(): void;
	/** Expands the stack panel to a line per service, or collapses it to one line. */
	toggleStack(): void;
	/** 0 for q, 130 for Ctrl-C. */
	quit(code: number): void;
	/** S: writes an incident snapshot; its path shows in the event log. */
	snapshot(): void;
	/** Gives a key (keyName) to the scale/drain actions first; true when they took it. */
	actionKey(name: string): boolean;
	/**
	 * The autoscaler's keys; true when taken. `capture`: only its countdown (any key cancels it) and its question,
	 * which come before everything else, the filter being typed included; otherwise also A, and Esc for its drain.
	 */
	autoscaleKey(name: string, capture?: boolean): boolean;
	/** True while an action dialog (count input, confirmation) takes every key, Esc included. */
	actionDialogOpen(): boolean;
	/** The instances now in view: past 20 on a remote engine they are the ones streamed (the rest are read spaced). */
	showing(ids: readonly string[]): void;
}

export const MonitorActionsContext = createContext<MonitorActions | undefined>(undefined);

export function useMonitorActions(): MonitorActions {
	const value = useContext(MonitorActionsContext);
	if (value === undefined) throw new Error('useMonitorActions outside <MonitorActionsContext>');
	return value;
}
