// The live monitor: state, clock and keys wired into the contexts around the screen.
import React, {useMemo, useRef} from 'react';
import type {ActionRunner} from '../actions/action-runner.js';
import type {Monitor} from '../core/monitor.js';
import {Screen} from './components/screen/index.js';
import {ActionsContext} from './contexts/actions-context.js';
import {FrameOutputContext, type FrameOutput} from './contexts/frame-output-context.js';
import {MonitorActionsContext, type MonitorActions} from './contexts/monitor-actions-context.js';
import {MonitorStateContext, type MonitorState, type ScreenSettings} from './contexts/monitor-state-context.js';
import {useActions} from './hooks/use-actions.js';
import {useKeys} from './hooks/use-keys.js';
import {useMonitor, type SnapshotSource} from './hooks/use-monitor.js';
import {useMonitorState, type MonitorUiState} from './hooks/use-monitor-state.js';
import {useTerminalSize} from './hooks/use-terminal-size.js';
import {chartPages} from './layout/chart-specs.js';
import {isWideSize} from './layout/screen-layout.js';

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
}

export function App({stack, monitor, settings: given, onQuit, onBell, initialUi, runner = null, actionGuardMs, output}: AppProps) {
	const [ui, dispatch] = useMonitorState(initialUi);
	const size = useTerminalSize();
	const frame = useMonitor({stack, monitor, intervalMs: given.intervalMs, paused: ui.paused, onEnterImmediate: onBell});
	const settings = useMemo<ScreenSettings>(
		() => (runner === null ? given : {...given, readOnly: runner.readOnly, dryRun: runner.dryRun}),
		[given, runner],
	);

	// Actions stay one object for the app's life; what changes (ids, onQuit, selection) is read through refs.
	const ids = useRef<string[]>([]);
	ids.current = frame?.snapshot.docker.instances.map(instance => instance.id) ?? [];
	const stackRef = useRef(stack);
	stackRef.current = stack;
	const quitRef = useRef(onQuit);
	quitRef.current = onQuit;
	const uiRef = useRef(ui);
	uiRef.current = ui;
	const settingsRef = useRef(settings);
	settingsRef.current = settings;
	const sizeRef = useRef(size);
	sizeRef.current = size;
	const {view: actionsView, onKey} = useActions({
		runner,
		monitor,
		sources: settings.sources,
		selectedId: () => uiRef.current.selectedId,
		help: () => uiRef.current.help,
		guardMs: actionGuardMs,
	});
	const keyRef = useRef(onKey);
	keyRef.current = onKey;

	const actions = useMemo<MonitorActions>(
		() => ({
			selectNext: () => dispatch({type: 'select-next', ids: ids.current}),
			selectPrevious: () => dispatch({type: 'select-previous', ids: ids.current}),
			setWindow: window => dispatch({type: 'set-window', window}),
			togglePause: () => dispatch({type: 'toggle-pause'}),
			toggleHelp: () => dispatch({type: 'toggle-help'}),
			closeHelp: () => dispatch({type: 'close-help'}),
			nextChartPage: () => dispatch({type: 'next-chart-page', pages: chartPages(settingsRef.current.sources)}),
			toggleConcerns: () => dispatch({type: 'toggle-concerns'}),
			toggleStack: () => dispatch({type: 'toggle-stack', wide: isWideSize(sizeRef.current.columns, sizeRef.current.rows)}),
			quit: code => quitRef.current(code),
			actionKey: name => keyRef.current(name),
			showing: shown => stackRef.current.focus?.(shown),
		}),
		[dispatch],
	);
	useKeys(actions, ui.help || ui.concerns);

	const state = useMemo<MonitorState>(() => ({frame, history: monitor.history, ui, size, settings}), [frame, monitor, ui, size, settings]);
	const screen = (
		<MonitorActionsContext.Provider value={actions}>
			<MonitorStateContext.Provider value={state}>
				<ActionsContext.Provider value={actionsView}>
					<Screen />
				</ActionsContext.Provider>
			</MonitorStateContext.Provider>
		</MonitorActionsContext.Provider>
	);
	return output === undefined ? screen : <FrameOutputContext.Provider value={output}>{screen}</FrameOutputContext.Provider>;
}
