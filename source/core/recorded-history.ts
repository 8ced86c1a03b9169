// What a recorded history store gives back: per series, its readings and its older per-minute buckets, plus the
// event log. Pure data, so the backfill (core/backfill.ts) never touches a file.
import type {EventEntry} from './event-log.js';

export interface RecordedBucket {
	/** Epoch ms at the bucket's start; it spans RecordedHistory.bucketMs. */
	start: number;
	min: number;
	mean: number;
	max: number;
}

export interface RecordedSeries {
	/** The history's key: `cpu:<id>`, `service:cpu`, `db:ratio`, or a source's own. */
	key: string;
	/** For an instance's series, the instance's name when it was recorded. */
	name: string | null;
	/** Readings, oldest first (epoch ms, value); typed arrays: an hour at 50 instances is ~370,000 of them. */
	times: Float64Array;
	values: Float64Array;
	/** Per-bucket summaries, oldest first; they may overlap the readings' time. */
	buckets: RecordedBucket[];
}

export interface RecordedHistory {
	/** Where it came from, for the report (a path, or a description). */
	source: string;
	series: Map<string, RecordedSeries>;
	events: EventEntry[];
	bucketMs: number;
	/** Oldest and newest reading or bucket time over every series; null when nothing was recorded. */
	from: number | null;
	to: number | null;
}

export function emptyRecordedHistory(source: string, bucketMs = 60_000): RecordedHistory {
	return {source, series: new Map(), events: [], bucketMs, from: null, to: null};
}
