// The incident snapshot: what the screen says now, the last 15 minutes of every chart as text, the event log and
// the actions taken, as Markdown to paste into an incident channel and as JSON. Pure: the caller reads the audit
// log and writes the files (source/record/snapshot-files.ts).
import asciichart from 'asciichart';
import type {Assessment, Concern} from './assessment.js';
import type {EventEntry} from './event-log.js';
import {seriesKey, type History} from './history.js';
import type {ReportJson} from './report.js';
import {formatBytes} from './report.js';
import {formatDuration, runbookActions} from './rules.js';
import {thresholdOf, type AnySourceModel, type ThresholdUnit} from './source-model.js';
import {formatThreshold, formatValue as formatInUnit} from './threshold-judge.js';
import type {Thresholds} from './thresholds.js';
import type {SourceStatus, StackSnapshot} from './types.js';

export const snapshotWindowMs = 15 * 60_000;
/** Columns of a text chart: fits a chat message without wrapping. */
const chartColumns = 60;
/** Rows: 10, so a percent chart has a labelled row every 10 %. */
const chartHeight = 10;
/** Instances with a concern get a CPU chart of their own, up to this many. */
const instanceCharts = 6;

export interface SnapshotChart {
	key: string;
	title: string;
	/** The unit of its values and threshold; null for a series no threshold is drawn on (plain numbers). */
	unit: ThresholdUnit | null;
	threshold: number | null;
	/** [epoch ms, value], oldest first. */
	points: Array<[number, number]>;
}

/** An action as the audit log has it (source/actions/audit-log.ts). */
export interface SnapshotAction {
	time: string;
	user: string;
	host: string;
	action: string;
	instance: string | null;
	from: number | null;
	to: number | null;
	result: string;
	duration: number | null;
	error: string | null;
}

export interface SnapshotSource {
	name: string;
	endpoint: string;
	state: string;
}

export interface SnapshotInput {
	now: number;
	report: ReportJson;
	assessment: Assessment;
	sources: SnapshotSource[];
	charts: SnapshotChart[];
	events: readonly EventEntry[];
	actions: readonly SnapshotAction[];
	/** Where the history came from and how far back it reaches; the recorder's state. */
	history: {source: string | null; fromSeconds: number | null; recording: string | null};
	windowMs?: number;
}

function statusText(status: SourceStatus, now: number): string {
	switch (status.kind) {
		case 'ok':
			return `ok (data ${formatDuration(Math.max(0, now - status.at) / 1000)} old)`;
		case 'connecting':
			return 'connecting (no answer yet)';
		case 'reconnecting':
			return `reconnecting: ${status.reason}`;
		case 'unreachable':
			return `unreachable: ${status.reason}`;
	}
}

/** Every source's state: the workload's, then each configured source's in the registry's order. */
export function snapshotSources(snapshot: StackSnapshot, models: readonly AnySourceModel[]): SnapshotSource[] {
	const out: SnapshotSource[] = [{name: 'docker', endpoint: snapshot.docker.endpoint, state: statusText(snapshot.docker.status, snapshot.at)}];
	for (const model of models) {
		const reading = snapshot.sources[model.id];
		if (reading !== undefined) out.push({name: model.id, endpoint: reading.endpoint, state: statusText(reading.status, snapshot.at)});
	}

	return out;
}

/**
 * The charts of the window: the service's, every configured source's charts (their series and threshold lines), any
 * other series in the history, and the CPU of each instance that has a concern.
 */
export function snapshotCharts(history: History, snapshot: StackSnapshot, assessment: Assessment, thresholds: Thresholds, models: readonly AnySourceModel[], windowMs = snapshotWindowMs): SnapshotChart[] {
	const since = snapshot.at - windowMs;
	const charts: SnapshotChart[] = [];
	const drawn = new Set<string>();
	const chart = (key: string, title: string, unit: ThresholdUnit | null, threshold: number | null) => {
		drawn.add(key);
		const points = history.samples(key, since).map(sample => [sample.time, Math.round(sample.value * 100) / 100] as [number, number]);
		if (points.length > 0) charts.push({key, title, unit, threshold, points});
	};

	chart(seriesKey.serviceCpu, 'Service average CPU', 'percent', thresholds.cpuImmediate);
	chart(seriesKey.serviceMem, 'Service average memory', 'percent', thresholds.memImmediate);
	for (const model of models) {
		if (snapshot.sources[model.id] === undefined) continue;
		for (const spec of model.charts ?? []) {
			const threshold = model.thresholds.find(candidate => candidate.key === spec.threshold);
			chart(seriesKey.source(model.id, spec.series), `${model.title}: ${spec.label}`, threshold?.unit ?? null, threshold === undefined ? null : thresholdOf(thresholds, threshold));
		}
	}

	const isInstance = (key: string) => key.startsWith('cpu:') || key.startsWith('mem:');
	for (const key of history.keys().sort()) {
		if (!drawn.has(key) && !isInstance(key)) chart(key, key, null, null);
	}

	const troubled = new Set(assessment.concerns.filter(concern => concern.scope === 'instance').map(concern => concern.subject));
	for (const instance of snapshot.docker.instances.filter(instance => troubled.has(instance.name)).slice(0, instanceCharts)) {
		chart(seriesKey.instanceCpu(instance.id), `CPU of ${instance.name}`, 'percent', thresholds.cpuImmediate);
	}

	return charts;
}

