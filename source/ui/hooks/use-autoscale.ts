// The autoscaler's keys in the live monitor: `A` asks to turn autoscaling on (y confirms, any other key cancels) and
// turns it off at once; any key during a countdown cancels the act and turns it off; Esc aborts its drain. The
// autoscaler itself (actions/autoscaler.ts) decides and acts; this hook only asks it and keeps the prompt's state.
import {useCallback, useMemo, useRef, useState, useSyncExternalStore} from 'react';
import type {Autoscaler, AutoscalerView} from '../../actions/autoscaler.js';
import type {AutoscaleUi} from '../contexts/autoscale-context.js';
import {defaultGuardMs, repeatMs} from './use-action-state.js';

export const autoscaleKey = 'A';

export interface UseAutoscaleInput {
	autoscaler: Autoscaler | null;
	/** A runner that may act (not --read-only). */
	bound: boolean;
	summary: string;
	/** A dialog of the scale/drain keys is open: `A` waits until it is closed. */
	dialogOpen: () => boolean;
	guardMs?: number;
	clock?: () => number;
}

const noSubscribe = () => () => {};

export function useAutoscale({autoscaler, bound, summary, dialogOpen, guardMs = defaultGuardMs, clock = Date.now}: UseAutoscaleInput): {ui: AutoscaleUi | undefined; onKey(name: string, capture?: boolean): boolean} {
	const view = useSyncExternalStore<AutoscalerView | null>(autoscaler ? autoscaler.subscribe : noSubscribe, () => autoscaler?.view() ?? null);
	const [confirming, setConfirming] = useState<{openedAt: number} | null>(null);
	const confirmRef = useRef(confirming);
	confirmRef.current = confirming;
	const lastA = useRef(0);
	const live = useRef({autoscaler, bound, dialogOpen, guardMs, clock});
	live.current = {autoscaler, bound, dialogOpen, guardMs, clock};

	const onKey = useCallback((name: string, capture = false): boolean => {
		const {autoscaler: scaler, bound: keysBound, dialogOpen: open, guardMs: guard, clock: now} = live.current;
		if (scaler === null) return false;
		const at = now();
		const prompt = confirmRef.current;
		if (prompt !== null) {
			// The key that opened it, held down, neither confirms nor cancels; nor does anything in the first moments.
			if (name === autoscaleKey || at - prompt.openedAt < guard) return true;
			confirmRef.current = null;
			setConfirming(null);
			// Another key came between: the next A is a press of its own, not the first one held.
			lastA.current = 0;
			if (name === 'y') scaler.enable('A, confirmed');
			return true;
		}

		const current = scaler.view();
		if (current.countdown !== null) {
			scaler.cancel(name === autoscaleKey ? 'A pressed' : `key ${name === ' ' ? 'space' : name} pressed`);
			if (name === autoscaleKey) lastA.current = at;
			return true;
		}

		// Capture: only the countdown and the question above take a key before everything else.
		if (capture) return false;
		if (name === 'escape' && current.acting !== null) return scaler.cancel('Esc pressed', true);
		if (name !== autoscaleKey || !keysBound || open()) return false;
		// A held A must not turn it off and on again.
		if (at - lastA.current < repeatMs) {
			lastA.current = at;
			return true;
		}

		lastA.current = at;
		if (current.enabled) {
			scaler.disable('A pressed');
			return true;
		}

		const next = {openedAt: at};
		confirmRef.current = next;
		setConfirming(next);
		return true;
	}, []);

	const ui = useMemo<AutoscaleUi | undefined>(
		() => (view === null ? undefined : {view, bound, confirming: confirming !== null, summary}),
		[view, bound, confirming, summary],
	);
	return {ui, onKey};
}
