// Several rounds of the same measurement, folded into one: the median of every figure (bursts of other
// work on this shared machine land in one round, not in the median), key latencies and render times pooled.
import {summarize} from './stats.mjs';

function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Median of every numeric leaf; arrays are concatenated; anything else is taken from the first. */
export function medianDeep(items) {
	const present = items.filter(item => item !== null && item !== undefined);
	if (present.length === 0) return items[0] ?? null;
	const first = present[0];
	if (typeof first === 'number') {
		const numbers = present.filter(value => typeof value === 'number' && Number.isFinite(value));
		return numbers.length > 0 ? median(numbers) : first;
	}
	if (Array.isArray(first)) return present.flat();
	if (typeof first === 'object') {
		const out = {};
		for (const key of new Set(present.flatMap(item => Object.keys(item)))) out[key] = medianDeep(present.map(item => item[key]));
		return out;
	}
	return first;
}

/** One tool's rounds as one result: medians, pooled key and render samples, screens of the first round. */
export function combineRounds(rounds) {
	const usable = rounds.filter(result => !result.unavailable && !result.error);
	if (usable.length === 0) return rounds[0];
	const {screen, fillIn} = usable[0];
	const combined = medianDeep(usable.map(({screen: _s, fillIn: _f, ...rest}) => rest));
	if (usable.some(result => result.keys)) {
		const samples = usable.flatMap(result => result.keys?.samples ?? []);
		combined.keys = {presses: usable.reduce((sum, result) => sum + (result.keys?.presses ?? 0), 0), timeouts: usable.reduce((sum, result) => sum + (result.keys?.timeouts ?? 0), 0), ...summarize(samples), samples};
	}
	if (usable.some(result => result.render)) {
		const samples = usable.flatMap(result => result.render?.samples ?? []);
		combined.render = {framesPerSecond: median(usable.filter(result => result.render).map(result => result.render.framesPerSecond)), ...summarize(samples), samples};
	}
	// Rows shown is a count, not a figure to average.
	if (combined.firstFrame) combined.firstFrame.visible = Math.min(...usable.map(result => result.firstFrame?.visible ?? Infinity));
	combined.rounds = usable.length;
	combined.failedRounds = rounds.length - usable.length;
	return {...combined, screen, fillIn};
}
