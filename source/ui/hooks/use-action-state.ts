// The action dialogs (the count typed after `s`, the confirmation), the one-line status of results and refusals, and
// the action in progress, as a typed reducer; and the pure decision of what a key means in each of them. What a key
// DOES (calling the runner) lives in use-actions.ts. Only the confirmation covers part of the screen; results and
// refusals are a status line (and an event log entry), so the charts stay in view while the effect shows.
//
// Issue 7: a held-down key must not both open and confirm an action. So a confirmation takes only `y` (or, for a jump
// of more than one outside --min/--max, the number removed, typed, then Enter); the key that opened a dialog is
// ignored while it is open (its auto-repeats neither confirm nor cancel-and-reopen); every key in the first guardMs
// after a confirmation opens is ignored; and an action key arriving within repeatMs of the same key is an auto-repeat,
// not a new press.
import {useCallback, useRef, useState} from 'react';
import type {ActionPlan, ActionResult} from '../../actions/action-runner.js';
import type {DrainProgress} from '../../actions/drain.js';

/** Keys after a confirmation opens that are ignored: a held or fast-typed key cannot answer it. */
export const defaultGuardMs = 300;
/** Terminals repeat a held key every ~30-50 ms once repeating; a press of the same key sooner than this is a repeat. */
export const repeatMs = 120;
/** Digits the count input takes. */
export const maxCountDigits = 3;

export type NoticeTone = 'refused' | 'failed' | 'done' | 'aborted' | 'dry-run' | 'info';

export type ActionDialog =
	| {kind: 'none'}
	| {kind: 'input'; text: string; opener: string; openedAt: number}
	/** `typed`: what was typed of the explicit confirmation (plan.confirmText), '' when `y` confirms. */
	| {kind: 'confirm'; plan: ActionPlan; opener: string; openedAt: number; typed: string};

/** One line on the status line: a result, a refusal, a word about the keys. It takes no key. */
export interface ActionStatus {
	tone: NoticeTone;
	text: string;
	at: number;
	/** Epoch ms after which it goes by itself. */
	closesAt: number;
}

export interface RunningAction {
	plan: ActionPlan;
	/** The drain's last progress report; null before the first one (and always for a scale-up). */
	progress: DrainProgress | null;
	/** Esc was pressed; the runner is putting the instance back. */
	aborting: boolean;
}

export interface ActionUiState {
	dialog: ActionDialog;
	status: ActionStatus | null;
	running: RunningAction | null;
	/** The previous key and when it came, to tell a held key's repeats from a press. */
	lastKey: {name: string; at: number} | null;
}

export const initialActionState: ActionUiState = {dialog: {kind: 'none'}, status: null, running: null, lastKey: null};

export type ActionUiAction =
	| {type: 'key'; name: string; at: number}
	| {type: 'open-input'; opener: string; at: number}
	| {type: 'input-type'; digit: string}
	| {type: 'input-erase'}
	| {type: 'open-confirm'; plan: ActionPlan; opener: string; at: number}
	| {type: 'confirm-type'; digit: string}
	| {type: 'confirm-erase'}
	| {type: 'status'; tone: NoticeTone; text: string; at: number; closesAt?: number}
	| {type: 'close'}
	/** Clears the status only if it is still the one shown at `at` (a timer's close). */
	| {type: 'expire'; at: number}
	| {type: 'start'; plan: ActionPlan}
	| {type: 'progress'; progress: DrainProgress}
	| {type: 'aborting'}
	| {type: 'finish'; result: ActionResult; at: number};

const noDialog: ActionDialog = {kind: 'none'};

