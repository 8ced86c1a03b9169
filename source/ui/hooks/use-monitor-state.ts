// The screen's own state (selection, chart window, pause, help): a typed reducer, so keys are plain data.
import {useReducer} from 'react';

export const chartWindows = {
	'1m': 60_000,
	'5m': 5 * 60_000,
	'15m': 15 * 60_000,
	'1h': 60 * 60_000,
} as const;

export type ChartWindow = keyof typeof chartWindows;

/** Keys 1..4 in order. */
export const windowKeys: readonly ChartWindow[] = ['1m', '5m', '15m', '1h'];

export interface MonitorUiState {
	/** Instance id; kept across reorderings, falls back to the first instance when it goes away. */
	selectedId: string | null;
	window: ChartWindow;
	paused: boolean;
	help: boolean;
	/** The chart page shown, 1-based (`c` cycles when the sources need more than one). */
	chartPage: number;
	/** The list of every concern replaces the body (`a`). */
	concerns: boolean;
	/** The stack panel (the project's other services) expanded to a line each (`e`); null: expanded only on a wide screen. */
	stackExpanded: boolean | null;
}

export type MonitorUiAction =
	| {type: 'select-next'; ids: readonly string[]}
	| {type: 'select-previous'; ids: readonly string[]}
	| {type: 'set-window'; window: ChartWindow}
	| {type: 'toggle-pause'}
	| {type: 'toggle-help'}
	| {type: 'close-help'}
	| {type: 'next-chart-page'; pages: number}
	| {type: 'toggle-concerns'}
	| {type: 'toggle-stack'; wide: boolean};

export const initialUiState: MonitorUiState = {selectedId: null, window: '5m', paused: false, help: false, chartPage: 1, concerns: false, stackExpanded: null};

/** Whether the stack panel shows a line per service: as chosen with `e`, else on a wide screen only. */
export function stackExpanded(state: Pick<MonitorUiState, 'stackExpanded'>, wide: boolean): boolean {
	return state.stackExpanded ?? wide;
}

/** The selected id among ids: the chosen one while it exists, else the first. */
export function resolveSelection(ids: readonly string[], selectedId: string | null): string | null {
	if (ids.length === 0) return null;
	return selectedId !== null && ids.includes(selectedId) ? selectedId : ids[0]!;
}

function step(ids: readonly string[], selectedId: string | null, delta: number): string | null {
	if (ids.length === 0) return selectedId;
	const current = resolveSelection(ids, selectedId);
	const index = current === null ? 0 : ids.indexOf(current);
	// Stops at the ends, like top: wrapping around surprises when the list scrolls.
	return ids[Math.min(ids.length - 1, Math.max(0, index + delta))]!;
}

export function monitorUiReducer(state: MonitorUiState, action: MonitorUiAction): MonitorUiState {
	switch (action.type) {
		case 'select-next':
			return {...state, selectedId: step(action.ids, state.selectedId, 1)};
		case 'select-previous':
			return {...state, selectedId: step(action.ids, state.selectedId, -1)};
		case 'set-window':
			return state.window === action.window ? state : {...state, window: action.window};
		case 'toggle-pause':
			return {...state, paused: !state.paused};
		case 'toggle-help':
			return {...state, help: !state.help, concerns: false};
		case 'close-help':
			return state.help || state.concerns ? {...state, help: false, concerns: false} : state;
		case 'next-chart-page':
			return action.pages <= 1 ? state : {...state, chartPage: (state.chartPage % action.pages) + 1};
		case 'toggle-concerns':
			return {...state, concerns: !state.concerns, help: false};
		case 'toggle-stack':
			return {...state, stackExpanded: !stackExpanded(state, action.wide)};
	}
}

export function useMonitorState(initial: Partial<MonitorUiState> = {}) {
	return useReducer(monitorUiReducer, {...initialUiState, ...initial});
}
