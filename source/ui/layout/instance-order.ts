// Which instances the table shows and in what order: the sort (k9s keys: C CPU, M memory, N name/number), the `/`
// filter, and which one is the worst. Pure, and cheap per frame: one sort of the filtered list, names matched once
// per pattern (200 instances sort in well under a millisecond).
import type {Assessment} from '../../core/assessment.js';
import type {InstanceSample} from '../../core/types.js';
import {instanceMark} from './concern-text.js';
import {levelRank} from './symbols.js';

/** A column the table can be sorted by. Later columns (p95, errors) add a row to sortColumns. */
export type SortKey = 'name' | 'cpu' | 'mem' | 'host';

export interface SortState {
	key: SortKey;
	/** Largest first (CPU and memory start so: the worst on top); the same key again flips it. */
	descending: boolean;
}

type Compare = (a: InstanceSample, b: InstanceSample) => number;

export interface SortColumn {
	key: SortKey;
	/** The key that sorts by it (Shift + letter, as in k9s). */
	keyName: string;
	/** The first press: largest first for figures, A→Z for names. */
	descendingFirst: boolean;
	/** Ascending order; ties are broken by name/number so rows do not swap places between frames. */
	compare: Compare;
	/** For the help and the footer. */
	label: string;
}

/** Compose number first (api_2 before api_10), then the name. */
const byNameNumber: Compare = (a, b) => {
	const an = a.number ?? Number.POSITIVE_INFINITY;
	const bn = b.number ?? Number.POSITIVE_INFINITY;
	if (an !== bn) return an < bn ? -1 : 1;
	return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
};

const byHost: Compare = (a, b) => {
	const x = a.host ?? '';
	const y = b.host ?? '';
	return x < y ? -1 : x > y ? 1 : byNameNumber(a, b);
};

function byFigure(read: (instance: InstanceSample) => number | null): Compare {
	return (a, b) => {
		const x = read(a);
		const y = read(b);
		// Unknown figures (exited, not read yet) compare as the smallest: last when the largest come first.
		if (x === null || y === null) return x === y ? 0 : x === null ? -1 : 1;
		return x - y;
	};
}

export const sortColumns: Readonly<Record<SortKey, SortColumn>> = {
	name: {key: 'name', keyName: 'N', descendingFirst: false, compare: byNameNumber, label: 'name / number'},
	cpu: {key: 'cpu', keyName: 'C', descendingFirst: true, compare: byFigure(instance => instance.cpuPercent), label: 'CPU'},
	mem: {key: 'mem', keyName: 'M', descendingFirst: true, compare: byFigure(instance => instance.memPercent), label: 'memory'},
	// Several engines or Swarm nodes: each host's instances together, in name/number order within it.
	host: {key: 'host', keyName: 'H', descendingFirst: false, compare: byHost, label: 'host'},
};

export const defaultSort: SortState = {key: 'name', descending: false};

/** The sort key a key press chooses, or undefined. */
export function sortKeyFor(name: string): SortKey | undefined {
	for (const column of Object.values(sortColumns)) if (column.keyName === name) return column.key;
	return undefined;
}

/** The sort after pressing the key of `key`: that column in its first direction, or the same column reversed. */
export function nextSort(current: SortState, key: SortKey): SortState {
	if (current.key === key) return {key, descending: !current.descending};
	return {key, descending: sortColumns[key].descendingFirst};
}

/** `↓` largest first / Z→A, `↑` smallest first / A→Z: shown after the sorted column's title. */
export function sortArrow(sort: SortState): string {
	return sort.descending ? '↓' : '↑';
}

/**
 * A filter pattern as a test of names: a substring, or a simple glob when it has `*` or `?` (`api_2*`, `*-1?`).
 * Case-insensitive. An empty pattern matches everything.
 */
export function namePattern(pattern: string): (name: string) => boolean {
	const text = pattern.trim().toLowerCase();
	if (text === '') return () => true;
	if (!/[*?]/.test(text)) return name => name.toLowerCase().includes(text);
	const source = text.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
	const glob = new RegExp(`^${source}$`);
	return name => glob.test(name.toLowerCase());
}

export interface OrderedInstances {
	/** The rows, filtered and sorted. */
	rows: readonly InstanceSample[];
	/** Their ids, in order. */
	ids: readonly string[];
	/** All instances, before the filter. */
	total: number;
}

/** The table's rows: instances whose name matches the filter, in the sort's order. */
export function orderInstances(instances: readonly InstanceSample[], sort: SortState, filter: string): OrderedInstances {
	const matches = namePattern(filter);
	const rows = filter.trim() === '' ? instances.slice() : instances.filter(instance => matches(instance.name));
	const {compare} = sortColumns[sort.key];
	const sign = sort.descending ? -1 : 1;
	rows.sort((a, b) => sign * compare(a, b) || byNameNumber(a, b));
	return {rows, ids: rows.map(instance => instance.id), total: instances.length};
}

/** How bad an instance looks: its worst mark (IMMEDIATE, SOON), a state that is not running, then its highest figure. */
export function concernRank(instance: InstanceSample, assessment: Assessment | undefined): number {
	const cpu = instanceMark(assessment, instance.name, 'cpu', instance.cpuPercent).level;
	const mem = instanceMark(assessment, instance.name, 'memory', instance.memPercent).level;
	const stateConcern = assessment?.concerns.find(concern => concern.scope === 'instance' && concern.subject === instance.name && concern.metric === 'state');
	const state = stateConcern === undefined || stateConcern.level === 'UNKNOWN' ? 'OK' : stateConcern.level;
	return Math.max(levelRank[cpu], levelRank[mem], levelRank[state]);
}

/** True when an instance carries a mark (over a threshold, or not running as it should): what `!` looks for. */
export function isConcerned(instance: InstanceSample, assessment: Assessment | undefined): boolean {
	return concernRank(instance, assessment) > levelRank.OK;
}

/** The worst instance: the highest concern, then the highest CPU or memory figure. Undefined when there are none. */
export function worstInstance(instances: readonly InstanceSample[], assessment: Assessment | undefined): InstanceSample | undefined {
	let worst: InstanceSample | undefined;
	let worstRank = -1;
	let worstFigure = -1;
	for (const instance of instances) {
		const rank = concernRank(instance, assessment);
		const figure = Math.max(instance.cpuPercent ?? -1, instance.memPercent ?? -1);
		if (rank > worstRank || (rank === worstRank && figure > worstFigure)) {
			worst = instance;
			worstRank = rank;
			worstFigure = figure;
		}
	}

	return worst;
}

/** Concerned instances above and below the rows in view, for the table's heading. */
export function concernedOutOfView(rows: readonly InstanceSample[], start: number, end: number, assessment: Assessment | undefined): {above: number; below: number} {
	let above = 0;
	let below = 0;
	if (assessment === undefined || assessment.concerns.length === 0) return {above, below};
	for (let index = 0; index < rows.length; index++) {
		if (index >= start && index < end) continue;
		if (!isConcerned(rows[index]!, assessment)) continue;
		if (index < start) above++;
		else below++;
	}

	return {above, below};
}
