// The live monitor: state, clock and keys wired into the contexts around the screen.
import React, {useMemo, useRef} from 'react';
import type {ActionRunner} from '../actions/action-runner.js';
import type {Autoscaler} from '../actions/autoscaler.js';
import type {Monitor, MonitorFrame} from '../core/monitor.js';
import {servicesOf} from '../core/stack-services.js';
import {Screen} from './components/screen/index.js';
import {stackPanelHeight} from './components/stack-panel/index.js';
import {ActionsContext} from './contexts/actions-context.js';
import {AutoscaleContext} from './contexts/autoscale-context.js';
import {FrameOutputContext, type FrameOutput} from './contexts/frame-output-context.js';
import {MonitorActionsContext, type MonitorActions} from './contexts/monitor-actions-context.js';
import {MonitorStateContext, type MonitorState, type ScreenSettings, type StackPanelState} from './contexts/monitor-state-context.js';
import {useActions} from './hooks/use-actions.js';
import {useAutoscale} from './hooks/use-autoscale.js';
import {useKeys} from './hooks/use-keys.js';
import {useMonitor, type SnapshotSource} from './hooks/use-monitor.js';
import {resolveSelection, stackExpanded, useMonitorState, type MonitorUiState} from './hooks/use-monitor-state.js';
import {nodeSelectionId} from './components/swarm-nodes/index.js';
import {useTerminalSize} from './hooks/use-terminal-size.js';
import {chartPages} from './layout/chart-specs.js';
import {orderInstances, worstInstance} from './layout/instance-order.js';
import {computeLayout, isWideSize} from './layout/screen-layout.js';

export interface AppProps {
	stack: SnapshotSource;
	monitor: Monitor;
	settings: ScreenSettings;
	/** Called once the user asks to leave: 0 for q, 130 for Ctrl-C. */
	onQuit(code: number): void;
	/** Rings the bell; called once each time the overall level enters IMMEDIATE. Omitted: no bell. */
	onBell?: () => void;
	initialUi?: Partial<MonitorUiState>;
	/** Scale and drain; omitted or null: no action keys. Its readOnly/dryRun win over the settings'. */
	runner?: ActionRunner | null;
	/** Keys ignored after a confirmation opens (issue 7); default 300 ms. */
	actionGuardMs?: number;
	/** Where frames go (renderLive: the screen writer); omitted: Ink draws them. */
	output?: FrameOutput;
	/** The autoscaler: its preview line always, and A / the countdown's keys when the runner may act. */
	autoscaler?: Autoscaler | null;
	/** The policy in a few words for A's confirmation. */
	autoscaleSummary?: string;
	/** The S key: an incident snapshot. */
	onSnapshot?: () => void;
}

const noInstances: never[] = [];
const noNodes: never[] = [];
const noServices: never[] = [];

