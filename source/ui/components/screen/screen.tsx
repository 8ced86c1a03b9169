// The whole frame, laid out for the pane's size: the views' lines stacked into rows - 1 screen lines, handed to the
// screen writer as finished strings (or drawn by Ink where there is none, as under ink-testing-library).
import {Box} from 'ink';
import React, {useContext, useEffect, useLayoutEffect, useMemo} from 'react';
import {runningCount} from '../../../core/action-rules.js';
import {redactUrl} from '../../../core/redact.js';
import {ActionsContext} from '../../contexts/actions-context.js';
import {AutoscaleContext} from '../../contexts/autoscale-context.js';
import {FrameOutputContext} from '../../contexts/frame-output-context.js';
import {MonitorActionsContext} from '../../contexts/monitor-actions-context.js';
import {useMonitorStateContext} from '../../contexts/monitor-state-context.js';
import {canAbort, type ActionDialog as ActionDialogState} from '../../hooks/use-action-state.js';
import {chartWindows, resolveSelection} from '../../hooks/use-monitor-state.js';
import {actionStatusText, runningText, visibleActivity} from '../../layout/action-text.js';
import {chartData, chartPages, cpuTrends} from '../../layout/chart-specs.js';
import {ShortNames} from '../../layout/instance-names.js';
import {sourceLines} from '../../layout/source-status.js';
import {fitLine, renderLine, toHeight, type StyledLine} from '../../layout/styled-text.js';
import {actionDialogLines} from '../action-dialog/index.js';
import {autoscaleLine} from '../autoscale-line/index.js';
import {chartsPanelLines, PlotCaches} from '../charts-panel/index.js';
import {concernListLines} from '../concern-list/index.js';
import {eventLogLines} from '../event-log/index.js';
import {footerLine, type FooterActions} from '../footer/index.js';
import {headerLines} from '../header/index.js';
import {helpLines} from '../help-overlay/index.js';
import {RowCache, rowColumns, TableScroll, tableLines} from '../instances-table/index.js';
import {nodeBlockHeight, nodeSelectionId, swarmNodeLines} from '../swarm-nodes/index.js';
import {TextLine} from '../lines/index.js';
import {stackPanelHeight, stackPanelLines} from '../stack-panel/index.js';
import {tooSmallLines} from '../too-small/index.js';

const noInstances: never[] = [];
const noNodes: never[] = [];
const noDialog: ActionDialogState = {kind: 'none'};
const noActivity = new Map();

