// The whole frame, laid out for the pane's size: the views' lines stacked into rows - 1 screen lines, handed to the
// screen writer as finished strings (or drawn by Ink where there is none, as under ink-testing-library).
import {Box} from 'ink';
import React, {useContext, useEffect, useLayoutEffect, useMemo} from 'react';
import {runningCount} from '../../../core/action-rules.js';
import {redactUrl} from '../../../core/redact.js';
import {servicesOf} from '../../../core/stack-services.js';
import {ActionsContext} from '../../contexts/actions-context.js';
import {FrameOutputContext} from '../../contexts/frame-output-context.js';
import {MonitorActionsContext} from '../../contexts/monitor-actions-context.js';
import {useMonitorStateContext} from '../../contexts/monitor-state-context.js';
import {canAbort, isModal, type ActionDialog as ActionDialogState} from '../../hooks/use-action-state.js';
import {chartWindows, resolveSelection, stackExpanded} from '../../hooks/use-monitor-state.js';
import {runningText} from '../../layout/action-text.js';
import {chartData, chartPages, cpuTrends} from '../../layout/chart-specs.js';
import {computeLayout, isWideSize, tableColumns} from '../../layout/screen-layout.js';
import {sourceLines} from '../../layout/source-status.js';
import {fitLine, renderLine, toHeight, type StyledLine} from '../../layout/styled-text.js';
import {actionDialogLines} from '../action-dialog/index.js';
import {chartsPanelLines, PlotCaches} from '../charts-panel/index.js';
import {concernListLines} from '../concern-list/index.js';
import {eventLogLines} from '../event-log/index.js';
import {footerLine, type FooterActions} from '../footer/index.js';
import {headerLines} from '../header/index.js';
import {helpLines} from '../help-overlay/index.js';
import {hostColumnWidth, RowCache, scrollStart, shownNames, tableLines} from '../instances-table/index.js';
import {TextLine} from '../lines/index.js';
import {stackPanelHeight, stackPanelLines} from '../stack-panel/index.js';
import {tooSmallLines} from '../too-small/index.js';

const noInstances: never[] = [];
const noDialog: ActionDialogState = {kind: 'none'};

