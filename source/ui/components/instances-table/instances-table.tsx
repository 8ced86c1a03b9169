// The instances: one line each (reused while its numbers stay the same), scrolled so the selected one is always visible.
import React, {memo, useMemo} from 'react';
import type {InstanceActivity} from '../../../actions/action-runner.js';
import type {Assessment} from '../../../core/assessment.js';
import type {InstanceSample} from '../../../core/types.js';
import {instanceMark, type BreachMark} from '../../layout/concern-text.js';
import {activityCell, activityInProgress} from '../../layout/action-text.js';
import {displayNames, fit, formatBytes, formatPercent, longestWidth, truncateStart} from '../../layout/format.js';
import {tableColumns, type TableColumns} from '../../layout/screen-layout.js';
import {sparkline} from '../../layout/series.js';
import {levelColor, levelSymbol, tone} from '../../layout/symbols.js';
import {fitLine, styledLine, type Span, type StyledLine} from '../../layout/styled-text.js';
import {Lines} from '../lines/index.js';

export interface InstancesTableProps {
	instances: readonly InstanceSample[];
	assessment: Assessment | undefined;
	selectedId: string | null;
	/** Recent CPU values per instance id, oldest first. */
	trends: ReadonlyMap<string, readonly number[]>;
	width: number;
	/** Lines, the column header included. */
	height: number;
	color: boolean;
	/** Shown instead of rows when there are no instances (e.g. `docker: reconnecting`). */
	emptyText?: string;
	/** The compose project: names lose its prefix when all of them have it. */
	project?: string;
	/** Per instance name, what an action is doing to it (or did last): shown in place of USED/LIMIT and the trend. */
	activity?: ReadonlyMap<string, InstanceActivity>;
}

/** First visible index so that `selected` is inside a window of `visible` rows. */
export function scrollStart(count: number, visible: number, selected: number): number {
	if (count <= visible || selected < 0) return 0;
	return Math.min(count - visible, Math.max(0, selected - visible + 1));
}

function stateText(instance: InstanceSample): string {
	return instance.health === 'none' ? instance.state : `${instance.state}/${instance.health}`;
}

function valueCell(value: number | null, mark: BreachMark, width: number): string {
	return fit(`${fit(formatPercent(value), width - 3, 'right')} ${mark.mark}`, width);
}

function rowLine(instance: InstanceSample, name: string, selected: boolean, trend: readonly number[], columns: TableColumns, color: boolean, assessment: Assessment | undefined, activity: InstanceActivity | undefined): StyledLine {
	const state = stateText(instance);
	const stateBad = instance.state !== 'running' || instance.health === 'unhealthy';
	const cpuMark = instanceMark(assessment, instance.name, 'cpu', instance.cpuPercent);
	const memMark = instanceMark(assessment, instance.name, 'memory', instance.memPercent);
	const cpuBad = cpuMark.level !== 'OK';
	const memBad = memMark.level !== 'OK';
	const spans: Span[] = [
		{text: fit(selected ? '▸ ' : '  ', columns.select) + fit(truncateStart(name, columns.name), columns.name), style: {inverse: selected && color, bold: selected}},
		...(columns.host > 0 ? [{text: ` ${fit(instance.host ?? '', columns.host)}`, style: {dim: color}}] : []),
		// An engine that cannot be read: no numbers, and the row says so (the header says why).
		instance.notAssessed !== undefined
			? {text: ` ${fit(`not assessed ${levelSymbol.UNKNOWN}`, columns.state)}`, style: {color: tone(color, 'yellow')}}
			: {text: ` ${fit(stateBad ? `${state} ${levelSymbol.SOON}` : state, columns.state)}`, style: {color: tone(color, stateBad ? 'yellow' : undefined)}},
		{text: ' '},
		{text: valueCell(instance.cpuPercent, cpuMark, columns.cpu), style: {bold: cpuBad, color: tone(color, cpuBad ? levelColor[cpuMark.level] : undefined)}},
		{text: ' '},
		{text: valueCell(instance.memPercent, memMark, columns.mem), style: {bold: memBad, color: tone(color, memBad ? levelColor[memMark.level] : undefined)}},
	];
	// An action's step or result takes the USED/LIMIT and trend cells: the numbers that matter (CPU, MEM) stay.
	const activityWidth = (columns.usage > 0 ? columns.usage + 1 : 0) + columns.trend;
	const cell = activity === undefined || activityWidth <= 0 ? null : activityCell(activity, activityWidth);
	if (cell !== null) {
		spans.push({text: ' '}, {text: cell.text, style: {bold: activityInProgress(activity!), color: tone(color, cell.color)}});
	} else {
		if (columns.usage > 0) spans.push({text: ` ${fit(`${formatBytes(instance.memUsageBytes)}/${formatBytes(instance.memLimitBytes)}`, columns.usage)}`});
		if (columns.trend > 0) spans.push({text: ` ${sparkline(trend, columns.trend)}`, style: {color: tone(color, 'cyan')}});
	}

	return styledLine(spans);
}

