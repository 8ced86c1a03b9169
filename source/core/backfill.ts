// Recorded history into a fresh monitor: the charts' series, and the sustained rules' clocks replayed from the
// recorded CPU with the thresholds in force now (history recorded under other thresholds is judged by today's).
// Pure: a RecordedHistory in, a History filled and a BreachClock out.
import type {History} from './history.js';
import {seriesKey} from './history.js';
import type {RecordedHistory, RecordedSeries} from './recorded-history.js';
import type {BreachClock} from './rules.js';
import type {Thresholds} from './thresholds.js';

/** Two readings further apart than this are two runs: va-top was not reading in between. */
export function maxGapMs(intervalMs: number): number {
	return Math.max(10_000, 3 * intervalMs);
}

/** The charts' longest window. */
export const backfillWindowMs = 3600_000;

/**
 * A series as one time line: its buckets up to its first reading (the last may overlap it), then its readings.
 * Parallel typed arrays, not objects: replaying an hour at 50 instances walks ~180,000 points.
 */
export interface Timeline {
	time: Float64Array;
	/** Bucket length; 0 for a reading. */
	span: Float64Array;
	/** For a bucket: its minimum, so "over the threshold the whole time" holds for every reading in it. */
	low: Float64Array;
}

function timeline(series: RecordedSeries, bucketMs: number): Timeline {
	const first = series.times[0] ?? Number.POSITIVE_INFINITY;
	const buckets = series.buckets.filter(bucket => bucket.start < first);
	const length = buckets.length + series.times.length;
	const line: Timeline = {time: new Float64Array(length), span: new Float64Array(length), low: new Float64Array(length)};
	buckets.forEach((bucket, i) => {
		line.time[i] = bucket.start;
		line.span[i] = bucketMs;
		line.low[i] = bucket.min;
	});
	line.time.set(series.times, buckets.length);
	line.low.set(series.values, buckets.length);
	return line;
}

/**
 * When the latest unbroken run of `over` began, if it lasts up to `now`: walks back from the newest point while
 * each is over and no gap is longer than `gapMs`. Null when the newest point is not over or not recent.
 */
export function runStart(line: Timeline, now: number, gapMs: number, over: (time: number, low: number) => boolean): number | null {
	let index = line.time.length - 1;
	if (index < 0 || now - (line.time[index]! + line.span[index]!) > gapMs || !over(line.time[index]!, line.low[index]!)) return null;
	let since = line.time[index]!;
	while (index > 0) {
		const previous = index - 1;
		if (line.time[index]! - (line.time[previous]! + line.span[previous]!) > gapMs || !over(line.time[previous]!, line.low[previous]!)) break;
		since = line.time[previous]!;
		index--;
	}

	return since;
}

export interface SustainReplay {
	/** Concern key → when its breach began, for every sustained rule whose breach lasts up to now. */
	clock: BreachClock;
	/** Seconds from the oldest recorded reading to now; null when nothing was recorded. */
	fromSeconds: number | null;
	/** The newest reading is recent enough to carry a run on into now. */
	reachesNow: boolean;
	/** Until when the clock may wait for the first live reading to go on from it (the newest recorded one plus the gap). */
	validUntil: number;
}

/**
 * The sustained CPU rules replayed on the recorded history (core/rules.ts: the service average over cpuImmediate;
 * an instance over it while the average is not). Their clocks say since when each breach has held.
 */
export function replaySustain(recorded: RecordedHistory, thresholds: Thresholds, now: number, intervalMs: number): SustainReplay {
	const gap = maxGapMs(intervalMs);
	const clock = new Map<string, number>();
	const reachesNow = recorded.to !== null && now - recorded.to <= Math.max(gap, recorded.bucketMs + gap);
	const fromSeconds = recorded.from === null ? null : Math.max(0, Math.round((now - recorded.from) / 1000));
	const service = recorded.series.get(seriesKey.serviceCpu);
	const servicePoints = service ? timeline(service, recorded.bucketMs) : {time: new Float64Array(0), span: new Float64Array(0), low: new Float64Array(0)};
	const serviceSince = runStart(servicePoints, now, gap, (_, low) => low > thresholds.cpuImmediate);
	if (serviceSince !== null) clock.set('service.cpu', serviceSince);

	// Service average at a time (the nearest reading within the gap), to tell an instance's own breach from the service's.
	const serviceOver = (time: number): boolean => {
		const {time: times, span, low} = servicePoints;
		let lo = 0;
		let hi = times.length - 1;
		while (lo < hi) {
			const mid = (lo + hi + 1) >> 1;
			if (times[mid]! <= time) lo = mid;
			else hi = mid - 1;
		}

		return times.length > 0 && times[lo]! <= time && time - (times[lo]! + span[lo]!) <= gap && low[lo]! > thresholds.cpuImmediate;
	};

	for (const series of recorded.series.values()) {
		if (!series.key.startsWith('cpu:') || series.name === null) continue;
		const since = runStart(timeline(series, recorded.bucketMs), now, gap, (time, low) => low > thresholds.cpuImmediate && !serviceOver(time));
		if (since !== null) clock.set(`instance.cpu:${series.name}`, since);
	}

	return {clock, fromSeconds, reachesNow, validUntil: (recorded.to ?? Number.NEGATIVE_INFINITY) + gap};
}

/**
 * Fills the history with the recorded last hour. An instance's series (it has a name) only when it was still
 * recorded at the end: one gone since (scaled down, redeployed) would only take memory.
 */
export function seedHistory(history: History, recorded: RecordedHistory, now: number, intervalMs: number): number {
	const since = now - backfillWindowMs;
	const aliveAfter = (recorded.to ?? 0) - maxGapMs(intervalMs);
	let pushed = 0;
	for (const series of recorded.series.values()) {
		const last = series.times.at(-1) ?? Number.NEGATIVE_INFINITY;
		if (series.name !== null && last < aliveAfter) continue;
		// Where the readings no longer reach back an hour, the minute buckets' maxima (a spike stays visible).
		const first = series.times[0] ?? Number.POSITIVE_INFINITY;
		for (const bucket of series.buckets) {
			if (bucket.start >= since && bucket.start + recorded.bucketMs <= first) {
				history.push(series.key, bucket.start, bucket.max);
				pushed++;
			}
		}

		for (let i = 0; i < series.times.length; i++) {
			if (series.times[i]! < since) continue;
			history.push(series.key, series.times[i]!, series.values[i]!);
			pushed++;
		}
	}

	return pushed;
}
