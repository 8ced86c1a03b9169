// The instances: one line each (reused while what it shows stays the same), in the sort's order, scrolled so the
// selected one is visible. Every heading is built from the same column widths as the rows, so it stands over its
// column at every width; the heading also says where the rows are (5-9/43), the filter, and how many instances with a
// mark are out of view.
import React, {memo, useMemo} from 'react';
import type {InstanceActivity} from '../../../actions/action-runner.js';
import type {Assessment} from '../../../core/assessment.js';
import type {InstanceSample} from '../../../core/types.js';
import {activityCell, activityInProgress} from '../../layout/action-text.js';
import {instanceMark, type BreachMark} from '../../layout/concern-text.js';
import {fit, formatBytes, formatPercent, textWidth} from '../../layout/format.js';
import {ShortNames, widestName} from '../../layout/instance-names.js';
import {concernedOutOfView, defaultSort, sortArrow, type SortKey, type SortState} from '../../layout/instance-order.js';
import {tableColumns, type TableColumns} from '../../layout/screen-layout.js';
import {sparkline} from '../../layout/series.js';
import {levelColor, levelSymbol, tone} from '../../layout/symbols.js';
import {fitLine, styledLine, type Span, type StyledLine} from '../../layout/styled-text.js';
import {Lines} from '../lines/index.js';

export interface InstancesTableProps {
	/** The rows, in the order shown (sorted and filtered). */
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
	/** Per instance name, what an action is doing to it: its own column, so CPU and memory stay in view. */
	activity?: ReadonlyMap<string, InstanceActivity>;
	sort?: SortState;
	/** The filter in force, and how many instances there are before it. */
	filter?: string;
	total?: number;
	/** First row shown; omitted: scrolled just enough to show the selected one. */
	start?: number;
	/** The frame's time, for the uptime. */
	now?: number;
}

/** First visible index so that `selected` is inside a window of `visible` rows. */
export function scrollStart(count: number, visible: number, selected: number): number {
	if (count <= visible || selected < 0) return 0;
	return Math.min(count - visible, Math.max(0, selected - visible + 1));
}

/**
 * The first row shown, remembered between frames: the view moves only when the selection would leave it (as in top),
 * so moving up from the bottom does not scroll, and a re-sort that moves the selected instance brings the view along.
 */
export class TableScroll {
	private start = 0;

	at(count: number, visible: number, selected: number): number {
		if (visible <= 0 || count <= visible) {
			this.start = 0;
			return 0;
		}

		let start = Math.min(this.start, count - visible);
		if (selected >= 0) {
			if (selected < start) start = selected;
			else if (selected >= start + visible) start = selected - visible + 1;
		}

		this.start = Math.max(0, start);
		return this.start;
	}
}

function stateText(instance: InstanceSample, withHealth: boolean): string {
	return !withHealth || instance.health === 'none' ? instance.state : `${instance.state}/${instance.health}`;
}

function valueCell(value: number | null, mark: BreachMark, width: number): string {
	return fit(`${fit(formatPercent(value), width - 3, 'right')} ${mark.mark}`, width);
}

/** How long an instance has run: `45s`, `12m`, `3h04m`, `2d03h` (minutes at most, so a row is not redrawn every second). */
export function formatUptime(startedAt: number | null, now: number, running: boolean): string {
	if (!running || startedAt === null || !(now >= startedAt)) return '-';
	const seconds = Math.floor((now - startedAt) / 1000);
	const two = (n: number) => String(n).padStart(2, '0');
	if (seconds < 60) return `${seconds}s`;
	const minutes = Math.floor(seconds / 60);
	if (minutes < 60) return `${minutes}m`;
	const hours = Math.floor(minutes / 60);
	if (hours < 24) return `${hours}h${two(minutes % 60)}m`;
	return `${Math.floor(hours / 24)}d${two(hours % 24)}h`;
}

interface RowInput {
	instance: InstanceSample;
	name: string;
	selected: boolean;
	trend: readonly number[];
	columns: TableColumns;
	color: boolean;
	assessment: Assessment | undefined;
	activity: InstanceActivity | undefined;
	uptime: string;
}