/** A built row, kept while nothing it shows changed: most rows of an idle service are the same every second. */
interface CachedRow {
	instance: InstanceSample;
	name: string;
	selected: boolean;
	trend: readonly number[];
	columns: TableColumns;
	color: boolean;
	assessment: Assessment | undefined;
	activity: InstanceActivity | undefined;
	line: StyledLine;
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
	if (a === b) return true;
	if (a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
	return true;
}

function sameSample(a: InstanceSample, b: InstanceSample): boolean {
	return (
		a === b ||
		(a.name === b.name &&
			a.state === b.state &&
			a.health === b.health &&
			a.cpuPercent === b.cpuPercent &&
			a.memPercent === b.memPercent &&
			a.memUsageBytes === b.memUsageBytes &&
			a.memLimitBytes === b.memLimitBytes &&
			a.notAssessed === b.notAssessed)
	);
}

/** Rows by instance id, reused across frames when their inputs are equal. */
export class RowCache {
	private rows = new Map<string, CachedRow>();

	row(instance: InstanceSample, name: string, selected: boolean, trend: readonly number[], columns: TableColumns, color: boolean, assessment: Assessment | undefined, activity: InstanceActivity | undefined): StyledLine {
		const cached = this.rows.get(instance.id);
		if (
			cached !== undefined &&
			cached.name === name &&
			cached.selected === selected &&
			cached.columns === columns &&
			cached.color === color &&
			cached.activity === activity &&
			// The assessment is new every tick; it only matters here when it marks something.
			(cached.assessment === assessment || (noConcerns(cached.assessment) && noConcerns(assessment))) &&
			sameSample(cached.instance, instance) &&
			sameNumbers(cached.trend, trend)
		) {
			return cached.line;
		}

		const line = rowLine(instance, name, selected, trend, columns, color, assessment, activity);
		this.rows.set(instance.id, {instance, name, selected, trend, columns, color, assessment, activity, line});
		return line;
	}

