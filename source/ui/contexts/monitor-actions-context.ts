// Everything a key can do. Stable for the app's life, so consumers do not re-render when data changes.
import {createContext, useContext} from 'react';
import type {ChartWindow} from '../hooks/use-monitor-state.js';

export interface MonitorActions {
	selectNext(): void;
	selectPrevious(): void;
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
	/** Gives a key (keyName) to the scale/drain actions first; true when they took it. */
	actionKey(name: string): boolean;
	/** The instances now in view: past 20 on a remote engine they are the ones streamed (the rest are read spaced). */
	showing(ids: readonly string[]): void;
}

export const MonitorActionsContext = createContext<MonitorActions | undefined>(undefined);

export function useMonitorActions(): MonitorActions {
	const value = useContext(MonitorActionsContext);
	if (value === undefined) throw new Error('useMonitorActions outside <MonitorActionsContext>');
	return value;
}
