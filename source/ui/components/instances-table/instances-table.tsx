// The instances: one memoized row each, scrolled so the selected one is always visible.
import {Box, Text} from 'ink';
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
import {Line} from '../line/index.js';

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

interface RowProps {
	name: string;
	state: string;
	stateBad: boolean;
	cpu: number | null;
	mem: number | null;
	usage: string;
	trend: string;
	cpuMark: BreachMark;
	memMark: BreachMark;
	selected: boolean;
	columns: TableColumns;
	color: boolean;
	activity: InstanceActivity | undefined;
}

function valueCell(value: number | null, mark: BreachMark, width: number): string {
	return fit(`${fit(formatPercent(value), width - 3, 'right')} ${mark.mark}`, width);
}

function RowView({name, state, stateBad, cpu, mem, usage, trend, cpuMark, memMark, selected, columns, color, activity}: RowProps) {
	const cpuBad = cpuMark.level !== 'OK';
	const memBad = memMark.level !== 'OK';
	// An action's step or result takes the USED/LIMIT and trend cells: the numbers that matter (CPU, MEM) stay.
	const activityWidth = (columns.usage > 0 ? columns.usage + 1 : 0) + columns.trend;
	const cell = activity === undefined || activityWidth <= 0 ? null : activityCell(activity, activityWidth);
	return (
		<Line>
			<Text inverse={selected && color} bold={selected}>
				{fit(selected ? '▸ ' : '  ', columns.select)}
				{fit(truncateStart(name, columns.name), columns.name)}
			</Text>
			<Text color={tone(color, stateBad ? 'yellow' : undefined)}>{` ${fit(stateBad ? `${state} ${levelSymbol.SOON}` : state, columns.state)}`}</Text>
			<Text> </Text>
			<Text bold={cpuBad} color={tone(color, cpuBad ? levelColor[cpuMark.level] : undefined)}>
				{valueCell(cpu, cpuMark, columns.cpu)}
			</Text>
			<Text> </Text>
			<Text bold={memBad} color={tone(color, memBad ? levelColor[memMark.level] : undefined)}>
				{valueCell(mem, memMark, columns.mem)}
			</Text>
			{cell !== null ? (
				<Text>
					{' '}
					<Text bold={activityInProgress(activity!)} color={tone(color, cell.color)}>
						{cell.text}
					</Text>
				</Text>
			) : (
				<>
					{columns.usage > 0 ? <Text>{` ${fit(usage, columns.usage)}`}</Text> : null}
					{columns.trend > 0 ? <Text color={tone(color, 'cyan')}>{` ${trend}`}</Text> : null}
				</>
			)}
		</Line>
	);
}

// Props are primitives or stable objects, so a row whose numbers did not change is not re-rendered.
const Row = memo(RowView, (a, b) =>
	a.name === b.name &&
	a.state === b.state &&
	a.stateBad === b.stateBad &&
	a.cpu === b.cpu &&
	a.mem === b.mem &&
	a.usage === b.usage &&
	a.trend === b.trend &&
	a.cpuMark.mark === b.cpuMark.mark &&
	a.cpuMark.level === b.cpuMark.level &&
	a.memMark.mark === b.memMark.mark &&
	a.memMark.level === b.memMark.level &&
	a.selected === b.selected &&
	a.columns === b.columns &&
	a.color === b.color &&
	a.activity === b.activity,
);

const noActivity: ReadonlyMap<string, InstanceActivity> = new Map();

function InstancesTableView({instances, assessment, selectedId, trends, width, height, color, emptyText, project = '', activity = noActivity}: InstancesTableProps) {
	const names = useMemo(() => {
		const all = instances.map(instance => instance.name);
		const short = displayNames(all, project);
		return new Map(all.map((name, index) => [name, short[index]!]));
	}, [instances, project]);
	const longest = longestWidth([...names.values()]);
	// One object per width, so memoized rows compare it by reference.
	const columns = useMemo(() => tableColumns(width, longest), [width, longest]);
	const visible = Math.max(0, height - 1);
	const selectedIndex = instances.findIndex(instance => instance.id === selectedId);
	const start = scrollStart(instances.length, visible, selectedIndex);
	const shown = instances.slice(start, start + visible);
	const range = instances.length > visible && visible > 0 ? ` ${start + 1}-${start + shown.length}/${instances.length}` : '';
	const heading =
		fit(`  INSTANCE${range}`, columns.select + columns.name) +
		` ${fit('STATE', columns.state)} ${fit('CPU', columns.cpu - 3, 'right')}    ${fit('MEM', columns.mem - 3, 'right')}   ` +
		(columns.usage > 0 ? ` ${fit('USED/LIMIT', columns.usage)}` : '') +
		// Right-aligned like the sparkline below it, whose newest value sits at the right edge.
		(columns.trend > 0 ? ` ${(columns.trend >= 9 ? 'CPU TREND' : 'TREND').slice(0, columns.trend).padStart(columns.trend)}` : '');

	return (
		<Box flexDirection="column" width={width} height={height}>
			{height > 0 ? <Line bold>{heading}</Line> : null}
			{shown.length === 0 && visible > 0 ? <Line dim={color}>{`  ${emptyText ?? 'no instances'}`}</Line> : null}
			{shown.map(instance => {
				const state = stateText(instance);
				return (
					<Row
						key={instance.id}
						name={names.get(instance.name) ?? instance.name}
						state={state}
						stateBad={instance.state !== 'running' || instance.health === 'unhealthy'}
						cpu={instance.cpuPercent}
						mem={instance.memPercent}
						usage={`${formatBytes(instance.memUsageBytes)}/${formatBytes(instance.memLimitBytes)}`}
						trend={sparkline(trends.get(instance.id) ?? [], columns.trend)}
						cpuMark={instanceMark(assessment, instance.name, 'cpu', instance.cpuPercent)}
						memMark={instanceMark(assessment, instance.name, 'memory', instance.memPercent)}
						selected={instance.id === selectedId}
						columns={columns}
						color={color}
						activity={activity.get(instance.name)}
					/>
				);
			})}
		</Box>
	);
}

export const InstancesTable = memo(InstancesTableView);