function rowLine({instance, name, selected, trend, columns, color, assessment, activity, uptime}: RowInput): StyledLine {
	const withHealth = columns.health === 0;
	const state = stateText(instance, withHealth);
	const stateBad = instance.state !== 'running' || (withHealth && instance.health === 'unhealthy');
	const cpuMark = instanceMark(assessment, instance.name, 'cpu', instance.cpuPercent);
	const memMark = instanceMark(assessment, instance.name, 'memory', instance.memPercent);
	const cpuBad = cpuMark.level !== 'OK';
	const memBad = memMark.level !== 'OK';
	const spans: Span[] = [
		{text: fit(selected ? '▸ ' : '  ', columns.select) + fit(name, columns.name), style: {inverse: selected && color, bold: selected}},
		...(columns.host > 0 ? [{text: ` ${fit(instance.host ?? '', columns.host)}`, style: {dim: color}}] : []),
		// An engine (or a Swarm node's engine) that cannot be read: no numbers, and the row says so (the header says why).
		// Its words take the HEALTH cell too, which has nothing to say for it, so they are never cut to "not asses…".
		instance.notAssessed !== undefined
			? {text: ` ${fit(`not assessed ${levelSymbol.UNKNOWN}`, columns.state + (columns.health > 0 ? columns.health + 1 : 0))}`, style: {color: tone(color, 'yellow')}}
			: {text: ` ${fit(stateBad ? `${state} ${levelSymbol.SOON}` : state, columns.state)}`, style: {color: tone(color, stateBad ? 'yellow' : undefined)}},
	];
	if (columns.health > 0 && instance.notAssessed === undefined) {
		const unhealthy = instance.health === 'unhealthy';
		spans.push({text: ` ${fit(instance.health === 'none' ? '-' : unhealthy ? `${instance.health} ${levelSymbol.SOON}` : instance.health, columns.health)}`, style: {color: tone(color, unhealthy ? 'yellow' : undefined)}});
	}

	spans.push(
		{text: ' '},
		{text: valueCell(instance.cpuPercent, cpuMark, columns.cpu), style: {bold: cpuBad, color: tone(color, cpuBad ? levelColor[cpuMark.level] : undefined)}},
		{text: ' '},
		{text: valueCell(instance.memPercent, memMark, columns.mem), style: {bold: memBad, color: tone(color, memBad ? levelColor[memMark.level] : undefined)}},
	);
	if (columns.usage > 0) spans.push({text: ` ${fit(`${formatBytes(instance.memUsageBytes)}/${formatBytes(instance.memLimitBytes)}`, columns.usage)}`});
	if (columns.action > 0) {
		const cell = activity === undefined ? null : activityCell(activity, columns.action);
		spans.push({text: ' '}, cell === null ? {text: ' '.repeat(columns.action)} : {text: cell.text, style: {bold: activityInProgress(activity!), color: tone(color, cell.color)}});
	}

	if (columns.restarts > 0) {
		const restarted = instance.restartCount > 0;
		spans.push({text: ` ${fit(String(instance.restartCount), columns.restarts, 'right')}`, style: {color: tone(color, restarted ? 'yellow' : undefined)}});
	}

	if (columns.uptime > 0) spans.push({text: ` ${fit(uptime, columns.uptime, 'right')}`});
	if (columns.trend > 0) spans.push({text: ` ${sparkline(trend, columns.trend)}`, style: {color: tone(color, 'cyan')}});
	return styledLine(spans);
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
			a.restartCount === b.restartCount &&
			a.cpuPercent === b.cpuPercent &&
			a.memPercent === b.memPercent &&
			a.memUsageBytes === b.memUsageBytes &&
			a.memLimitBytes === b.memLimitBytes &&
			a.notAssessed === b.notAssessed)
	);
}

function noConcerns(assessment: Assessment | undefined): boolean {
	return assessment === undefined || assessment.concerns.length === 0;
}

/** Rows by instance id, reused across frames when their inputs are equal: most rows of an idle service stay the same. */
export class RowCache {
	private rows = new Map<string, RowInput & {line: StyledLine}>();