/** How long a result or a word about the keys stays on the status line; failures and refusals longer. */
export const resultNoticeMs = 8000;
export const problemNoticeMs = 30_000;

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
			return {...state, dialog: {kind: 'confirm', plan: action.plan, opener: action.opener, openedAt: action.at, typed: ''}};
		case 'confirm-type':
			if (state.dialog.kind !== 'confirm' || state.dialog.typed.length >= maxCountDigits) return state;
			return {...state, dialog: {...state.dialog, typed: state.dialog.typed + action.digit}};
		case 'confirm-erase':
			if (state.dialog.kind !== 'confirm') return state;
			return {...state, dialog: {...state.dialog, typed: state.dialog.typed.slice(0, -1)}};
		case 'status':
			return {...state, status: {tone: action.tone, text: action.text, at: action.at, closesAt: action.closesAt ?? action.at + (action.tone === 'refused' || action.tone === 'failed' ? problemNoticeMs : resultNoticeMs)}};
		case 'close':
			return state.dialog.kind === 'none' ? state : {...state, dialog: noDialog};
		case 'expire':
			return state.status !== null && state.status.at === action.at ? {...state, status: null} : state;
		case 'start':
			return {...state, dialog: noDialog, status: null, running: {plan: action.plan, progress: null, aborting: false}};
		case 'progress':
			return state.running === null ? state : {...state, running: {...state.running, progress: action.progress}};
		case 'aborting':
			return state.running === null ? state : {...state, running: {...state.running, aborting: true}};
		case 'finish': {
			const tone = resultTone(action.result);
			// The result is the news now: it replaces whatever the status said. The event log has it too.
			return {
				...state,
				running: null,
				status: {tone, text: action.result.message, at: action.at, closesAt: action.at + (tone === 'failed' || tone === 'refused' ? problemNoticeMs : resultNoticeMs)},
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
	| {kind: 'type'; digit: string}
	| {kind: 'erase'}
	| {kind: 'submit'}
	/** A digit or Backspace of an explicit confirmation. */
	| {kind: 'confirm-type'; digit: string}
	| {kind: 'confirm-erase'}
	| {kind: 'open'; action: (typeof actionKeys)[ActionKeyName]; opener: ActionKeyName}
	/** An action key under --read-only: said on the status line, nothing else. */
	| {kind: 'read-only'; opener: ActionKeyName}
	| {kind: 'abort'}
	| {kind: 'busy-quit'};

export interface KeyContext {
	now: number;
	/** Action keys are bound: a runner is there and not --read-only. */
	bound: boolean;
	/** --read-only: an action key says that actions are off. */
	readOnly?: boolean;
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
			if (dialog.plan.confirmText !== undefined) {
				// The number removed, typed, then Enter: a y (or a held key) cannot remove 37 instances. Enter before a
				// digit is the Enter that opened it, or its repeat.
				if (sinceOpen(dialog.openedAt) < guard) return {kind: 'ignore', why: 'guard'};
				if (/^[0-9]$/.test(name)) return {kind: 'confirm-type', digit: name};
				if (name === 'backspace' || name === 'delete') return {kind: 'confirm-erase'};
				if (name === 'return') return dialog.typed === '' ? {kind: 'ignore', why: 'opener'} : dialog.typed === dialog.plan.confirmText ? {kind: 'confirm'} : {kind: 'cancel'};
				if (name === dialog.opener) return {kind: 'ignore', why: 'opener'};
				return {kind: 'cancel'};
			}

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
		case 'none':
			break;
	}

	// Quitting would leave a drained instance out of the balancer: q asks to abort first (Ctrl-C still quits).
	if (running !== null && name === 'q') return {kind: 'busy-quit'};
	if (context.help) return {kind: 'pass'};
	if (isActionKey(name)) {
		// A key still held after its dialog closed (confirmed, say) must not open the next one.
		if (state.lastKey !== null && state.lastKey.name === name && context.now - state.lastKey.at < repeatMs) return {kind: 'ignore', why: 'repeat'};
		if (context.readOnly) return {kind: 'read-only', opener: name};
		if (!context.bound) return {kind: 'pass'};
		return {kind: 'open', action: actionKeys[name], opener: name};
	}

	if (!context.bound) return {kind: 'pass'};
	if (running !== null && name === 'escape') return {kind: 'abort'};
	return {kind: 'pass'};
}

/** A dialog that takes every key: the count being typed, the confirmation. */
export function isModal(dialog: ActionDialog): boolean {
	return dialog.kind !== 'none';
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