export function Screen() {
	const {frame, history, ui, size, settings, table, layout, stack} = useMonitorStateContext();
	const {sgr} = useContext(FrameOutputContext);
	// Rows and plots that did not change are reused from the last frame; the scroll is remembered between them.
	const caches = useMemo(() => ({rows: new RowCache(), names: new ShortNames(), scroll: new TableScroll(), plots: new PlotCaches(), text: new RenderedLines()}), []);
	// Optional: a screen mounted without actions shows none.
	const actions = useContext(ActionsContext);
	const autoscale = useContext(AutoscaleContext);
	const snapshot = frame?.snapshot;
	const instances = snapshot?.docker.instances ?? noInstances;
	const now = snapshot?.at ?? 0;
	const {rows, ids} = table;
	// A Swarm service's nodes take the table's last lines (a heading and one each, or one line for all).
	const swarmNodes = snapshot?.docker.swarm?.nodes ?? noNodes;
	const taskTable = layout.kind === 'screen' ? layout.table - nodeBlockHeight(swarmNodes.length, layout.table) : 0;
	// A node line selected: no task is (and the charts show the service's averages).
	const nodeSelected = ui.selectedId !== null && swarmNodes.some(node => nodeSelectionId(node) === ui.selectedId);
	const selectedId = nodeSelected ? null : resolveSelection(ids, ui.selectedId);
	const selected = rows.find(instance => instance.id === selectedId);
	const project = snapshot?.project ?? settings.project;

	// What rows show of an action: a step while it lasts, a result only while it is news.
	const activity = useMemo(
		() => (actions ? visibleActivity(actions.activity, actions.seen, instances, Date.now(), settings.intervalMs) : noActivity),
		[actions, instances, settings.intervalMs],
	);
	// The table's own columns: its trend cells are as many as the points asked for here.
	const trendWidth = layout.kind === 'screen' ? rowColumns(rows, layout.columns, activity.size > 0).columns.trend : 0;

	const pages = chartPages(settings.sources, snapshot);
	const page = Math.min(ui.chartPage, pages);
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
				sources: settings.sources,
				page,
			}),
		[frame, history, settings.thresholds, settings.intervalMs, settings.sources, page, selected, ui.window],
	);
	// Only the rows in view have a trend to draw (10 of 50 at 120x40).
	const tableRows = layout.kind === 'screen' ? Math.max(0, taskTable - 1) : 0;
	const start = caches.scroll.at(ids.length, tableRows, selectedId === null ? -1 : ids.indexOf(selectedId));
	const inView = useMemo(() => new Set(ids.slice(start, start + tableRows)), [ids, start, tableRows]);
	// The stack streams what is in view first; a screen mounted without actions has no one to tell.
	const showing = useContext(MonitorActionsContext)?.showing;
	useEffect(() => {
		if (layout.kind === 'screen') showing?.([...inView]);
	}, [inView, showing, layout.kind]);
	const trends = useMemo(() => cpuTrends(frame, history, trendWidth, settings.intervalMs, inView), [frame, history, trendWidth, settings.intervalMs, inView]);

	const dialog = actions?.ui.dialog ?? noDialog;
	const running = actions?.ui.running ?? null;
	// A Swarm service's count is its replicas (tasks still starting included), as its scale goes by.
	const current = snapshot ? (snapshot.docker.swarm?.desiredReplicas ?? runningCount(instances)) : null;
	// The footer's view of the actions: one object while nothing about them changed.
	const footerActions = useMemo<FooterActions>(
		() => ({
			bound: actions?.bound ?? false,
			dialog: dialog.kind,
			explicit: dialog.kind === 'confirm' && dialog.plan.confirmText !== undefined,
			running: running === null ? null : runningText(running),
			abortable: canAbort(running),
			autoscale: autoscale === undefined ? null : {bound: autoscale.bound, enabled: autoscale.view.enabled, countdown: autoscale.view.countdown !== null, confirming: autoscale.confirming},
		}),
		[actions?.bound, dialog, running, autoscale],
	);
	const status = useMemo(
		() => actionStatusText(dialog, actions?.ui.status ?? null, {current, min: settings.min, max: settings.max, dryRun: settings.dryRun}),
		[dialog, actions?.ui.status, current, settings.min, settings.max, settings.dryRun],
	);

	const lines = useMemo(() => {
		if (layout.kind === 'too-small') return tooSmallLines(layout.columns, layout.rows);
		const {color} = settings;
		const width = layout.columns;
		const docker = snapshot ? sourceLines(snapshot, now, settings.intervalMs)[0] : undefined;
		const emptyText = !snapshot ? 'waiting for the first reading…' : docker && docker.health !== 'ok' ? docker.text : undefined;
		// The task rows, then a Swarm service's node block, in `height` lines.
		const tableView = (height: number) => {
			const nodeHeight = nodeBlockHeight(swarmNodes.length, height);
			const taskHeight = height - nodeHeight;
			return [
				...toHeight(
				tableLines(
					{
						instances: rows,
						assessment: frame?.assessment,
						selectedId,
						trends,
						width,
						height: taskHeight,
						color,
						emptyText,
						activity,
						sort: ui.sort,
						filter: ui.filter,
						total: table.total,
						start,
						now,
					},
					caches.rows,
					caches.names,
				),
					taskHeight,
				),
				...toHeight(swarmNodeLines({nodes: swarmNodes, selectedId: ui.selectedId, width, height: nodeHeight, color}), nodeHeight),
			];
		};

		let body: StyledLine[];
		if (dialog.kind === 'confirm') {
			// Only the confirmation covers anything: the table stays in view, read next to the instances it is about.
			const context = {service: settings.service, project, min: settings.min, max: settings.max, current, dryRun: settings.dryRun};
			body = [...tableView(layout.table), ...actionDialogLines({dialog, context, width, height: layout.body - layout.table, color})];
		} else if (ui.concerns) {
			body = concernListLines({assessment: frame?.assessment, width, height: layout.body, color, project});
		} else if (ui.help) {
			body = helpLines({width, height: layout.body, color, actions: actions?.bound ? {dryRun: settings.dryRun, min: settings.min, max: settings.max, swarm: snapshot?.docker.swarm !== undefined} : null});
		} else {
			body = [
				...tableView(layout.table),
				...toHeight(stackPanelLines({services: stack.services, others: stack.others, assessment: frame?.assessment, expanded: stack.expanded, width, height: layout.stack, color}), layout.stack),
				...toHeight(chartsPanelLines({charts, layout: layout.charts, color}, caches.plots), layout.charts.height * layout.charts.rows),
				...eventLogLines({events: frame?.events ?? noInstances, width, height: layout.events, color, focused: ui.view === 'log', scroll: ui.logScroll}),
			];
		}

		const header = headerLines({
			width,
			color,
			project: settings.project,
			service: settings.service,
			dockerEndpoint: snapshot ? redactUrl(snapshot.docker.endpoint) : settings.dockerEndpoint,
			mode: settings.mode,
			readOnly: settings.readOnly,
			dryRun: settings.dryRun,
			paused: ui.paused,
			max: settings.max,
			min: settings.min,
			intervalMs: settings.intervalMs,
			snapshot,
			assessment: frame?.assessment,
			recording: frame?.recording,
			now,
			sources: settings.sources,
		});
		const footer = footerLine({
			color,
			help: ui.help || ui.concerns,
			paused: ui.paused,
			canSelect: rows.length > 1,
			window: ui.window,
			actions: footerActions,
			view: ui.view,
			filter: {input: ui.filterInput, matches: rows.length, total: table.total},
			status,
			chartPage: pages > 1 ? {page, pages} : undefined,
			width,
		});
		// The autoscale preview line under the header, on or off: the runbook's advice made visible.
		const top = autoscale === undefined ? header : [...header, autoscaleLine(autoscale, width, color)];
		return [...toHeight(top, layout.header), ...toHeight(body, layout.body), ...toHeight([fitLine(footer, width)], layout.footer)];
	}, [layout, settings, snapshot, now, rows, table.total, frame, selectedId, trends, project, actions, dialog, ui, charts, footerActions, status, caches, activity, start, current, page, pages, swarmNodes, autoscale, stack]);

	const text = useMemo(() => caches.text.render(lines, size.columns, sgr), [lines, size.columns, sgr, caches]);
	return <FrameView lines={text} width={Math.max(1, size.columns)} />;
}