	row(input: RowInput): StyledLine {
		const cached = this.rows.get(input.instance.id);
		if (
			cached !== undefined &&
			cached.name === input.name &&
			cached.selected === input.selected &&
			cached.columns === input.columns &&
			cached.color === input.color &&
			cached.activity === input.activity &&
			cached.uptime === input.uptime &&
			// The assessment is new every tick; it only matters here when it marks something.
			(cached.assessment === input.assessment || (noConcerns(cached.assessment) && noConcerns(input.assessment))) &&
			sameSample(cached.instance, input.instance) &&
			sameNumbers(cached.trend, input.trend)
		) {
			return cached.line;
		}

		const line = rowLine(input);
		this.rows.set(input.instance.id, {...input, line});
		return line;
	}

	/** Forgets rows not in `ids` (instances gone or scrolled away). */
	keep(ids: ReadonlySet<string>): void {
		for (const id of this.rows.keys()) if (!ids.has(id)) this.rows.delete(id);
	}
}

const noActivity: ReadonlyMap<string, InstanceActivity> = new Map();
const noTrend: readonly number[] = [];

/** `2 more over threshold ↓`, `1 ↑ 2 ↓ more over threshold`, or '' when every instance with a mark is in view. */
export function outOfViewText(above: number, below: number): string {
	if (above > 0 && below > 0) return `${above} ↑ ${below} ↓ more over threshold`;
	if (below > 0) return `${below} more over threshold ↓`;
	if (above > 0) return `${above} more over threshold ↑`;
	return '';
}

function title(text: string, key: SortKey | null, sort: SortState): string {
	return key !== null && sort.key === key ? `${text}${sortArrow(sort)}` : text;
}

/** What the heading's first cells say: where the rows are (`5-9/43`), the filter, instances with a mark out of view. */
interface HeadingWhere {
	range: string;
	filter: string;
	hint: string;
	/** The hint in a few cells: `2▲↓`. */
	shortHint: string;
}

/** The heading: each title fitted to its column as its values are; the first cells say where the rows are. */
function headingLine(columns: TableColumns, sort: SortState, where: HeadingWhere, width: number): StyledLine {
	const right = (text: string, cellWidth: number) => fit(text, cellWidth, 'right');
	const figure = (text: string, cellWidth: number) => `${right(text, cellWidth - 3)}   `;
	const name = title('INSTANCE', 'name', sort);
	const join = (...parts: string[]) => `  ${parts.filter(part => part !== '').join(' ')}`;
	const left = join(name, where.range, where.filter);
	const nameRoom = columns.select + columns.name;
	const cells: string[] = [fit(left, nameRoom), ...(columns.host > 0 ? [fit(title('HOST', 'host', sort), columns.host)] : []), fit(columns.health > 0 ? 'STATE' : 'STATE/HEALTH', columns.state)];
	if (columns.health > 0) cells.push(fit('HEALTH', columns.health));
	cells.push(figure(title('CPU', 'cpu', sort), columns.cpu), figure(title('MEM', 'mem', sort), columns.mem));
	if (columns.usage > 0) cells.push(fit('USED/LIMIT', columns.usage));
	if (columns.action > 0) cells.push(fit('ACTION', columns.action));
	if (columns.restarts > 0) cells.push(right('RESTARTS', columns.restarts));
	if (columns.uptime > 0) cells.push(right('UPTIME', columns.uptime));
	if (columns.trend > 0) cells.push(fit(columns.trend >= 9 ? 'CPU TREND' : 'TREND', columns.trend));
	let text = cells.join(' ');
	if (where.hint !== '' || textWidth(left) > nameRoom) {
		// More to say than the name column holds: said over the name and state columns, where it is read first; the
		// state's title gives way (the rows show what a state is). Every column after it keeps its title over it.
		// Most first: instances with a mark out of view, then the filter typed, then where the rows are.
		const room = nameRoom + 1 + columns.state;
		const {range, filter, hint, shortHint} = where;
		const hinted =
			hint === ''
				? []
				: where.filter === ''
					? [join(name, range, '·', hint), join(range, '·', hint), join(hint), join(range, '·', shortHint), join(shortHint)]
					: // A filter stays in sight (rows missing without a reason would alarm), if need be with the short hint.
						[join(name, range, filter, '·', hint), join(range, filter, '·', hint), join(filter, '·', hint), join(filter, '·', shortHint), join(range, '·', hint), join(hint), join(shortHint)];
		const said = [...hinted, left, join(range, filter), join(filter), join(range)];
		const chosen = said.find(option => textWidth(option) <= room) ?? said[said.length - 1]!;
		text = fit(chosen, room) + text.slice(room);
	}

	return styledLine(text.slice(0, width), {bold: true});
}

