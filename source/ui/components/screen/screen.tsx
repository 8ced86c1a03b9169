// The whole frame, laid out for the pane's size. The only component that reads the state context;
// everything below it renders from props.
import {Box} from 'ink';
import React, {useContext, useMemo} from 'react';
import {runningCount} from '../../../core/action-rules.js';
import {redactUrl} from '../../../core/redact.js';
import {ActionsContext} from '../../contexts/actions-context.js';
import {useMonitorStateContext} from '../../contexts/monitor-state-context.js';
import {canAbort, isModal, type ActionDialog as ActionDialogState} from '../../hooks/use-action-state.js';
import {chartWindows, resolveSelection} from '../../hooks/use-monitor-state.js';
import {runningText} from '../../layout/action-text.js';
import {chartData, cpuTrends} from '../../layout/chart-specs.js';
import {displayNames, longestWidth} from '../../layout/format.js';
import {computeLayout, tableColumns} from '../../layout/screen-layout.js';
import {sourceLines} from '../../layout/source-status.js';
import {ActionDialog} from '../action-dialog/index.js';
import {ChartsPanel} from '../charts-panel/index.js';
import {EventLog} from '../event-log/index.js';
import {Footer, type FooterActions} from '../footer/index.js';
import {Header} from '../header/index.js';
import {HelpOverlay} from '../help-overlay/index.js';
import {InstancesTable} from '../instances-table/index.js';
import {TooSmall} from '../too-small/index.js';

const noInstances: never[] = [];
const noDialog: ActionDialogState = {kind: 'none'};

export function Screen() {
	const {frame, history, ui, size, settings} = useMonitorStateContext();
	// Optional: a screen mounted without actions shows none.
	const actions = useContext(ActionsContext);
	const snapshot = frame?.snapshot;
	const instances = snapshot?.docker.instances ?? noInstances;
	const now = snapshot?.at ?? 0;
	const layout = useMemo(() => computeLayout(size.columns, size.rows, instances.length), [size.columns, size.rows, instances.length]);
	const ids = useMemo(() => instances.map(instance => instance.id), [instances]);
	const selectedId = resolveSelection(ids, ui.selectedId);
	const selected = instances.find(instance => instance.id === selectedId);
	const project = snapshot?.project ?? settings.project;
	// The table's own columns: its trend cells are as many as the points asked for here.
	const longest = useMemo(() => longestWidth(displayNames(instances.map(instance => instance.name), project)), [instances, project]);
	const trendWidth = layout.kind === 'screen' ? tableColumns(layout.columns, longest).trend : 0;

	// History is shared and mutable: the frame (a new object every tick) is what says it changed.
	const charts = useMemo(
		() =>
			chartData({
				frame,
				history,
				thresholds: settings.thresholds,
				selected,
				windowMs: chartWindows[ui.window],
				windowLabel: ui.window,
				intervalMs: settings.intervalMs,
			}),
		[frame, history, settings.thresholds, settings.intervalMs, selected, ui.window],
	);
	const trends = useMemo(() => cpuTrends(frame, history, trendWidth, settings.intervalMs), [frame, history, trendWidth, settings.intervalMs]);

	const dialog = actions?.ui.dialog ?? noDialog;
	const running = actions?.ui.running ?? null;
	// One object while nothing about the actions changed, so the memoized footer is not redrawn every frame.
	const footerActions = useMemo<FooterActions>(
		() => ({
			bound: actions?.bound ?? false,
			dialog: isModal(dialog) ? dialog.kind : 'none',
			running: running === null ? null : runningText(running, project),
			abortable: canAbort(running),
		}),
		[actions?.bound, dialog, running, project],
	);

	if (layout.kind === 'too-small') return <TooSmall columns={layout.columns} rows={layout.rows} />;

	const {color} = settings;
	const docker = snapshot ? sourceLines(snapshot, now, settings.intervalMs)[0] : undefined;
	const emptyText = !snapshot ? 'waiting for the first reading…' : docker && docker.health !== 'ok' ? docker.text : undefined;
	const table = (
		<InstancesTable
			instances={instances}
			assessment={frame?.assessment}
			selectedId={selectedId}
			trends={trends}
			width={layout.columns}
			height={layout.table}
			color={color}
			emptyText={emptyText}
			project={project}
			activity={actions?.activity}
		/>
	);
	const dialogContext = {
		service: settings.service,
		project,
		min: settings.min,
		max: settings.max,
		current: snapshot ? runningCount(instances) : null,
		dryRun: settings.dryRun,
	};

	return (
		<Box flexDirection="column" width={layout.columns} height={layout.frame}>
			<Header
				width={layout.columns}
				color={color}
				project={settings.project}
				service={settings.service}
				dockerEndpoint={snapshot ? redactUrl(snapshot.docker.endpoint) : settings.dockerEndpoint}
				mode={settings.mode}
				readOnly={settings.readOnly}
				dryRun={settings.dryRun}
				paused={ui.paused}
				max={settings.max}
				intervalMs={settings.intervalMs}
				snapshot={snapshot}
				assessment={frame?.assessment}
				now={now}
			/>
			<Box flexDirection="column" height={layout.body}>
				{dialog.kind !== 'none' ? (
					// The table stays in view: a confirmation is read next to the instances it is about.
					<>
						{table}
						<ActionDialog dialog={dialog} context={dialogContext} width={layout.columns} height={layout.body - layout.table} color={color} />
					</>
				) : ui.help ? (
					<HelpOverlay
						width={layout.columns}
						height={layout.body}
						color={color}
						actions={actions?.bound ? {dryRun: settings.dryRun, min: settings.min, max: settings.max} : null}
					/>
				) : (
					<>
						{table}
						<ChartsPanel charts={charts} layout={layout.charts} color={color} />
						<EventLog events={frame?.events ?? noInstances} width={layout.columns} height={layout.events} color={color} />
					</>
				)}
			</Box>
			<Footer
				color={color}
				help={ui.help}
				paused={ui.paused}
				canSelect={instances.length > 1}
				window={ui.window}
				actions={footerActions}
			/>
		</Box>
	);
}