	/** Forgets rows not in `ids` (instances gone or scrolled away). */
	keep(ids: ReadonlySet<string>): void {
		for (const id of this.rows.keys()) if (!ids.has(id)) this.rows.delete(id);
	}
}

function noConcerns(assessment: Assessment | undefined): boolean {
	return assessment === undefined || assessment.concerns.length === 0;
}

const noActivity: ReadonlyMap<string, InstanceActivity> = new Map();
const noTrend: readonly number[] = [];

/** The heading and the visible rows, each exactly fitted to the width; `rows` reuses unchanged ones. */
export function tableLines(
	{instances, assessment, selectedId, trends, width, height, color, emptyText, project = '', activity = noActivity}: InstancesTableProps,
	rows: RowCache = new RowCache(),
): StyledLine[] {
	if (height <= 0) return [];
	const {short, longest} = shownNames(instances, project);
	const columns = tableColumnsFor(width, longest, hostColumnWidth(instances));
	const visible = Math.max(0, height - 1);
	const selectedIndex = instances.findIndex(instance => instance.id === selectedId);
	const start = scrollStart(instances.length, visible, selectedIndex);
	const end = Math.min(instances.length, start + visible);
	const range = instances.length > visible && visible > 0 ? ` ${start + 1}-${end}/${instances.length}` : '';
	const heading =
		fit(`  INSTANCE${range}`, columns.select + columns.name) +
		(columns.host > 0 ? ` ${fit('HOST', columns.host)}` : '') +
		` ${fit('STATE', columns.state)} ${fit('CPU', columns.cpu - 3, 'right')}    ${fit('MEM', columns.mem - 3, 'right')}   ` +
		(columns.usage > 0 ? ` ${fit('USED/LIMIT', columns.usage)}` : '') +
		// Right-aligned like the sparkline below it, whose newest value sits at the right edge.
		(columns.trend > 0 ? ` ${(columns.trend >= 9 ? 'CPU TREND' : 'TREND').slice(0, columns.trend).padStart(columns.trend)}` : '');

	const lines: StyledLine[] = [styledLine(heading, {bold: true})];
	if (end <= start && visible > 0) lines.push(styledLine(`  ${emptyText ?? 'no instances'}`, {dim: color}));
	const shownIds = new Set<string>();
	for (let index = start; index < end; index++) {
		const instance = instances[index]!;
		shownIds.add(instance.id);
		lines.push(rows.row(instance, short[index]!, instance.id === selectedId, trends.get(instance.id) ?? noTrend, columns, color, assessment, activity.get(instance.name)));
	}

	rows.keep(shownIds);
	return lines.map(line => fitLine(line, width));
}

let lastNames: {names: string[]; project: string; short: string[]; longest: number} | undefined;

/** The names the table shows (displayNames) and the widest; the last answer is kept while the names stay the same. */
export function shownNames(instances: readonly InstanceSample[], project: string): {short: readonly string[]; longest: number} {
	const last = lastNames;
	if (last !== undefined && last.project === project && last.names.length === instances.length && instances.every((instance, index) => instance.name === last.names[index])) {
		return last;
	}

	const names = instances.map(instance => instance.name);
	// With several engines a name carries its host (`api_1@app2`); the HOST column shows it, the name column need not.
	const short = displayNames(names.map((name, index) => withoutHost(name, instances[index]!.host)), project);
	lastNames = {names, project, short, longest: longestWidth(short)};
	return lastNames;
}

function withoutHost(name: string, host: string | undefined): string {
	return host !== undefined && name.endsWith(`@${host}`) ? name.slice(0, -host.length - 1) : name;
}

/** The HOST column's width: the longest host name (at most 12) when the instances run on more than one engine, else 0. */
export function hostColumnWidth(instances: readonly InstanceSample[]): number {
	const first = instances[0]?.host;
	let several = false;
	let longest = 0;
	for (const instance of instances) {
		if (instance.host !== first) several = true;
		longest = Math.max(longest, instance.host?.length ?? 0);
	}

	return several ? Math.min(12, Math.max(4, longest)) : 0;
}

// One columns object per width, longest name and host width, so cached rows compare it by reference.
let lastColumns: {width: number; longest: number; host: number; columns: TableColumns} | undefined;

function tableColumnsFor(width: number, longest: number, host: number): TableColumns {
	if (lastColumns?.width !== width || lastColumns.longest !== longest || lastColumns.host !== host) lastColumns = {width, longest, host, columns: tableColumns(width, longest, host)};
	return lastColumns.columns;
}

function InstancesTableView(props: InstancesTableProps) {
	const rows = useMemo(() => new RowCache(), []);
	return <Lines lines={tableLines(props, rows)} width={props.width} height={props.height} />;
}

export const InstancesTable = memo(InstancesTableView);
