// The action dialogs (count input, confirmation, notices) and the action in progress, as a typed reducer; and the
// pure decision of what a key means in each of them. What a key DOES (calling the runner) lives in use-actions.ts.
//
// Issue 7: a held-down key must not both open and confirm an action. So a confirmation takes only `y`; the key that
// opened a dialog is ignored while it is open (its auto-repeats neither confirm nor cancel-and-reopen); every key in
// the first guardMs after a confirmation or notice opens is ignored; and an action key arriving within repeatMs of the
// same key is an auto-repeat, not a new press.
import {useCallback, useRef, useState} from 'react';
import type {ActionPlan, ActionResult} from '../../actions/action-runner.js';
import type {DrainProgress} from '../../actions/drain.js';

/** Keys after a confirmation or notice opens that are ignored: a held or fast-typed key cannot answer it. */
export const defaultGuardMs = 300;
/** Terminals repeat a held key every ~30-50 ms once repeating; a press of the same key sooner than this is a repeat. */
export const repeatMs = 120;
/** Digits the count input takes. */
export const maxCountDigits = 3;

export type NoticeTone = 'refused' | 'failed' | 'done' | 'aborted' | 'dry-run' | 'info';

export type ActionDialog =
	| {kind: 'none'}
	| {kind: 'input'; text: string; opener: string; openedAt: number}
	| {kind: 'confirm'; plan: ActionPlan; opener: string; openedAt: number}
	| {
			kind: 'notice';
			tone: NoticeTone;
			title: string;
			text: string;
			/** The key that caused it (its repeats are ignored), null when the notice came by itself (a result). */
			opener: string | null;
			openedAt: number;
			/** Epoch ms after which it closes by itself; null: stays until a key. */
			closesAt: number | null;
	  };

export interface RunningAction {
	plan: ActionPlan;
	/** The drain's last progress report; null before the first one (and always for a scale-up). */
	progress: DrainProgress | null;
	/** Esc was pressed; the runner is putting the instance back. */
	aborting: boolean;
}

export interface ActionUiState {
	dialog: ActionDialog;
	running: RunningAction | null;
	/** The previous key and when it came, to tell a held key's repeats from a press. */
	lastKey: {name: string; at: number} | null;
}

export const initialActionState: ActionUiState = {dialog: {kind: 'none'}, running: null, lastKey: null};

export type ActionUiAction =
	| {type: 'key'; name: string; at: number}
	| {type: 'open-input'; opener: string; at: number}
	| {type: 'input-type'; digit: string}
	| {type: 'input-erase'}
	| {type: 'open-confirm'; plan: ActionPlan; opener: string; at: number}
	| {type: 'notice'; tone: NoticeTone; title: string; text: string; opener: string | null; at: number; closesAt?: number | null}
	| {type: 'close'}
	/** Closes the notice only if it is still the one opened at `openedAt` (a timer's close). */
	| {type: 'expire'; openedAt: number}
	| {type: 'start'; plan: ActionPlan}
	| {type: 'progress'; progress: DrainProgress}
	| {type: 'aborting'}
	| {type: 'finish'; result: ActionResult; at: number};

const noDialog: ActionDialog = {kind: 'none'};

/** How long a result stays up by itself: successes go away, anything to read closely stays until a key. */
export const resultNoticeMs = 8000;

export function resultTone(result: ActionResult): NoticeTone {
	switch (result.result) {
		case 'ok':
			return 'done';
		case 'refused':
			return 'refused';
		case 'failed':
			return 'failed';
		case 'aborted':
			return 'aborted';
		case 'dry-run':
			return 'dry-run';
	}
}

const toneTitle: Record<NoticeTone, string> = {
	done: 'done',
	refused: 'refused',
	failed: 'FAILED',
	aborted: 'aborted',
	'dry-run': 'DRY RUN: nothing was changed',
	info: '',
};

