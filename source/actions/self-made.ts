// Which instances va-top's own action is changing, as the rules want to know it: their coming and going is no breach.
import type {SelfMadeChanges} from '../core/rules.js';
import type {ActionRunner} from './action-runner.js';

/**
 * The instances the runner named (drained, stopped, removed, created: its activity entries) and whether an action
 * runs now. The monitor bounds each name to a window after it was first named (core/monitor.ts selfMadeWindowMs),
 * since the runner keeps its last action's entries until the next action begins.
 */
export function selfMadeChanges(runner: Pick<ActionRunner, 'activity' | 'inProgress'>): SelfMadeChanges {
	return {names: new Set(runner.activity().keys()), window: runner.inProgress() !== null};
}