export function Screen() {
	const {frame, history, ui, size, settings} = useMonitorStateContext();
	const {sgr} = useContext(FrameOutputContext);
	// Rows and plots that did not change are reused from the last frame.
	const caches = useMemo(() => ({rows: new RowCache(), plots: new PlotCaches(), text: new RenderedLines()}), []);
	// Optional: a screen mounted without actions shows none.
	const actions = useContext(ActionsContext);
	const snapshot = frame?.snapshot;
	const instances = snapshot?.docker.instances ?? noInstances;
	const now = snapshot?.at ?? 0;
	// The project's other services: a panel under the table, one line unless expanded (`e`, or a wide screen).
	const others = snapshot?.docker.others ?? noInstances;
	const services = useMemo(() => (snapshot ? (servicesOf(snapshot) ?? []) : []), [snapshot?.docker.status, others]);
	const expanded = stackExpanded(ui, isWideSize(size.columns, size.rows));
	const stackWanted = stackPanelHeight(services.length, expanded);
	const layout = useMemo(() => computeLayout(size.columns, size.rows, instances.length, stackWanted), [size.columns, size.rows, instances.length, stackWanted]);
	const ids = useMemo(() => instances.map(instance => instance.id), [instances]);
	const selectedId = resolveSelection(ids, ui.selectedId);
	const selected = instances.find(instance => instance.id === selectedId);
	const project = snapshot?.project ?? settings.project;
	// The table's own columns: its trend cells are as many as the points asked for here.
	const {longest} = shownNames(instances, project);
	const trendWidth = layout.kind === 'screen' ? tableColumns(layout.columns, longest, hostColumnWidth(instances)).trend : 0;

	const pages = chartPages(settings.sources);
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
	const tableRows = layout.kind === 'screen' ? Math.max(0, layout.table - 1) : 0;
	const start = scrollStart(ids.length, tableRows, selectedId === null ? -1 : ids.indexOf(selectedId));
	const inView = useMemo(() => new Set(ids.slice(start, start + tableRows)), [ids, start, tableRows]);
	// The stack streams what is in view first; a screen mounted without actions has no one to tell.
	const showing = useContext(MonitorActionsContext)?.showing;
	useEffect(() => {
		if (layout.kind === 'screen') showing?.([...inView]);
	}, [inView, showing, layout.kind]);
	const trends = useMemo(() => cpuTrends(frame, history, trendWidth, settings.intervalMs, inView), [frame, history, trendWidth, settings.intervalMs, inView]);

	const dialog = actions?.ui.dialog ?? noDialog;
	const running = actions?.ui.running ?? null;
	// The footer's view of the actions: one object while nothing about them changed.
	const footerActions = useMemo<FooterActions>(
		() => ({
			bound: actions?.bound ?? false,
			dialog: isModal(dialog) ? dialog.kind : 'none',
			running: running === null ? null : runningText(running, project),
			abortable: canAbort(running),
		}),
		[actions?.bound, dialog, running, project],
	);

	const lines = useMemo(() => {
		if (layout.kind === 'too-small') return tooSmallLines(layout.columns, layout.rows);
		const {color} = settings;
		const width = layout.columns;
		const docker = snapshot ? sourceLines(snapshot, now, settings.intervalMs)[0] : undefined;
		const emptyText = !snapshot ? 'waiting for the first reading…' : docker && docker.health !== 'ok' ? docker.text : undefined;
		const table = () =>
			toHeight(
				tableLines(
					{
						instances,
						assessment: frame?.assessment,
						selectedId,
						trends,
						width,
						height: layout.table,
						color,
						emptyText,
						project,
						activity: actions?.activity,
					},
					caches.rows,
				),
				layout.table,
			);
		let body: StyledLine[];
		if (dialog.kind !== 'none') {
			// The table stays in view: a confirmation is read next to the instances it is about.
			const context = {
				service: settings.service,
				project,
				min: settings.min,
				max: settings.max,
				current: snapshot ? runningCount(instances) : null,
				dryRun: settings.dryRun,
			};
			body = [...table(), ...actionDialogLines({dialog, context, width, height: layout.body - layout.table, color})];
		} else if (ui.concerns) {
			body = concernListLines({assessment: frame?.assessment, width, height: layout.body, color, project});
		} else if (ui.help) {
			body = helpLines({width, height: layout.body, color, actions: actions?.bound ? {dryRun: settings.dryRun, min: settings.min, max: settings.max} : null});
		} else {
			body = [
				...table(),
				...toHeight(stackPanelLines({services, others, assessment: frame?.assessment, expanded, width, height: layout.stack, color}), layout.stack),
				...toHeight(chartsPanelLines({charts, layout: layout.charts, color}, caches.plots), layout.charts.height * layout.charts.rows),
				...eventLogLines({events: frame?.events ?? noInstances, width, height: layout.events, color}),
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
			intervalMs: settings.intervalMs,
			snapshot,
			assessment: frame?.assessment,
			now,
			sources: settings.sources,
		});
		const footer = footerLine({color, help: ui.help || ui.concerns, paused: ui.paused, canSelect: instances.length > 1, window: ui.window, actions: footerActions, chartPage: pages > 1 ? {page, pages} : undefined});
		return [...toHeight(header, layout.header), ...toHeight(body, layout.body), ...toHeight([fitLine(footer, width)], layout.footer)];
	}, [layout, settings, snapshot, now, instances, frame, selectedId, trends, project, actions, dialog, ui, charts, footerActions, caches, page, pages, services, others, expanded]);

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
		<Box flexDirection="column" width={width} height={lines.length}>
			{lines.map((text, index) => (
				// Screen rows: the index is the identity, and an unchanged row is not re-rendered.
				<TextLine key={index} text={text} />
			))}
		</Box>
	);
}
