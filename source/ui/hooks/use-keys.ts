// Keys → actions. Handled on arrival, independent of the data clock, so they respond at once.
// The autoscaler's countdown and its question take any key first (a key cancels the act; use-autoscale.ts). While `/`
// is typed every key is text for the filter. Otherwise Esc closes what is open, nearest first: the filter input, the
// help or the list of concerns, the focused log or the table view, the filter; then the autoscaler has its A (and Esc
// for its own drain), then the action keys (+ - s d, and y / Esc in their dialogs) go to the actions
// (use-actions.ts decides, with the held-key rules of use-action-state.ts); what they do not take is the monitor's.
import {useInput, useStdin, type Key} from 'ink';
import type {MonitorActions} from '../contexts/monitor-actions-context.js';
import {sortKeyFor} from '../layout/instance-order.js';
import type {MonitorUiState} from './use-monitor-state.js';
import {windowKeys} from './use-monitor-state.js';

/**
 * The keys in one input event, by name: the character typed, or `escape`, `return`, `backspace`, `delete`, `up`,
 * `down`, `pageup`, `pagedown`, `home`, `end`, … Ink hands over plain text that arrived together (fast typing, a held
 * key read late, tmux send-keys, a paste) as one string; each character is its own key here, in order. A paste
 * therefore cannot answer a confirmation: its characters arrive in the same instant, inside the dialog's guard time,
 * and are ignored. Other Ctrl and Alt combinations are no keys of ours.
 */
export function keyNames(input: string, key: Key): string[] {
	if (key.escape) return ['escape'];
	if (key.return) return ['return'];
	if (key.backspace) return ['backspace'];
	if (key.delete) return ['delete'];
	if (key.upArrow) return ['up'];
	if (key.downArrow) return ['down'];
	if (key.leftArrow) return ['left'];
	if (key.rightArrow) return ['right'];
	if (key.pageUp) return ['pageup'];
	if (key.pageDown) return ['pagedown'];
	if (key.home) return ['home'];
	if (key.end) return ['end'];
	if (key.tab) return ['tab'];
	if (key.ctrl || key.meta) return [];
	return Array.from(input);
}

/** The monitor's state a key's meaning depends on. */
export type KeyState = Pick<MonitorUiState, 'help' | 'concerns' | 'filter' | 'filterInput' | 'view'>;

/** True when Esc has something of the monitor's to close (then it does not abort a drain). */
export function escapeCloses(state: KeyState): boolean {
	return state.filterInput !== null || state.help || state.concerns || state.view !== 'normal' || state.filter !== '';
}

/** What one key does, given the state; the action keys have had their turn unless noted. */
export function handleKey(name: string, state: KeyState, actions: MonitorActions): void {
	if (actions.autoscaleKey(name, true)) return;
	// Typing a filter: every key is text, so a name with j, k or q in it can be typed.
	if (state.filterInput !== null) {
		if (name === 'return') actions.acceptFilter();
		else if (name === 'escape') actions.clearFilter();
		else if (name === 'backspace' || name === 'delete') actions.eraseFilter();
		else if (Array.from(name).length === 1) actions.typeFilter(name);
		return;
	}

	if (name === 'escape' && escapeCloses(state) && !actions.actionDialogOpen()) {
		if (state.help || state.concerns) actions.closeHelp();
		else if (state.view !== 'normal') actions.closeView();
		else actions.clearFilter();
		return;
	}

	if (actions.autoscaleKey(name)) return;
	if (actions.actionKey(name)) return;
	if (name === 'q') {
		actions.quit(0);
		return;
	}

	if (name === '?') {
		actions.toggleHelp();
		return;
	}

	if (name === 'escape') {
		actions.closeHelp();
		return;
	}

	if (name === 'a') {
		actions.toggleConcerns();
		return;
	}

	// The overlay covers the screen: keys that change it would act unseen.
	if (state.help || state.concerns) return;
	if (state.view === 'log') {
		// The log has the focus: the usual moving keys scroll it (up: older lines).
		const scroll: Record<string, Parameters<MonitorActions['scrollLog']>[0]> = {
			up: 1,
			k: 1,
			down: -1,
			j: -1,
			pageup: 'page-up',
			pagedown: 'page-down',
			g: 'oldest',
			home: 'oldest',
			G: 'newest',
			end: 'newest',
		};
		const by = scroll[name];
		if (by !== undefined) {
			actions.scrollLog(by);
			return;
		}
	}

	const sortKey = sortKeyFor(name);
	if (sortKey !== undefined) {
		actions.sortBy(sortKey);
		return;
	}

	switch (name) {
		case 'down':
		case 'j':
			actions.selectNext();
			return;
		case 'up':
		case 'k':
			actions.selectPrevious();
			return;
		case 'pagedown':
			actions.selectPage(1);
			return;
		case 'pageup':
			actions.selectPage(-1);
			return;
		case 'g':
		case 'home':
			actions.selectFirst();
			return;
		case 'G':
		case 'end':
			actions.selectLast();
			return;
		case '!':
			actions.selectWorst();
			return;
		case '/':
			actions.openFilter();
			return;
		case 't':
			actions.toggleView('table');
			return;
		case 'e':
			actions.toggleView('log');
			return;
		case 'p':
			actions.togglePause();
			return;
		case 'c':
			actions.nextChartPage();
			return;
		case 'S':
			actions.snapshot();
			return;
		case 'x':
			actions.toggleStack();
			return;
		default:
			if (name.length === 1 && name >= '1' && name <= '4') actions.setWindow(windowKeys[Number(name) - 1]!);
	}
}

/** `state` is read at each key: keys handled in one input event see what the previous one changed. */
export function useKeys(actions: MonitorActions, state: () => KeyState): void {
	const {isRawModeSupported} = useStdin();
	useInput(
		(input, key) => {
			if (key.ctrl && input === 'c') {
				actions.quit(130);
				return;
			}

			for (const name of keyNames(input, key)) handleKey(name, state(), actions);
		},
		// Without a TTY on stdin (piped) there are no keys; the screen still runs and Ctrl-C is a real SIGINT.
		{isActive: isRawModeSupported},
	);
}
