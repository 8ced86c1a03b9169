// Recorded history into a fresh monitor: the charts' series, and the sustained rules' clocks replayed from the
// recorded CPU with the thresholds in force now (history recorded under other thresholds is judged by today's).
// Pure: a RecordedHistory in, a History filled and a BreachClock out.
import type {History} from './history.js';
import {seriesKey} from './history.js';
import type {RecordedHistory, RecordedSeries} from './recorded-history.js';
import {marginOf, type BreachClock, type BreachLevel, type BreachState} from './threshold-judge.js';
import {holdSeconds, type Thresholds} from './thresholds.js';

/** Two readings further apart than this are two runs: va-top was not reading in between. */
export function maxGapMs(intervalMs: number): number {
	return Math.max(10_000, 3 * intervalMs);
}

/** The series the sustained CPU rule is replayed from: all that the recorder and --once need of a store. */
export const sustainSeries = (key: string) => key === 'service:cpu' || key.startsWith('cpu:');

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

/** What counts as a breach while walking back: over `threshold`, or held within `margin` under it for under `holdMs`. */
export interface RunRule {
	threshold: number;
	/** The judge's hysteresis margin (threshold-judge.ts marginOf); 0: any reading at or under ends the run. */
	margin: number;
	holdMs: number;
	/** Points where the rule did not apply (an instance while the service average was over): they end the run. */
	excluded?: (time: number) => boolean;
}

export interface Run {
	/** The first reading of the run (over the threshold). */
	since: number;
	/** Its value (a bucket's minimum). */
	value: number;
	/** When the newest readings went under the threshold, within the margin (the breach is held); absent when over. */
	underSince?: number;
}

/**
 * The latest unbroken run of a breach, if it lasts up to `now`, as the live judge would have kept it: walks back from
 * the newest point while each is over (or held by the hysteresis: within the margin, for less than the hold) and no
 * gap is longer than `gapMs`. Null when the newest point is not part of a breach or not recent.
 */
export function runStart(line: Timeline, now: number, gapMs: number, rule: RunRule): Run | null {
	const {time, span, low} = line;
	const newest = time.length - 1;
	if (newest < 0 || now - (time[newest]! + span[newest]!) > gapMs) return null;
	let since: number | null = null;
	let value = 0;
	// The dip being walked through (newest first): its newest point's end, and its oldest point.
	let dipEnd: number | null = null;
	let trailingDip: number | undefined;
	for (let index = newest; index >= 0; index--) {
		if (index < newest && time[index + 1]! - (time[index]! + span[index]!) > gapMs) break;
		if (rule.excluded?.(time[index]!)) break;
		if (low[index]! > rule.threshold) {
			since = time[index]!;
			value = low[index]!;
			dipEnd = null;
			continue;
		}

		if (!(rule.margin > 0 && low[index]! > rule.threshold - rule.margin)) break;
		dipEnd ??= index === newest ? now : time[index]! + span[index]!;
		if (dipEnd - time[index]! >= rule.holdMs) break;
		if (since === null) trailingDip = time[index]!;
	}

	if (since === null) return null;
	return trailingDip === undefined ? {since, value} : {since, value, underSince: trailingDip};
}

export interface SustainReplay {
	/** The breaches of the sustained CPU rule that last up to now, in the judge's terms (threshold-judge.ts). */
	clock: BreachClock;
	/** Seconds from the oldest recorded reading to now; null when nothing was recorded. */
	fromSeconds: number | null;
	/** The newest reading is recent enough to carry a run on into now. */
	reachesNow: boolean;
	/** Until when the clock may wait for the first live reading to go on from it (the newest recorded one plus the gap). */
	validUntil: number;
}

/** The judge's keys the replay gives a clock to: --once judges these over the history, every other one at once. */
export function replayedKey(key: string): boolean {
	return key === 'service.cpu' || key.startsWith('instance.cpu:');
}

const emptyLine: Timeline = {time: new Float64Array(0), span: new Float64Array(0), low: new Float64Array(0)};

/**
 * The sustained CPU rules replayed on the recorded history (core/rules.ts: the service average over its rungs; an
 * instance over a rung the average is not over), as the breach states the judge carries: since when each breach has
 * stood, and since when it has been over cpuImmediate (the sustain clock).
 */
export function replaySustain(recorded: RecordedHistory, thresholds: Thresholds, now: number, intervalMs: number): SustainReplay {
	const gap = maxGapMs(intervalMs);
	const clock = new Map<string, BreachState>();
	const reachesNow = recorded.to !== null && now - recorded.to <= Math.max(gap, recorded.bucketMs + gap);
	const fromSeconds = recorded.from === null ? null : Math.max(0, Math.round((now - recorded.from) / 1000));
	const holdMs = holdSeconds * 1000;
	const rule = (threshold: number, excluded?: (time: number) => boolean): RunRule => ({threshold, margin: marginOf(threshold, 'percent', thresholds.hysteresis ?? 0), holdMs, excluded});
	const state = (line: Timeline, excludedAt?: (threshold: number) => (time: number) => boolean): BreachState | null => {
		const soon = runStart(line, now, gap, rule(thresholds.cpuSoon, excludedAt?.(thresholds.cpuSoon)));
		const immediate = runStart(line, now, gap, rule(thresholds.cpuImmediate, excludedAt?.(thresholds.cpuImmediate)));
		const first = soon !== null && (immediate === null || soon.since <= immediate.since) ? soon : immediate;
		if (first === null) return null;
		const level: BreachLevel = immediate === null ? 'SOON' : 'IMMEDIATE';
		const standing = immediate ?? soon!;
		return {
			since: first.since,
			began: {threshold: first.value > thresholds.cpuImmediate ? thresholds.cpuImmediate : thresholds.cpuSoon, value: first.value},
			level,
			overSince: {...(soon === null ? {} : {SOON: soon.since}), ...(immediate === null ? {} : {IMMEDIATE: immediate.since})},
			...(standing.underSince === undefined ? {} : {underSince: standing.underSince}),
		};
	};

	const service = recorded.series.get(seriesKey.serviceCpu);
	const servicePoints = service ? timeline(service, recorded.bucketMs) : emptyLine;
	const serviceState = state(servicePoints);
	if (serviceState !== null) clock.set('service.cpu', serviceState);

	// Whether the service average was over a threshold at a time (the nearest reading within the gap): an instance's
	// rung applies only where the average is not over it (that breach is the service's).
	const serviceOver = (threshold: number) => (at: number): boolean => {
		const {time, span, low} = servicePoints;
		let lo = 0;
		let hi = time.length - 1;
		while (lo < hi) {
			const mid = (lo + hi + 1) >> 1;
			if (time[mid]! <= at) lo = mid;
			else hi = mid - 1;
		}

		return time.length > 0 && time[lo]! <= at && at - (time[lo]! + span[lo]!) <= gap && low[lo]! > threshold;
	};

	for (const series of recorded.series.values()) {
		if (!series.key.startsWith('cpu:') || series.name === null) continue;
		const instanceState = state(timeline(series, recorded.bucketMs), serviceOver);
		if (instanceState !== null) clock.set(`instance.cpu:${series.name}`, instanceState);
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

		// Readings are in time order (the store sorts them): the hour's are a tail, pushed in bulk.
		let from = 0;
		while (from < series.times.length && series.times[from]! < since) from++;
		history.pushMany(series.key, series.times, series.values, from);
		pushed += series.times.length - from;
	}

	return pushed;
}
