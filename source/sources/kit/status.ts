// The one status machine every source uses, so each word means one thing everywhere:
//   connecting   → since start, no answer yet (start() sets it);
//   ok           → the last reading succeeded (at: when);
//   reconnecting → a reading failed after the source had answered; its last sample is kept (shown stale);
//   unreachable  → it failed and has never answered (no sample); always with a reason.
// "stale" is not a status: it is derived from the data's age (core/source-model.ts healthOf).
import type {SourceReading, SourceStatus} from '../../core/source-model.js';
import {createListeners} from '../listeners.js';

export interface ReadingCell<Sample> {
	/** The latest reading; the same object until something changes. */
	view(): SourceReading<Sample>;
	subscribe(listener: () => void): () => void;
	/** Back to `connecting` (a start after a stop); a no-op while already connecting. */
	connecting(): void;
	/** A good sample: status ok at `at` (default now). */
	ok(sample: Sample, at?: number): void;
	/**
	 * A failed reading, its reason already in words (kit.describe): reconnecting while a sample is kept, else
	 * unreachable. `since` is kept while the kind stays the same. Every failure is published (each attempt is news to
	 * a listener counting them); a source that fails many times a second may skip repeats with `unchanged`.
	 */
	fail(reason: string): void;
	/** True when fail(reason) would not change the status's kind or reason. */
	unchanged(reason: string): boolean;
	/** Any status, keeping the sample (for a source with states of its own, e.g. a window still filling). */
	set(status: SourceStatus, sample?: Sample | null): void;
}

export function createReadingCell<Sample>(endpoint: string, now: () => number): ReadingCell<Sample> {
	const listeners = createListeners();
	let current: SourceReading<Sample> = {endpoint, status: {kind: 'connecting', since: now()}, sample: null};

	function publish(status: SourceStatus, sample: Sample | null): void {
		current = {endpoint, status, sample};
		listeners.notify();
	}

	return {
		view: () => current,
		subscribe: listeners.subscribe,
		connecting() {
			if (current.status.kind !== 'connecting') publish({kind: 'connecting', since: now()}, current.sample);
		},
		ok(sample, at = now()) {
			publish({kind: 'ok', at}, sample);
		},
		fail(reason) {
			const kind = current.sample === null ? 'unreachable' : 'reconnecting';
			const status = current.status;
			const since = status.kind === kind ? status.since : now();
			publish({kind, reason, since}, current.sample);
		},
		unchanged(reason) {
			const kind = current.sample === null ? 'unreachable' : 'reconnecting';
			return current.status.kind === kind && current.status.reason === reason;
		},
		set(status, sample = current.sample) {
			publish(status, sample);
		},
	};
}
