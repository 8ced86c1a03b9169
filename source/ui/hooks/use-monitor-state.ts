// The screen's own state (selection, order, filter, chart window, pause, help, what the body shows): a typed reducer, so keys are plain data.
import {useCallback, useRef, useState} from 'react';
import {defaultSort, nextSort, type SortKey, type SortState} from '../layout/instance-order.js';
import type {BodyView} from '../layout/screen-layout.js';

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
	/** The table's order (C, M, N; the same key again reverses). */
	sort: SortState;
	/** Names shown: a substring or a simple glob; '' shows all. */
	filter: string;
	/** While `/` is being typed: the text so far (the table follows it as it is typed); null otherwise. */
	filterInput: string | null;
	/** `t` gives the body to the table; `e` to the table and the event log, with the log's keys. */
	view: BodyView;
	/** Event lines scrolled back from the newest (0: the newest at the bottom). */
	logScroll: number;
	/** The chart page shown, 1-based (`c` cycles when the sources need more than one). */
	chartPage: number;
	/** The list of every concern replaces the body (`a`). */
	concerns: boolean;
	/** The stack panel (the project's other services) expanded to a line each (`x`); null: expanded only on a wide screen. */
	stackExpanded: boolean | null;
}

export type MonitorUiAction =
	| {type: 'select-next'; ids: readonly string[]}
	| {type: 'select-previous'; ids: readonly string[]}
	| {type: 'select-page'; ids: readonly string[]; delta: number}
	| {type: 'select-first'; ids: readonly string[]}
	| {type: 'select-last'; ids: readonly string[]}
	/** Selects an instance; `clearFilter` when the filter hides it. */
	| {type: 'select-id'; id: string; clearFilter?: boolean}
	| {type: 'sort'; key: SortKey}
	| {type: 'filter-open'}
	| {type: 'filter-type'; text: string}
	| {type: 'filter-erase'}
	/** Enter: the typed filter stays. */
	| {type: 'filter-accept'}
	/** Esc: no filter. */
	| {type: 'filter-clear'}
	| {type: 'toggle-view'; view: Exclude<BodyView, 'normal'>}
	| {type: 'close-view'}
	/** Scrolls the log: by lines (positive goes back in time), or to its oldest/newest end. */
	| {type: 'log-scroll'; delta: number | 'oldest' | 'newest'; max: number}
	| {type: 'set-window'; window: ChartWindow}
	| {type: 'toggle-pause'}
	| {type: 'toggle-help'}
	| {type: 'close-help'}
	| {type: 'next-chart-page'; pages: number}
	| {type: 'toggle-concerns'}
	| {type: 'toggle-stack'; wide: boolean};

export const initialUiState: MonitorUiState = {
	selectedId: null,
	window: '5m',
	paused: false,
	help: false,
	sort: defaultSort,
	filter: '',
	filterInput: null,
	view: 'normal',
	logScroll: 0,
	chartPage: 1,
	concerns: false,
	stackExpanded: null,
};

/** The longest filter typed: a name is never longer. */
export const maxFilterLength = 64;

/** Whether the stack panel shows a line per service: as chosen with `x`, else on a wide screen only. */
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
		case 'select-page':
			return {...state, selectedId: step(action.ids, state.selectedId, action.delta)};
		case 'select-first':
			return action.ids.length === 0 ? state : {...state, selectedId: action.ids[0]!};
		case 'select-last':
			return action.ids.length === 0 ? state : {...state, selectedId: action.ids[action.ids.length - 1]!};
		case 'select-id':
			return {...state, selectedId: action.id, ...(action.clearFilter ? {filter: '', filterInput: null} : {})};
		case 'sort':
			return {...state, sort: nextSort(state.sort, action.key)};
		case 'filter-open':
			return {...state, filterInput: state.filter};
		case 'filter-type':
			if (state.filterInput === null) return state;
			return {...state, filterInput: (state.filterInput + action.text).slice(0, maxFilterLength), filter: (state.filterInput + action.text).slice(0, maxFilterLength)};
		case 'filter-erase':
			if (state.filterInput === null) return state;
			return {...state, filterInput: state.filterInput.slice(0, -1), filter: state.filterInput.slice(0, -1)};
		case 'filter-accept':
			return state.filterInput === null ? state : {...state, filterInput: null, filter: state.filterInput.trim()};
		case 'filter-clear':
			return state.filter === '' && state.filterInput === null ? state : {...state, filter: '', filterInput: null};
		case 'toggle-view':
			return {...state, view: state.view === action.view ? 'normal' : action.view, logScroll: 0};
		case 'close-view':
			return state.view === 'normal' ? state : {...state, view: 'normal', logScroll: 0};
		case 'log-scroll': {
			const next = action.delta === 'oldest' ? action.max : action.delta === 'newest' ? 0 : state.logScroll + action.delta;
			const clamped = Math.max(0, Math.min(action.max, next));
			return clamped === state.logScroll ? state : {...state, logScroll: clamped};
		}

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

/**
 * The reducer's state, its dispatch, and a getter that is current between renders: keys that arrive together (`/api`
 * typed fast, tmux send-keys) are handled one after the other before React renders, and each must see what the one
 * before did (the filter input it opened).
 */
export function useMonitorState(initial: Partial<MonitorUiState> = {}): [MonitorUiState, (action: MonitorUiAction) => void, () => MonitorUiState] {
	const ref = useRef<MonitorUiState | null>(null);
	ref.current ??= {...initialUiState, ...initial};
	const [state, setState] = useState<MonitorUiState>(ref.current);
	const dispatch = useCallback((action: MonitorUiAction) => {
		const next = monitorUiReducer(ref.current!, action);
		if (next === ref.current) return;
		ref.current = next;
		setState(next);
	}, []);
	const get = useCallback(() => ref.current!, []);
	return [state, dispatch, get];
}
