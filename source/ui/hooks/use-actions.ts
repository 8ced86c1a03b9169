// What the action keys do: plan through the runner, confirm, execute, abort. The runner is the only way to act and
// holds every rule; this hook only asks it, shows what it answers, and keeps the dialog state (use-action-state.ts).
import {useCallback, useEffect, useMemo, useRef, useSyncExternalStore} from 'react';
import {isRefusal, type ActionPlan, type ActionRunner, type InstanceActivity} from '../../actions/action-runner.js';
import type {DrainProgress} from '../../actions/drain.js';
import {runningCount} from '../../core/action-rules.js';
import type {Monitor} from '../../core/monitor.js';
import {usableSample, type AnySourceModel} from '../../core/source-model.js';
import type {StackSnapshot} from '../../core/types.js';
import type {ActionsView} from '../contexts/actions-context.js';
import {canAbort, decideKey, isModal, useActionState, type ActionUiAction, type ActionUiState} from './use-action-state.js';
import {resolveSelection} from './use-monitor-state.js';

export interface UseActionsInput {
	runner: ActionRunner | null;
	monitor: Monitor;
	/** The sources' models: the one that counts app connections (PostgreSQL) gives the scale-up projection. */
	sources?: readonly AnySourceModel[];
	/** The selection as the screen shows it (an id, or null for the first instance). */
	selectedId: () => string | null;
	help: () => boolean;
	guardMs?: number;
	clock?: () => number;
}

export interface UseActionsResult {
	view: ActionsView;
	/** Handles a key if it is the actions' (a dialog open, an action key); false: the monitor's keys take it. */
	onKey(name: string): boolean;
	/** A dialog (the count, the confirmation) takes every key now. */
	dialogOpen(): boolean;
}

const noActivity: ReadonlyMap<string, InstanceActivity> = new Map();
const noSubscribe = () => () => {};

function describeBusy(plan: ActionPlan): string {
	return plan.kind === 'scale' ? `scale ${plan.from} → ${plan.to}` : plan.kind === 'drain' ? `drain of ${plan.instance.name}` : plan.title;
}

/** The selection ids of a Swarm service's node lines (after the tasks): `node:ID`. */
export const nodeSelectionPrefix = 'node:';

/** The count a scale starts from: a Swarm service's replicas (tasks still starting included), else the running instances. */
export function scaleBase(snapshot: StackSnapshot): number {
	return snapshot.docker.swarm?.desiredReplicas ?? runningCount(snapshot.docker.instances);
}

/** Why there is no count to plan from, or null when the snapshot has one. */
function noCountReason(snapshot: StackSnapshot | undefined): string | null {
	if (snapshot === undefined) return 'no reading yet; try again when the table shows the instances';
	const status = snapshot.docker.status;
	if (status.kind === 'ok') return null;
	const detail = status.kind === 'unreachable' ? `unreachable (${status.reason})` : status.kind;
	return `docker is ${detail}, so the instance count is not known; nothing was done`;
}

/** The app connections a source counts against its limit (the first that gives them), for the scale-up projection. */
function appConnections(snapshot: StackSnapshot, sources: readonly AnySourceModel[]): {used: number; max: number} | null {
	for (const source of sources) {
		const sample = source.connections === undefined ? null : usableSample(snapshot.sources[source.id]);
		if (sample !== null) return source.connections!(sample);
	}

	return null;
}

