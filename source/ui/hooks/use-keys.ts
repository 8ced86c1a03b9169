// Keys → actions. Handled on arrival, independent of the data clock, so they respond at once.
// Reserved for the actions of later issues: + - s d (and Esc to cancel them); not bound here.
import {useInput, useStdin} from 'ink';
import type {MonitorActions} from '../contexts/monitor-actions-context.js';
import {windowKeys} from './use-monitor-state.js';

export function useKeys(actions: MonitorActions, help: boolean): void {
	const {isRawModeSupported} = useStdin();
	useInput(
		(input, key) => {
			if (key.ctrl && input === 'c') {
				actions.quit(130);
				return;
			}

			if (input === 'q') {
				actions.quit(0);
				return;
			}

			if (input === '?') {
				actions.toggleHelp();
				return;
			}

			if (key.escape) {
				actions.closeHelp();
				return;
			}

			// The overlay covers the screen: keys that change it would act unseen.
			if (help) return;
			if (key.downArrow || input === 'j') {
				actions.selectNext();
			} else if (key.upArrow || input === 'k') {
				actions.selectPrevious();
			} else if (input === 'p') {
				actions.togglePause();
			} else if (input.length === 1 && input >= '1' && input <= '4') {
				actions.setWindow(windowKeys[Number(input) - 1]!);
			}
		},
		// Without a TTY on stdin (piped) there are no keys; the screen still runs and Ctrl-C is a real SIGINT.
		{isActive: isRawModeSupported},
	);
}
