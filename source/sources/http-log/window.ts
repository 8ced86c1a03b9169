// The sliding window over the access log, in bounded memory: a ring of time slots (1 s each up to a 2-minute
// window, wider for longer ones), each holding counts and DDSketches, merged when the window is read.
//
// Why DDSketch (@datadog/sketches-js): its error bound is relative to the value, which is what a "p95 > 2 s" rule
// needs at every scale (a fixed-width histogram is exact near 1 ms and coarse near 10 s, or the reverse), it merges
// exactly (merging per-slot sketches loses nothing, so the window needs no re-computation), and it has no
// dependencies. With relativeAccuracy 0.01 every quantile it returns is within 1 % of the exact value at that
// rank (rank floor(q·(n−1)) of the sorted values); the bin limit (1024 bins: 1 ms to 9 days at 1 %) keeps a sketch under 8 KB whatever it sees.
// Memory: slots × (1 + addresses seen in the slot, at most maxAddresses) sketches, whatever the request rate.
import {LogCollapsingLowestDenseDDSketch} from '@datadog/sketches-js';
import type {AccessRecord} from './parse.js';

export const sketchRelativeAccuracy = 0.01;
const sketchBinLimit = 1024;
/** Distinct upstream addresses kept per slot; the rest are summed under otherAddress. */
export const maxAddresses = 64;
export const otherAddress = '(other)';
/** How far ahead of va-top's clock a line's own time may be and still count at that time. */
const maxAheadMs = 60_000;

export type Sketch = LogCollapsingLowestDenseDDSketch;

export function newSketch(): Sketch {
	return new LogCollapsingLowestDenseDDSketch({relativeAccuracy: sketchRelativeAccuracy, binLimit: sketchBinLimit});
}

export interface AddressStats {
	/** Attempts sent to this address. */
	requests: number;
	/** Attempts it answered with a 5xx. */
	errors: number;
	/** Its upstream response times (ms), for the attempts that have one. */
	sketch: Sketch;
}

interface Slot {
	/** The slot's number (epoch ms / slot width); -1 when empty. */
	index: number;
	requests: number;
	errors: number;
	/** Requests with a $request_time: only those are in the sketch. */
	timed: number;
	/** Lines read in this slot that were not an access-log line of a known format (by arrival time). */
	unparsed: number;
	sketch: Sketch;
	addresses: Map<string, AddressStats>;
}

export interface WindowStats {
	windowSeconds: number;
	/** Seconds of the window the log was actually watched: requests per second is over these. */
	coveredSeconds: number;
	requests: number;
	/** Requests with a 5xx status. */
	errors: number;
	/** Requests whose line gave a $request_time. */
	timed: number;
	/** Lines not understood, read within the window. */
	unparsed: number;
	/** All request times of the window (ms); count 0 when none were timed. */
	sketch: Sketch;
	byAddress: Map<string, AddressStats>;
}

export interface LatencyWindow {
	readonly windowSeconds: number;
	/** Adds one request at its own time (its $msec), or at `arrivalMs` when the line had none. */
	add(record: AccessRecord, arrivalMs: number): void;
	/** A line that was not understood, read at `arrivalMs`. */
	addUnparsed(arrivalMs: number): void;
	/** From this time on the log was watched (a backfill that started at `since` counts from there). */
	coverFrom(ms: number): void;
	/** The window ending at `nowMs`. */
	read(nowMs: number): WindowStats;
	/** Requests dropped because they were older than the window when they arrived. */
	late(): number;
}

export function slotWidthMs(windowSeconds: number): number {
	return Math.max(1, Math.ceil(windowSeconds / 120)) * 1000;
}