export function resultTitle(result: ActionResult): string {
	const what =
		result.action === 'drain'
			? `drain ${result.instance ?? ''}`.trim()
			: result.action === 'node'
				? `node ${result.instance ?? ''}`.trim()
				: result.from !== null && result.to !== null
					? `scale ${result.from} → ${result.to}`
					: 'scale';
	return `${what}: ${toneTitle[resultTone(result)]}`;
}

export function actionUiReducer(state: ActionUiState, action: ActionUiAction): ActionUiState {
	switch (action.type) {
		case 'key':
			return {...state, lastKey: {name: action.name, at: action.at}};
		case 'open-input':
			return {...state, dialog: {kind: 'input', text: '', opener: action.opener, openedAt: action.at}};
		case 'input-type':
			if (state.dialog.kind !== 'input' || state.dialog.text.length >= maxCountDigits) return state;
			return {...state, dialog: {...state.dialog, text: state.dialog.text + action.digit}};
		case 'input-erase':
			if (state.dialog.kind !== 'input') return state;
			return {...state, dialog: {...state.dialog, text: state.dialog.text.slice(0, -1)}};
		case 'open-confirm':
			return {...state, dialog: {kind: 'confirm', plan: action.plan, opener: action.opener, openedAt: action.at}};
		case 'notice':
			return {
				...state,
				dialog: {kind: 'notice', tone: action.tone, title: action.title, text: action.text, opener: action.opener, openedAt: action.at, closesAt: action.closesAt ?? null},
			};
		case 'close':
			return state.dialog.kind === 'none' ? state : {...state, dialog: noDialog};
		case 'expire':
			return state.dialog.kind === 'notice' && state.dialog.openedAt === action.openedAt ? {...state, dialog: noDialog} : state;
		case 'start':
			return {...state, dialog: noDialog, running: {plan: action.plan, progress: null, aborting: false}};
		case 'progress':
			return state.running === null ? state : {...state, running: {...state.running, progress: action.progress}};
		case 'aborting':
			return state.running === null ? state : {...state, running: {...state.running, aborting: true}};
		case 'finish': {
			const tone = resultTone(action.result);
			// A notice the user is reading (busy, say) is replaced: the result is the news now.
			return {
				...state,
				running: null,
				dialog: {
					kind: 'notice',
					tone,
					title: resultTitle(action.result),
					text: action.result.message,
					opener: null,
					openedAt: action.at,
					closesAt: tone === 'done' || tone === 'aborted' ? action.at + resultNoticeMs : null,
				},
			};
		}
	}
}

/** The keys that start an action. */
export const actionKeys = {'+': 'scale-up', '-': 'scale-down', s: 'input', d: 'drain', D: 'node'} as const;
export type ActionKeyName = keyof typeof actionKeys;

export function isActionKey(name: string): name is ActionKeyName {
	return Object.hasOwn(actionKeys, name);
}

export type KeyDecision =
	/** Not for the actions: the monitor's own keys (select, window, help…) handle it. */
	| {kind: 'pass'}
	/** Swallowed: a repeat of the opener, a key inside the guard time, a key the dialog has no use for. */
	| {kind: 'ignore'; why: 'opener' | 'guard' | 'repeat' | 'unused'}
	| {kind: 'confirm'}
	/** A scale with several engines: plan it again on the next host. */
	| {kind: 'rehost'}
	| {kind: 'cancel'}
	| {kind: 'close'}
	| {kind: 'type'; digit: string}
	| {kind: 'erase'}
	| {kind: 'submit'}
	| {kind: 'open'; action: (typeof actionKeys)[ActionKeyName]; opener: ActionKeyName}
	| {kind: 'abort'}
	| {kind: 'busy-quit'};

export interface KeyContext {
	now: number;
	/** Action keys are bound: a runner is there and not --read-only. */
	bound: boolean;
	/** The help overlay covers the screen: no action key acts unseen. */
	help: boolean;
	guardMs?: number;
}