export function App({stack, monitor, settings: given, onQuit, onBell, initialUi, runner = null, actionGuardMs, output, autoscaler = null, autoscaleSummary = '', onSnapshot}: AppProps) {
	const [ui, dispatch, getUi] = useMonitorState(initialUi);
	const size = useTerminalSize();
	const scalerRef = useRef(autoscaler);
	scalerRef.current = autoscaler;
	const onFrame = useMemo(() => (next: MonitorFrame) => scalerRef.current?.observe(next), []);
	const frame = useMonitor({stack, monitor, intervalMs: given.intervalMs, paused: ui.paused, onEnterImmediate: onBell, onFrame});
	const settings = useMemo<ScreenSettings>(
		() => (runner === null ? given : {...given, readOnly: runner.readOnly, dryRun: runner.dryRun}),
		[given, runner],
	);

	// The table's rows: sorted and filtered once per frame or key, not per row or per view.
	const instances = frame?.snapshot.docker.instances ?? noInstances;
	const table = useMemo(() => orderInstances(instances, ui.sort, ui.filter), [instances, ui.sort, ui.filter]);
	// A Swarm service's node lines come after its tasks, and are selected the same way (D acts on one).
	const nodes = frame?.snapshot.docker.swarm?.nodes ?? noNodes;
	const selectable = useMemo(() => (nodes.length === 0 ? table.ids : [...table.ids, ...nodes.map(nodeSelectionId)]), [table.ids, nodes]);
	const eventCount = frame?.events.length ?? 0;
	const rowsWanted = table.rows.length + (nodes.length > 0 ? nodes.length + 1 : 0);
	// The project's other services: a panel under the table, one line unless expanded (`x`, or a wide screen).
	const docker = frame?.snapshot.docker;
	const others = docker?.others ?? noInstances;
	const services = useMemo(() => (docker ? (servicesOf({docker}) ?? noServices) : noServices), [docker?.status, docker?.swarm, others]);
	const expanded = stackExpanded(ui, isWideSize(size.columns, size.rows));
	const stackPanel = useMemo<StackPanelState>(() => ({services, others, expanded}), [services, others, expanded]);
	const stackWanted = stackPanelHeight(services.length, expanded);
	const layout = useMemo(
		() => computeLayout(size.columns, size.rows, rowsWanted, {events: eventCount, view: ui.view, stackWanted, autoscaleLine: autoscaler !== null}),
		[size.columns, size.rows, rowsWanted, eventCount, ui.view, stackWanted, autoscaler],
	);

	// Actions stay one object for the app's life; what changes (rows, page size, onQuit, selection) is read through refs.
	const live = useRef({table, layout, frame, selectable});
	live.current = {table, layout, frame, selectable};
	const stackRef = useRef(stack);
	stackRef.current = stack;
	const quitRef = useRef(onQuit);
	quitRef.current = onQuit;
	const snapshotRef = useRef(onSnapshot);
	snapshotRef.current = onSnapshot;
	const settingsRef = useRef(settings);
	settingsRef.current = settings;
	const sizeRef = useRef(size);
	sizeRef.current = size;
	const {view: actionsView, onKey, dialogOpen} = useActions({
		runner,
		monitor,
		sources: settings.sources,
		selectedId: () => resolveSelection(live.current.selectable, getUi().selectedId),
		help: () => getUi().help,
		guardMs: actionGuardMs,
	});
	const keyRef = useRef({onKey, dialogOpen});
	keyRef.current = {onKey, dialogOpen};
	const {ui: autoscaleUi, onKey: onAutoscaleKey} = useAutoscale({
		autoscaler,
		bound: actionsView.bound,
		summary: autoscaleSummary,
		dialogOpen: () => keyRef.current.dialogOpen(),
		guardMs: actionGuardMs,
	});
	const autoscaleKeyRef = useRef(onAutoscaleKey);
	autoscaleKeyRef.current = onAutoscaleKey;

	const actions = useMemo<MonitorActions>(() => {
		const ids = () => live.current.selectable;
		const page = () => (live.current.layout.kind === 'screen' ? Math.max(1, live.current.layout.table - 2) : 1);
		const logPage = () => (live.current.layout.kind === 'screen' ? Math.max(1, live.current.layout.events - 2) : 1);
		const logMax = () => Math.max(0, (live.current.frame?.events.length ?? 0) - 1);
		return {
			selectNext: () => dispatch({type: 'select-next', ids: ids()}),
			selectPrevious: () => dispatch({type: 'select-previous', ids: ids()}),
			selectPage: direction => dispatch({type: 'select-page', ids: ids(), delta: direction * page()}),
			selectFirst: () => dispatch({type: 'select-first', ids: ids()}),
			selectLast: () => dispatch({type: 'select-last', ids: ids()}),
			selectWorst() {
				const current = live.current.frame;
				const worst = worstInstance(current?.snapshot.docker.instances ?? noInstances, current?.assessment);
				if (worst !== undefined) dispatch({type: 'select-id', id: worst.id, clearFilter: !ids().includes(worst.id)});
			},
			sortBy: key => dispatch({type: 'sort', key}),
			openFilter: () => dispatch({type: 'filter-open'}),
			typeFilter: text => dispatch({type: 'filter-type', text}),
			eraseFilter: () => dispatch({type: 'filter-erase'}),
			acceptFilter: () => dispatch({type: 'filter-accept'}),
			clearFilter: () => dispatch({type: 'filter-clear'}),
			toggleView: view => dispatch({type: 'toggle-view', view}),
			closeView: () => dispatch({type: 'close-view'}),
			scrollLog(by) {
				const delta = by === 'page-up' ? logPage() : by === 'page-down' ? -logPage() : by;
				dispatch({type: 'log-scroll', delta, max: logMax()});
			},
			setWindow: window => dispatch({type: 'set-window', window}),
			togglePause: () => dispatch({type: 'toggle-pause'}),
			toggleHelp: () => dispatch({type: 'toggle-help'}),
			closeHelp: () => dispatch({type: 'close-help'}),
			nextChartPage: () => {
				// Sources this run reads: one not configured has no chart page for `c` to cycle to; per-node pages count
				// once their sample is in.
				dispatch({type: 'next-chart-page', pages: chartPages(settingsRef.current.sources, live.current.frame?.snapshot)});
			},
			toggleConcerns: () => dispatch({type: 'toggle-concerns'}),
			toggleStack: () => dispatch({type: 'toggle-stack', wide: isWideSize(sizeRef.current.columns, sizeRef.current.rows)}),
			quit: code => quitRef.current(code),
			snapshot: () => snapshotRef.current?.(),
			actionKey: name => keyRef.current.onKey(name),
			actionDialogOpen: () => keyRef.current.dialogOpen(),
			autoscaleKey: (name, capture) => autoscaleKeyRef.current(name, capture),
			showing: shown => stackRef.current.focus?.(shown),
		};
	}, [dispatch]);
	useKeys(actions, getUi);

	const state = useMemo<MonitorState>(
		() => ({frame, history: monitor.history, ui, size, settings, table, layout, stack: stackPanel}),
		[frame, monitor, ui, size, settings, table, layout, stackPanel],
	);
	const screen = (
		<MonitorActionsContext.Provider value={actions}>
			<MonitorStateContext.Provider value={state}>
				<ActionsContext.Provider value={actionsView}>
					<AutoscaleContext.Provider value={autoscaleUi}>
						<Screen />
					</AutoscaleContext.Provider>
				</ActionsContext.Provider>
			</MonitorStateContext.Provider>
		</MonitorActionsContext.Provider>
	);
	return output === undefined ? screen : <FrameOutputContext.Provider value={output}>{screen}</FrameOutputContext.Provider>;
}