/** The heading and the visible rows, each exactly fitted to the width; `rows` reuses unchanged ones. */
export function tableLines(
	{instances, assessment, selectedId, trends, width, height, color, emptyText, activity = noActivity, sort = defaultSort, filter = '', total, start: given, now = 0}: InstancesTableProps,
	rows: RowCache = new RowCache(),
	names: ShortNames = new ShortNames(),
): StyledLine[] {
	if (height <= 0) return [];
	const {columns, names: allNames} = rowColumns(instances, width, activity.size > 0);
	const short = names.of(allNames, columns.name);
	const visible = Math.max(0, height - 1);
	const selectedIndex = instances.findIndex(instance => instance.id === selectedId);
	const start = given ?? scrollStart(instances.length, visible, selectedIndex);
	const end = Math.min(instances.length, start + visible);
	const count = total ?? instances.length;
	const {above, below} = concernedOutOfView(instances, start, end, assessment);
	const where: HeadingWhere = {
		range: instances.length > visible && visible > 0 ? `${start + 1}-${end}/${instances.length}` : '',
		filter: filter === '' ? '' : `/${filter} (${instances.length} of ${count})`,
		hint: outOfViewText(above, below),
		shortHint: above + below === 0 ? '' : `${above > 0 ? `${above}${levelSymbol.SOON}↑` : ''}${below > 0 ? `${below}${levelSymbol.SOON}↓` : ''}`,
	};
	const lines: StyledLine[] = [headingLine(columns, sort, where, width)];
	if (end <= start && visible > 0) lines.push(styledLine(`  ${filter !== '' && count > 0 ? `no instance matches /${filter} (Esc clears the filter)` : (emptyText ?? 'no instances')}`, {dim: color}));
	const shownIds = new Set<string>();
	for (let index = start; index < end; index++) {
		const instance = instances[index]!;
		shownIds.add(instance.id);
		lines.push(
			rows.row({
				instance,
				name: short[index]!,
				selected: instance.id === selectedId,
				trend: trends.get(instance.id) ?? noTrend,
				columns,
				color,
				assessment,
				activity: activity.get(instance.name),
				uptime: columns.uptime > 0 ? formatUptime(instance.startedAt, now, instance.state === 'running') : '',
			}),
		);
	}

	rows.keep(shownIds);
	return lines.map(line => fitLine(line, width));
}

// One columns object per width, longest name, action column and host width, so cached rows compare it by reference.
let lastColumns: {width: number; longest: number; action: boolean; host: number; columns: TableColumns} | undefined;

function withoutHost(name: string, host: string | undefined): string {
	return host !== undefined && name.endsWith(`@${host}`) ? name.slice(0, -host.length - 1) : name;
}

/**
 * The HOST column's width: the longest host name (at most 12) when the instances run on more than one engine (or a
 * Swarm service's tasks on more than one node), else 0.
 */
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

/** The columns for these rows and the names their name column shows (the screen asks too, for the trend's width). */
export function rowColumns(instances: readonly InstanceSample[], width: number, action: boolean): {columns: TableColumns; names: string[]} {
	const host = hostColumnWidth(instances);
	// With several engines a name carries its host (`api_1@app2`); the HOST column shows it, the name column need not.
	const names = instances.map(instance => (host > 0 ? withoutHost(instance.name, instance.host) : instance.name));
	return {columns: tableColumnsFor(width, widestName(names), action, host), names};
}

export function tableColumnsFor(width: number, longest: number, action: boolean, host = 0): TableColumns {
	if (lastColumns?.width !== width || lastColumns.longest !== longest || lastColumns.action !== action || lastColumns.host !== host) {
		lastColumns = {width, longest, action, host, columns: tableColumns(width, longest, {action, host})};
	}

	return lastColumns.columns;
}

function InstancesTableView(props: InstancesTableProps) {
	const caches = useMemo(() => ({rows: new RowCache(), names: new ShortNames()}), []);
	return <Lines lines={tableLines(props, caches.rows, caches.names)} width={props.width} height={props.height} />;
}

export const InstancesTable = memo(InstancesTableView);