/** Max per column, newest on the right: a one-second spike survives. */
function columns(values: readonly number[], count: number): number[] {
	if (values.length <= count) return [...values];
	const out: number[] = [];
	const per = values.length / count;
	for (let i = 0; i < count; i++) {
		let best = Number.NEGATIVE_INFINITY;
		for (let j = Math.floor(i * per); j < Math.max(Math.floor(i * per) + 1, Math.floor((i + 1) * per)); j++) best = Math.max(best, values[j]!);
		out.push(best);
	}

	return out;
}

export function textChart(chart: SnapshotChart): string {
	const values = columns(chart.points.map(point => point[1]), chartColumns);
	const top = Math.max(chart.unit === 'percent' ? 100 : 0, ...values, chart.threshold ?? 0);
	const bottom = Math.min(0, ...values);
	const width = Math.max(...[top, bottom].map(value => formatValue(value, chart.unit).length));
	// The threshold is in the title: a second line in the same characters would read as data.
	return asciichart
		.plot(values, {height: chartHeight, min: bottom, max: top, format: value => formatValue(value, chart.unit).padStart(width)})
		.split('\n')
		.map(line => line.trimEnd())
		.join('\n');
}

function formatValue(value: number, unit: ThresholdUnit | null): string {
	if (unit !== null) return formatInUnit(value, unit);
	return Math.abs(value) >= 1e6 ? value.toExponential(1) : String(Math.round(value * 10) / 10);
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const time = (at: number) => new Date(at).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
const marks: Record<string, string> = {IMMEDIATE: '▲▲', SOON: '▲', UNKNOWN: '?', OK: '✓', INFO: '·'};

function concernHeld(concern: Concern): string {
	const sustain = concern.sustain;
	if (!sustain) return '';
	const before = sustain.beforeStart ? ' (since before va-top started)' : '';
	return sustain.heldSeconds >= sustain.requiredSeconds
		? `${formatDuration(sustain.heldSeconds)}${before}`
		: `${formatDuration(sustain.heldSeconds)} of ${formatDuration(sustain.requiredSeconds)}${before}`;
}

function recommendationText(assessment: Assessment): string {
	const worst = assessment.concerns.find(concern => concern.level === assessment.level);
	const action = assessment.level === 'OK' ? 'Current capacity is adequate' : (worst?.action ?? runbookActions.scaleOut);
	return `${marks[assessment.level]} ${assessment.level}: ${action}`;
}

export function buildIncidentSnapshot(input: SnapshotInput): {markdown: string; json: unknown} {
	const {report, assessment, now} = input;
	const windowMs = input.windowMs ?? snapshotWindowMs;
	const since = now - windowMs;
	const events = input.events.filter(event => event.at >= since && event.at <= now);
	const actions = input.actions.filter(action => Date.parse(action.time) >= since && Date.parse(action.time) <= now);
	const minutes = Math.round(windowMs / 60_000);
	const lines: string[] = [];
	lines.push(`# va-top incident snapshot: ${report.project}/${report.service}, ${time(now)}`, '');
	lines.push(`**${recommendationText(assessment)}**`, '');
	const historyWords = input.history.source === null
		? 'no recorded history'
		: `recorded history from ${formatDuration(input.history.fromSeconds ?? 0)} back (${input.history.source})`;
	lines.push(`Docker ${report.docker.endpoint} · ${report.instances.length} instance(s) · ${historyWords}${input.history.recording ? ` · ${input.history.recording}` : ''}`, '');

	lines.push('## Concerns', '');
	if (assessment.concerns.length === 0) lines.push('None: current capacity is adequate.', '');
	else {
		lines.push('| level | concern | held | action |', '| --- | --- | --- | --- |');
		for (const concern of assessment.concerns) lines.push(`| ${marks[concern.level]} ${concern.level} | ${cell(concern.message)} | ${concernHeld(concern)} | ${cell(concern.action)} |`);
		lines.push('');
	}

	lines.push('## Sources', '', '| source | endpoint | state |', '| --- | --- | --- |');
	for (const source of input.sources) lines.push(`| ${source.name} | ${cell(source.endpoint)} | ${cell(source.state)} |`);
	lines.push('');

	lines.push('## Instances', '');
	if (report.instances.length === 0) lines.push('No instances found.', '');
	else {
		lines.push('| instance | state | CPU | MEM | MEM USAGE / LIMIT | restarts |', '| --- | --- | ---: | ---: | --- | ---: |');
		for (const instance of report.instances) {
			const state = instance.health === 'none' ? instance.state : `${instance.state}/${instance.health}`;
			const usage = instance.memUsageBytes === null || instance.memLimitBytes === null ? '-' : `${formatBytes(instance.memUsageBytes)} / ${formatBytes(instance.memLimitBytes)}`;
			const percent = (value: number | null) => (value === null ? '-' : `${value.toFixed(1)}%`);
			lines.push(`| ${instance.name} | ${state} | ${percent(instance.cpuPercent)} | ${percent(instance.memPercent)} | ${usage} | ${instance.restartCount} |`);
		}

		lines.push('');
	}

	lines.push(`## Charts, last ${minutes} minutes`, '');
	if (input.charts.length === 0) lines.push('No readings in the window.', '');
	for (const chart of input.charts) {
		const first = chart.points[0]![0];
		const span = formatDuration((now - first) / 1000);
		lines.push(`### ${chart.title}${chart.threshold === null || chart.unit === null ? '' : ` (threshold ${formatThreshold(chart.threshold, chart.unit)})`}`, '');
		lines.push('```text', textChart(chart), `${' '.repeat(6)}${span} ago … now (${chart.points.length} readings, each column the highest of its time)`, '```', '');
	}

	lines.push(`## Event log, last ${minutes} minutes`, '');
	if (events.length === 0) lines.push('No events.', '');
	else {
		lines.push('| time | level | event |', '| --- | --- | --- |');
		for (const event of events) lines.push(`| ${time(event.at)} | ${marks[event.level] ?? ''} ${event.level} | ${cell(event.text)} |`);
		lines.push('');
	}

	lines.push(`## Actions (audit log), last ${minutes} minutes`, '');
	if (actions.length === 0) lines.push('No actions.', '');
	else {
		lines.push('| time | user@host | action | instance | count | result | error |', '| --- | --- | --- | --- | --- | --- | --- |');
		for (const action of actions) {
			const count = action.from === null && action.to === null ? '' : `${action.from ?? '?'} → ${action.to ?? '?'}`;
			lines.push(`| ${time(Date.parse(action.time))} | ${cell(`${action.user}@${action.host}`)} | ${action.action} | ${cell(action.instance ?? '')} | ${count} | ${action.result} | ${cell(action.error ?? '')} |`);
		}

		lines.push('');
	}

	const json = {
		version: 1,
		kind: 'va-top-incident-snapshot',
		time: new Date(now).toISOString(),
		project: report.project,
		service: report.service,
		windowSeconds: windowMs / 1000,
		recommendation: {level: assessment.level, text: recommendationText(assessment)},
		concerns: assessment.concerns.map(concern => ({
			level: concern.level,
			key: concern.key,
			scope: concern.scope,
			subject: concern.subject,
			metric: concern.metric,
			value: concern.value === null ? null : Math.round(concern.value * 10) / 10,
			threshold: concern.threshold,
			action: concern.action,
			message: concern.message,
			heldSeconds: concern.sustain ? Math.floor(concern.sustain.heldSeconds) : null,
			requiredSeconds: concern.sustain?.requiredSeconds ?? null,
			beforeStart: concern.sustain?.beforeStart ?? false,
		})),
		sources: input.sources,
		report,
		charts: input.charts.map(chart => ({key: chart.key, title: chart.title, unit: chart.unit, threshold: chart.threshold, points: chart.points})),
		events,
		actions,
		history: input.history,
	};
	return {markdown: `${lines.join('\n')}\n`, json};
}