export function createLatencyWindow(windowSeconds: number): LatencyWindow {
	const width = slotWidthMs(windowSeconds);
	const slotsInWindow = Math.ceil((windowSeconds * 1000) / width);
	// One more than the window holds, so the slot being filled never evicts one still inside.
	const slots: Slot[] = Array.from({length: slotsInWindow + 1}, () => emptySlot());
	let coveredFrom: number | null = null;
	let lateCount = 0;

	function slotFor(index: number): Slot | null {
		const slot = slots[index % slots.length]!;
		if (slot.index === index) return slot;
		// An older slot is being reused; a record older than what the slot now holds is outside the ring.
		if (slot.index > index) return null;
		resetSlot(slot, index);
		return slot;
	}

	return {
		windowSeconds,
		add(record, arrivalMs) {
			// A time far ahead of this clock (a wrong $msec, a badly skewed log host) would claim a slot of the future
			// and push real requests out of the ring: it counts as arriving now.
			const given = record.timeMs ?? arrivalMs;
			const at = given > arrivalMs + maxAheadMs ? arrivalMs : given;
			if (at <= arrivalMs - windowSeconds * 1000 - width) {
				lateCount++;
				return;
			}

			const slot = slotFor(Math.floor(at / width));
			if (slot === null) {
				lateCount++;
				return;
			}

			slot.requests++;
			const isError = record.status >= 500;
			if (isError) slot.errors++;
			if (record.requestTimeMs !== null) {
				slot.timed++;
				slot.sketch.accept(record.requestTimeMs);
			}

			for (const attempt of record.upstreams) {
				const key = slot.addresses.has(attempt.address) || slot.addresses.size < maxAddresses ? attempt.address : otherAddress;
				let stats = slot.addresses.get(key);
				if (stats === undefined) {
					stats = {requests: 0, errors: 0, sketch: newSketch()};
					slot.addresses.set(key, stats);
				}

				stats.requests++;
				if (attempt.status !== null && attempt.status >= 500) stats.errors++;
				if (attempt.responseTimeMs !== null) stats.sketch.accept(attempt.responseTimeMs);
			}
		},
		addUnparsed(arrivalMs) {
			const slot = slotFor(Math.floor(arrivalMs / width));
			if (slot !== null) slot.unparsed++;
		},
		coverFrom(ms) {
			coveredFrom = coveredFrom === null ? ms : Math.min(coveredFrom, ms);
		},
		read(nowMs) {
			const newestIndex = Math.floor(nowMs / width);
			const oldestIndex = newestIndex - slotsInWindow + 1;
			const stats: WindowStats = {
				windowSeconds,
				coveredSeconds: coveredFrom === null ? 0 : Math.min(windowSeconds, Math.max(0, (nowMs - coveredFrom) / 1000)),
				requests: 0,
				errors: 0,
				timed: 0,
				unparsed: 0,
				sketch: newSketch(),
				byAddress: new Map(),
			};
			for (const slot of slots) {
				// Slots ahead of the clock (a log host whose clock runs ahead) count as now.
				if (slot.index < oldestIndex) continue;
				stats.requests += slot.requests;
				stats.errors += slot.errors;
				stats.timed += slot.timed;
				stats.unparsed += slot.unparsed;
				stats.sketch.merge(slot.sketch);
				for (const [address, from] of slot.addresses) {
					let into = stats.byAddress.get(address);
					if (into === undefined) {
						into = {requests: 0, errors: 0, sketch: newSketch()};
						stats.byAddress.set(address, into);
					}

					into.requests += from.requests;
					into.errors += from.errors;
					into.sketch.merge(from.sketch);
				}
			}

			return stats;
		},
		late: () => lateCount,
	};
}

function emptySlot(): Slot {
	return {index: -1, requests: 0, errors: 0, timed: 0, unparsed: 0, sketch: newSketch(), addresses: new Map()};
}

function resetSlot(slot: Slot, index: number): void {
	slot.index = index;
	slot.requests = 0;
	slot.errors = 0;
	slot.timed = 0;
	slot.unparsed = 0;
	slot.sketch = newSketch();
	slot.addresses = new Map();
}

/** The value at quantile q (0..1) in ms, or null when the sketch is empty. */
export function quantile(sketch: Sketch, q: number): number | null {
	if (sketch.count === 0) return null;
	const value = sketch.getValueAtQuantile(q);
	return Number.isFinite(value) ? value : null;
}
