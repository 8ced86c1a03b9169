// The autoscaler as the screen sees it: its view (the preview line), whether `A` is bound, and whether the one-line
// "turn autoscaling on?" confirmation is open. Optional: a screen mounted without an autoscaler shows no line.
import {createContext} from 'react';
import type {AutoscalerView} from '../../actions/autoscaler.js';

export interface AutoscaleUi {
	view: AutoscalerView;
	/** `A` turns autoscaling on (after y) and off: a runner that may act. */
	bound: boolean;
	/** The confirmation to turn it on is open in the line. */
	confirming: boolean;
	/** The policy in a few words, for the confirmation: `2..10 instances, avg CPU > 70 % / < 30 %`. */
	summary: string;
}

export const AutoscaleContext = createContext<AutoscaleUi | undefined>(undefined);
