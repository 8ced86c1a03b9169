// Keys → actions. Handled on arrival, independent of the data clock, so they respond at once.
// The action keys (+ - s d, and y / Esc in their dialogs) go to the actions first (use-actions.ts decides, with the
// held-key rules of use-action-state.ts); what they do not take is the monitor's.
import {useInput, useStdin, type Key} from 'ink';
import type {MonitorActions} from '../contexts/monitor-actions-context.js';
import {windowKeys} from './use-monitor-state.js';

/**
 * One name per key: the character typed, or `escape`, `return`, `backspace`, `delete`, `up`, `down`, … A chunk of
 * one character repeated (a held key the terminal sent faster than it was read) is that character once; any other
 * multi-character chunk (a paste) is kept whole, so it matches no key and can never answer a confirmation.
 */
export function keyName(input: string, key: Key): string {
	if (key.escape) return 'escape';
	if (key.return) return 'return';
	if (key.backspace) return 'backspace';
	if (key.delete) return 'delete';
	if (key.upArrow) return 'up';
	if (key.downArrow) return 'down';
	if (key.leftArrow) return 'left';
	if (key.rightArrow) return 'right';
	if (key.tab) return 'tab';
	const chars = Array.from(input);
	if (chars.length > 1 && chars.every(char => char === chars[0])) return chars[0]!;
	return input;
}

export function useKeys(actions: MonitorActions, help: boolean): void {
	const {isRawModeSupported} = useStdin();
	useInput(
		(input, key) => {
			if (key.ctrl && input === 'c') {
				actions.quit(130);
				return;
			}

			const name = keyName(input, key);
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

			// The overlay covers the screen: keys that change it would act unseen.
			if (help) return;
			if (name === 'down' || name === 'j') {
				actions.selectNext();
			} else if (name === 'up' || name === 'k') {
				actions.selectPrevious();
			} else if (name === 'p') {
				actions.togglePause();
			} else if (name.length === 1 && name >= '1' && name <= '4') {
				actions.setWindow(windowKeys[Number(name) - 1]!);
			}
		},
		// Without a TTY on stdin (piped) there are no keys; the screen still runs and Ctrl-C is a real SIGINT.
		{isActive: isRawModeSupported},
	);
}