/** Lines as strings, kept per line object: rows and plots that did not change are the same objects frame to frame. */
class RenderedLines {
	private cache = new WeakMap<StyledLine, string>();
	private width = -1;
	private sgr = false;

	render(lines: readonly StyledLine[], width: number, sgr: boolean): string[] {
		if (width !== this.width || sgr !== this.sgr) {
			this.cache = new WeakMap();
			this.width = width;
			this.sgr = sgr;
		}

		return lines.map(line => {
			let text = this.cache.get(line);
			if (text === undefined) {
				text = renderLine(line, width, sgr);
				this.cache.set(line, text);
			}

			return text;
		});
	}
}

/** The finished frame: handed to the screen writer when there is one, else drawn by Ink. */
function FrameView({lines, width}: {lines: readonly string[]; width: number}) {
	const {draw} = useContext(FrameOutputContext);
	useLayoutEffect(() => {
		draw?.(lines);
	}, [draw, lines]);
	if (draw !== undefined || lines.length === 0) return null;
	return (
		<Box flexDirection="column" width={Math.max(1, width)} height={lines.length}>
			{lines.map((text, index) => (
				// Screen rows: the index is the identity, and an unchanged row is not re-rendered.
				<TextLine key={index} text={text} />
			))}
		</Box>
	);
}