/** What a key means for the actions, given the dialog open now. Pure: the tests drive it directly too. */
export function decideKey(state: ActionUiState, name: string, context: KeyContext): KeyDecision {
	const {dialog, running} = state;
	const guard = context.guardMs ?? defaultGuardMs;
	const sinceOpen = (openedAt: number) => context.now - openedAt;
	switch (dialog.kind) {
		case 'confirm':
			if (name === dialog.opener) return {kind: 'ignore', why: 'opener'};
			if (sinceOpen(dialog.openedAt) < guard) return {kind: 'ignore', why: 'guard'};
			if (name === 'h' && dialog.plan.kind === 'scale' && (dialog.plan.hosts?.length ?? 0) > 1) return {kind: 'rehost'};
			return name === 'y' ? {kind: 'confirm'} : {kind: 'cancel'};
		case 'input':
			if (name === dialog.opener) return {kind: 'ignore', why: 'opener'};
			if (/^[0-9]$/.test(name)) return {kind: 'type', digit: name};
			if (name === 'backspace' || name === 'delete') return {kind: 'erase'};
			if (name === 'return') return {kind: 'submit'};
			if (name === 'escape') return {kind: 'cancel'};
			return {kind: 'ignore', why: 'unused'};
		case 'notice':
			// A success that closes by itself asks nothing: keys act as usual (the caller closes it first).
			if (dialog.closesAt !== null) break;
			if (dialog.opener !== null && name === dialog.opener) return {kind: 'ignore', why: 'opener'};
			if (sinceOpen(dialog.openedAt) < guard) return {kind: 'ignore', why: 'guard'};
			return {kind: 'close'};
		case 'none':
			break;
	}

	// Quitting would leave a drained instance out of the balancer: q asks to abort first (Ctrl-C still quits).
	if (running !== null && name === 'q') return {kind: 'busy-quit'};
	if (context.help || !context.bound) return {kind: 'pass'};
	if (isActionKey(name)) {
		// A key still held after its dialog closed (confirmed, say) must not open the next one.
		if (state.lastKey !== null && state.lastKey.name === name && context.now - state.lastKey.at < repeatMs) return {kind: 'ignore', why: 'repeat'};
		return {kind: 'open', action: actionKeys[name], opener: name};
	}

	if (running !== null && name === 'escape') return {kind: 'abort'};
	return {kind: 'pass'};
}

/** A notice that waits for a key (a refusal, a failure, a dry run); a success closes by itself and takes no key. */
export function isModal(dialog: ActionDialog): boolean {
	return dialog.kind !== 'none' && !(dialog.kind === 'notice' && dialog.closesAt !== null);
}

/** True while the drain (or a scale-down's drain) may still be aborted: before the stop begins. */
export function canAbort(running: RunningAction | null): boolean {
	if (running === null || running.aborting) return false;
	if ((running.plan.kind === 'scale' && running.plan.direction === 'up') || running.plan.kind === 'node') return false;
	return running.progress === null || running.progress.abortable;
}

/**
 * The reducer's state, plus a getter that is current between renders: two keys can arrive before React renders
 * again, and the second must see what the first did (the dialog it opened), never a stale closure's view.
 */
export function useActionState(initial: Partial<ActionUiState> = {}): [ActionUiState, (action: ActionUiAction) => void, () => ActionUiState] {
	const ref = useRef<ActionUiState>({...initialActionState, ...initial});
	const [state, setState] = useState<ActionUiState>(ref.current);
	const dispatch = useCallback((action: ActionUiAction) => {
		const next = actionUiReducer(ref.current, action);
		if (next === ref.current) return;
		ref.current = next;
		// The last key is never shown: remembering it must not re-render the screen on every key.
		if (action.type !== 'key') setState(next);
	}, []);
	const get = useCallback(() => ref.current, []);
	return [state, dispatch, get];
}