export function useActions({runner, monitor, sources = [], selectedId, help, guardMs, clock = Date.now}: UseActionsInput): UseActionsResult {
	const [ui, dispatch, getUi] = useActionState();
	const subscribe = runner ? runner.subscribe : noSubscribe;
	const activity = useSyncExternalStore(subscribe, () => runner?.activity() ?? noActivity);
	const inProgress = useSyncExternalStore(subscribe, () => runner?.inProgress() ?? null);
	const bound = runner !== null && !runner.readOnly;

	// When each of the runner's entries was first seen: a row shows a result (restored, new) only as long as it is
	// news (layout/action-text.ts: visibleActivity), and the screen asks this to know since when.
	const firstSeen = useRef(new WeakMap<InstanceActivity, number>());
	const seen = useMemo(() => {
		const now = clock();
		for (const entry of activity.values()) if (!firstSeen.current.has(entry)) firstSeen.current.set(entry, now);
		const map = firstSeen.current;
		return (entry: InstanceActivity) => map.get(entry) ?? now;
	}, [activity, clock]);

	// Read through refs: the key callback stays one function for the app's life.
	const live = useRef({runner, monitor, sources, selectedId, help, guardMs, clock, bound});
	live.current = {runner, monitor, sources, selectedId, help, guardMs, clock, bound};
	const abortRef = useRef<AbortController | null>(null);
	const mounted = useRef(true);

	const safeDispatch = useCallback(
		(action: ActionUiAction) => {
			if (mounted.current) dispatch(action);
		},
		[dispatch],
	);

	useEffect(() => {
		mounted.current = true;
		return () => {
			mounted.current = false;
			// Leaving mid-drain: the runner puts the instance back into the balancer, as Esc would.
			abortRef.current?.abort();
		};
	}, []);

	// The status line clears itself: results after a few seconds, problems later (the event log keeps them all).
	useEffect(() => {
		const {status} = ui;
		if (status === null) return;
		const timer = setTimeout(() => dispatch({type: 'expire', at: status.at}), Math.max(0, status.closesAt - clock()));
		return () => clearTimeout(timer);
	}, [ui.status, dispatch, clock]);

	const onKey = useCallback(
		(name: string): boolean => {
			const {runner: actions, monitor: mon, bound: keysBound} = live.current;
			const now = live.current.clock();
			const state: ActionUiState = getUi();
			const decision = decideKey(state, name, {now, bound: keysBound, readOnly: actions?.readOnly ?? false, help: live.current.help(), guardMs: live.current.guardMs});
			dispatch({type: 'key', name, at: now});
			if (decision.kind === 'pass') return false;
			if (decision.kind === 'ignore' || actions === null) return true;

			// Refusals and words about the keys go to the status line; the runner has put refusals in the event log.
			const notice = (tone: 'refused' | 'info', title: string, text: string) => dispatch({type: 'status', tone, text: `${title}: ${text}`, at: now});

			const planScale = (target: number, opener: string, host?: string) => {
				const snapshot = mon.current()?.snapshot;
				const why = noCountReason(snapshot);
				if (why !== null || snapshot === undefined) {
					notice('refused', 'scale: cannot plan', why ?? '');
					return;
				}

				const instances = snapshot.docker.instances;
				const current = scaleBase(snapshot);
				const db = appConnections(snapshot, live.current.sources);
				const version = snapshot.docker.swarm?.version;
				const plan = actions.planScale(target, {current, dbConnections: db?.used, dbMax: db?.max, instances, ...(host === undefined ? {} : {host}), ...(version === undefined ? {} : {version})});
				// A refusal is already in the event log (and the audit log) from the runner; the screen says why.
				if (isRefusal(plan)) notice('refused', 'scale refused', plan.reason);
				else dispatch({type: 'open-confirm', plan, opener, at: now});
			};

			const planDrain = (opener: string) => {
				const snapshot = mon.current()?.snapshot;
				const why = noCountReason(snapshot);
				if (why !== null || snapshot === undefined) {
					notice('refused', 'drain: cannot plan', why ?? '');
					return;
				}

				const instances = snapshot.docker.instances;
				if (live.current.selectedId()?.startsWith(nodeSelectionPrefix)) {
					notice('refused', 'drain: a node is selected', 'd drains the selected task; select one of the tasks above (D drains the selected node)');
					return;
				}

				const id = resolveSelection(
					instances.map(instance => instance.id),
					live.current.selectedId(),
				);
				const selected = instances.find(instance => instance.id === id);
				if (selected === undefined) {
					notice('refused', 'drain: nothing selected', 'no instance to drain');
					return;
				}

				const version = snapshot.docker.swarm?.version;
				const plan = actions.planDrain(
					{id: selected.id, name: selected.name, state: selected.state, ...(selected.host === undefined ? {} : {host: selected.host})},
					{current: scaleBase(snapshot), instances, ...(version === undefined ? {} : {version})},
				);
				if (isRefusal(plan)) notice('refused', 'drain refused', plan.reason);
				else dispatch({type: 'open-confirm', plan, opener, at: now});
			};

			// D: the selected node line (or the selected task's node) drained, or made active again.
			const planNode = (opener: string) => {
				const swarm = mon.current()?.snapshot.docker.swarm;
				if (!actions.nodes || swarm === undefined) {
					notice('refused', 'D: not a Swarm service', "D sets a Swarm node's availability (drain, active); va-top follows a Compose service here");
					return;
				}

				const snapshot = mon.current()?.snapshot;
				const why = noCountReason(snapshot);
				if (why !== null) {
					notice('refused', 'D: cannot plan', why);
					return;
				}

				const chosen = live.current.selectedId();
				const task = snapshot?.docker.instances.find(instance => instance.id === resolveSelection(snapshot.docker.instances.map(entry => entry.id), chosen));
				const node = chosen?.startsWith(nodeSelectionPrefix) ? swarm.nodes.find(entry => `${nodeSelectionPrefix}${entry.id}` === chosen) : swarm.nodes.find(entry => entry.hostname === task?.node);
				if (node === undefined) {
					notice('refused', 'D: no node selected', 'select a node line (below the tasks) or a task on the node, then D');
					return;
				}

				const otherActive = swarm.nodes.filter(entry => entry.id !== node.id && entry.availability === 'active' && entry.state === 'ready').length;
				const plan = actions.planNode({id: node.id, hostname: node.hostname, availability: node.availability, version: node.version, tasks: node.tasks, otherActive});
				if (isRefusal(plan)) notice('refused', 'D refused', plan.reason);
				else dispatch({type: 'open-confirm', plan, opener, at: now});
			};

			const execute = (plan: ActionPlan) => {
				dispatch({type: 'start', plan});
				const abort = new AbortController();
				abortRef.current = abort;
				const control = {signal: abort.signal, onProgress: (progress: DrainProgress) => safeDispatch({type: 'progress', progress})};
				const run = plan.kind === 'scale' ? actions.executeScale(plan, control) : plan.kind === 'drain' ? actions.executeDrain(plan, control) : actions.executeNode(plan);
				run.then(
					result => safeDispatch({type: 'finish', result, at: live.current.clock()}),
					(error: unknown) =>
						safeDispatch({
							type: 'finish',
							at: live.current.clock(),
							result: {
								action: plan.kind,
								result: 'failed',
								from: plan.from,
								to: plan.to,
								instance: plan.kind === 'drain' ? plan.instance.name : plan.kind === 'node' ? plan.node.hostname : null,
								message: `${plan.title} failed: ${error instanceof Error ? error.message : String(error)}`,
								durationMs: 0,
							},
						}),
				).finally(() => {
					if (abortRef.current === abort) abortRef.current = null;
				});
			};

			switch (decision.kind) {
				case 'confirm':
					if (state.dialog.kind === 'confirm') execute(state.dialog.plan);
					return true;
				case 'rehost': {
					// The same target on the next host; the dialog keeps its opener, so h can be pressed again.
					if (state.dialog.kind !== 'confirm' || state.dialog.plan.kind !== 'scale') return true;
					const {plan, opener} = state.dialog;
					const hosts = plan.hosts ?? [];
					const next = hosts[(hosts.indexOf(plan.host ?? '') + 1) % hosts.length];
					planScale(plan.to, opener, next);
					return true;
				}
				case 'cancel':
					if (state.dialog.kind === 'confirm') {
						const {plan} = state.dialog;
						const key = plan.kind === 'drain' ? `action:drain:${plan.instance.name}` : plan.kind === 'node' ? `action:node:${plan.node.hostname}` : 'action:scale';
						mon.log({at: now, level: 'INFO', key, text: `${plan.title} cancelled: nothing was done`});
					}

					dispatch({type: 'close'});
					return true;
				case 'confirm-type':
					dispatch({type: 'confirm-type', digit: decision.digit});
					return true;
				case 'confirm-erase':
					dispatch({type: 'confirm-erase'});
					return true;
				case 'read-only':
					notice('info', 'read-only', 'actions are off (--read-only)');
					return true;
				case 'type':
					dispatch({type: 'input-type', digit: decision.digit});
					return true;
				case 'erase':
					dispatch({type: 'input-erase'});
					return true;
				case 'submit': {
					const text = state.dialog.kind === 'input' ? state.dialog.text : '';
					// The prompt closes; a confirmation or a refusal follows.
					dispatch({type: 'close'});
					if (text !== '') planScale(Number(text), 'return');
					return true;
				}

				case 'open': {
					const busy = actions.inProgress();
					if (busy !== null) {
						notice('info', 'busy', `another action is in progress (${describeBusy(busy)}); wait for it${canAbort(state.running) ? ', or Esc aborts it' : ''}`);
						return true;
					}

					const snapshot = mon.current()?.snapshot;
					const current = snapshot ? scaleBase(snapshot) : 0;
					if (decision.action === 'scale-up') planScale(current + 1, decision.opener);
					else if (decision.action === 'scale-down') planScale(current - 1, decision.opener);
					else if (decision.action === 'input') dispatch({type: 'open-input', opener: decision.opener, at: now});
					else if (decision.action === 'node') planNode(decision.opener);
					else planDrain(decision.opener);
					return true;
				}

				case 'abort':
					if (canAbort(state.running)) {
						abortRef.current?.abort();
						dispatch({type: 'aborting'});
					} else if (state.running?.aborting) {
						// Already on its way back.
					} else {
						notice('info', 'cannot abort', state.running?.plan.kind === 'scale' && state.running.plan.direction === 'up' ? 'a scale-up cannot be aborted; wait for it to finish' : 'the stop has begun; it runs to the end');
					}

					return true;
				case 'busy-quit':
					notice('info', `${state.running ? describeBusy(state.running.plan) : 'an action'} in progress`, `${canAbort(state.running) ? 'Esc aborts it (puts the instance back), ' : 'wait for it, '}then q quits; Ctrl-C quits at once${canAbort(state.running) ? ' and aborts it' : ''}`);
					return true;
			}
		},
		[dispatch, getUi, safeDispatch],
	);

	const view = useMemo<ActionsView>(
		() => ({runner, bound, readOnly: runner?.readOnly ?? false, dryRun: runner?.dryRun ?? false, activity, seen, inProgress, ui}),
		[runner, bound, activity, seen, inProgress, ui],
	);
	const dialogOpen = useCallback(() => isModal(getUi().dialog), [getUi]);
	return {view, onKey, dialogOpen};
}
