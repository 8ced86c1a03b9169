// The scale/drain actions as the screen sees them: the runner (the one place with the safety rules), what it is doing
// to each instance, and the dialog open now. Data, so it travels apart from the stable key callbacks
// (MonitorActionsContext) and from the monitor's data (MonitorStateContext).
import {createContext, useContext} from 'react';
import type {ActionPlan, ActionRunner, InstanceActivity} from '../../actions/action-runner.js';
import type {ActionUiState} from '../hooks/use-action-state.js';

export interface ActionsView {
	/** null: a screen without actions (no runner given). */
	runner: ActionRunner | null;
	/** Action keys work: a runner, and not --read-only. */
	bound: boolean;
	readOnly: boolean;
	dryRun: boolean;
	/** Per instance name, what an action is doing to it or did last (the runner's; visibleActivity picks what rows show). */
	activity: ReadonlyMap<string, InstanceActivity>;
	/** When an entry of `activity` was first seen (epoch ms). */
	seen(entry: InstanceActivity): number;
	/** The runner's action in progress. */
	inProgress: ActionPlan | null;
	ui: ActionUiState;
}

export const ActionsContext = createContext<ActionsView | undefined>(undefined);

export function useActionsView(): ActionsView {
	const value = useContext(ActionsContext);
	if (value === undefined) throw new Error('useActionsView outside <ActionsContext>');
	return value;
}
