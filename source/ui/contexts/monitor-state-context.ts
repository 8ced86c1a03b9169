// What the screen shows, in one context; actions travel in their own so key handlers never re-render on data.
import {createContext, useContext} from 'react';
import type {History} from '../../core/history.js';
import type {MonitorFrame} from '../../core/monitor.js';
import type {ServiceSummary} from '../../core/stack-services.js';
import type {InstanceSample} from '../../core/types.js';
import type {AnySourceModel} from '../../core/source-model.js';
import type {Thresholds} from '../../core/thresholds.js';
import type {MonitorUiState} from '../hooks/use-monitor-state.js';
import type {TerminalSize} from '../hooks/use-terminal-size.js';
import type {OrderedInstances} from '../layout/instance-order.js';
import type {ScreenLayout, TooSmallLayout} from '../layout/screen-layout.js';

/** Fixed for the run: from the options and the stack. */
export interface ScreenSettings {
	project: string;
	service: string;
	dockerEndpoint: string;
	mode: 'live' | 'demo';
	readOnly: boolean;
	/** --dry-run: actions show and log what they would do and change nothing. */
	dryRun: boolean;
	intervalMs: number;
	thresholds: Thresholds;
	/** Fewest and most instances the service may run (--min / --max). */
	min: number;
	max: number;
	color: boolean;
	/** The sources' models (the registry's): their charts, summaries and the scale-up projection. */
	sources?: readonly AnySourceModel[];
}

export interface MonitorState {
	frame: MonitorFrame | undefined;
	history: History;
	ui: MonitorUiState;
	size: TerminalSize;
	settings: ScreenSettings;
	/** The table's rows: filtered and sorted. */
	table: OrderedInstances;
	layout: ScreenLayout | TooSmallLayout;
	/** The stack panel: the project's other services, their containers, and whether it shows a line per service. */
	stack: StackPanelState;
}

export interface StackPanelState {
	services: readonly ServiceSummary[];
	others: readonly InstanceSample[];
	expanded: boolean;
}

export const MonitorStateContext = createContext<MonitorState | undefined>(undefined);

export function useMonitorStateContext(): MonitorState {
	const value = useContext(MonitorStateContext);
	if (value === undefined) throw new Error('useMonitorStateContext outside <MonitorStateContext>');
	return value;
}
