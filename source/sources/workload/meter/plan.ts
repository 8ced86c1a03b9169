// Which instances read through the API get a stats stream: all of them up to the limit, else those in focus (the rows
// on screen) first, then by number. Pure.
import type {InstanceSample} from '../../../core/types.js';
import {compareText} from '../../../core/compare.js';

/** 20 streams cost an engine about 4 % of a core; a screen of 120x40 shows about that many rows. */
export const defaultStreamLimit = 20;

export function byNumberThenName(a: InstanceSample, b: InstanceSample): number {
	const an = a.number ?? Number.MAX_SAFE_INTEGER;
	const bn = b.number ?? Number.MAX_SAFE_INTEGER;
	return an - bn || compareText(a.name, b.name);
}

/** The ids to stream, or null when every candidate may (there are no more than `limit`). */
export function streamSet(candidates: readonly InstanceSample[], limit: number, focused: ReadonlySet<string> | null): Set<string> | null {
	if (candidates.length <= limit) return null;
	const rank = (sample: InstanceSample) => (focused?.has(sample.id) ? 0 : 1);
	const ordered = [...candidates].sort((a, b) => rank(a) - rank(b) || byNumberThenName(a, b));
	return new Set(ordered.slice(0, limit).map((sample) => sample.id));
}
