// Keys → actions. Handled on arrival, independent of the data clock, so they respond at once.
// The action keys (+ - s d, and y / Esc in their dialogs) go to the actions first (use-actions.ts decides, with the
// held-key rules of use-action-state.ts); what they do not take is the monitor's.
import {useInput, useStdin, type Key} from 'ink';
import type {MonitorActions} from '../contexts/monitor-actions-context.js';
import {windowKeys} from './use-monitor-state.js';

/**
 * The keys in one input event, by name: the character typed, or `escape`, `return`, `backspace`, `delete`, `up`,
 * `down`, … Ink hands over plain text that arrived together (fast typing, a held key read late, tmux send-keys, a
 * paste) as one string; each character is its own key here, in order. A paste therefore cannot answer a
 * confirmation: its characters arrive in the same instant, inside the dialog's guard time, and are ignored.
 * Other Ctrl and Alt combinations are no keys of ours.
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
	if (key.tab) return ['tab'];
	if (key.ctrl || key.meta) return [];
	return Array.from(input);
}

export function useKeys(actions: MonitorActions, help: boolean): void {
	const {isRawModeSupported} = useStdin();
	const handle = (name: string) => {
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
		if (help) return;
		if (name === 'down' || name === 'j') {
			actions.selectNext();
		} else if (name === 'up' || name === 'k') {
			actions.selectPrevious();
		} else if (name === 'p') {
			actions.togglePause();
		} else if (name === 'c') {
			actions.nextChartPage();
		} else if (name === 'e') {
			actions.toggleStack();
		} else if (name.length === 1 && name >= '1' && name <= '4') {
			actions.setWindow(windowKeys[Number(name) - 1]!);
		}
	};

	useInput(
		(input, key) => {
			if (key.ctrl && input === 'c') {
				actions.quit(130);
				return;
			}

			for (const name of keyNames(input, key)) handle(name);
		},
		// Without a TTY on stdin (piped) there are no keys; the screen still runs and Ctrl-C is a real SIGINT.
		{isActive: isRawModeSupported},
	);
}
