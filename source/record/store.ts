// The history store on disk, read: by any number of readers, while it is being written (the writer is
// store-writer.ts, one per stack: see lock.ts). The layout and why it survives a torn write are in store-format.ts.
import {closeSync, constants, fstatSync, openSync} from 'node:fs';
import type {EventEntry, EventLevel} from '../core/event-log.js';
import {emptyRecordedHistory, type RecordedHistory, type RecordedSeries} from '../core/recorded-history.js';
import {decodeBucket, decodeReading, recordKind, type StoreIdentity} from './store-format.js';
import {identityMatches, ioError, readHeader, readSlots, scan, StoreError} from './store-io.js';

export {StoreError} from './store-io.js';
export {StoreWriter, type StoreSample, type StoreWriterOptions} from './store-writer.js';

const eventLevels = new Set<EventLevel>(['OK', 'SOON', 'IMMEDIATE', 'UNKNOWN', 'INFO']);

function decodeEvent(payload: Buffer): EventEntry | null {
	try {
		const parsed = JSON.parse(payload.toString('utf8')) as Partial<EventEntry>;
		if (typeof parsed.at !== 'number' || typeof parsed.key !== 'string' || typeof parsed.text !== 'string' || !eventLevels.has(parsed.level as EventLevel)) return null;
		return {at: parsed.at, level: parsed.level!, key: parsed.key, text: parsed.text};
	} catch {
		return null;
	}
}

export interface LoadOptions {
	/** Readings at or after this (epoch ms). */
	since: number;
	/** Buckets starting at or after this; undefined: no buckets. */
	bucketsSince?: number;
	/** Events at or after this; undefined: `since`. */
	eventsSince?: number;
}

/** How many times a reader tries again when the file changed under it mid-read (the writer wrapped a ring). */
const readAttempts = 3;


/**
 * The recorded history of a store, or null when there is no store at `file`. Throws StoreError when the file is
 * not a store, is from a newer va-top, is corrupt, or belongs to another stack (`expect`).
 */
export function loadStore(file: string, options: LoadOptions, expect?: StoreIdentity): RecordedHistory | null {
	let fd: number;
	try {
		fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
		throw ioError(file, 'open it', error);
	}

	try {
		if (!fstatSync(fd).isFile()) throw new StoreError(file, 'not-ours', `history store ${file} is not a regular file`);
		for (let attempt = 1; ; attempt++) {
			try {
				return loadFrom(fd, file, options, expect);
			} catch (error) {
				if (!(error instanceof StoreError) || error.kind !== 'corrupt' || attempt >= readAttempts) throw error;
			}
		}
	} finally {
		closeSync(fd);
	}
}

function loadFrom(fd: number, file: string, options: LoadOptions, expect: StoreIdentity | undefined): RecordedHistory {
	const header = readHeader(fd, file);
	if (expect !== undefined && !identityMatches(header.identity, expect)) {
		throw new StoreError(file, 'identity', `history store ${file} belongs to another stack (${header.identity.project}/${header.identity.service})`);
	}

	const slots = readSlots(fd, header);
	const history = emptyRecordedHistory(file, header.layout.coarseBucketMs);
	const seriesOf = (slot: number): RecordedSeries | undefined => {
		const entry = slots[slot];
		if (entry === null || entry === undefined) return undefined;
		let series = history.series.get(entry.key);
		if (series === undefined) {
			series = {key: entry.key, name: entry.name, times: [], values: [], buckets: []};
			history.series.set(entry.key, series);
		}

		return series;
	};

	const widen = (time: number) => {
		if (history.from === null || time < history.from) history.from = time;
		if (history.to === null || time > history.to) history.to = time;
	};

	for (const record of scan(fd, file, header, 'fine').records) {
		// Readings may be up to 65 s older than their record's time.
		if (record.kind !== recordKind.reading || record.time < options.since) continue;
		decodeReading(record.time, record.payload, (slot, time, value) => {
			if (time < options.since || !Number.isFinite(value)) return;
			const series = seriesOf(slot);
			if (series === undefined) return;
			series.times.push(time);
			series.values.push(value);
			widen(time);
		});
	}

	if (options.bucketsSince !== undefined) {
		for (const record of scan(fd, file, header, 'coarse').records) {
			if (record.kind !== recordKind.bucket || record.time < options.bucketsSince) continue;
			decodeBucket(record.payload, entry => {
				const series = seriesOf(entry.series);
				if (series === undefined || !Number.isFinite(entry.min) || !Number.isFinite(entry.max)) return;
				const last = series.buckets.at(-1);
				if (last !== undefined && last.start === record.time) {
					// The same minute written twice (a partial bucket at a stop, then the rest): one bucket.
					last.min = Math.min(last.min, entry.min);
					last.max = Math.max(last.max, entry.max);
					last.mean = (last.mean + entry.mean) / 2;
					return;
				}

				series.buckets.push({start: record.time, min: entry.min, mean: entry.mean, max: entry.max});
				widen(record.time);
			});
		}
	}

	const eventsSince = options.eventsSince ?? options.since;
	for (const record of scan(fd, file, header, 'events').records) {
		if (record.kind !== recordKind.event || record.time < eventsSince) continue;
		const event = decodeEvent(record.payload);
		if (event !== null) history.events.push(event);
	}

	// A series sorted by time: entries of one record may be a little out of order (each instance's own reading time).
	for (const series of history.series.values()) sortSeries(series);
	return history;
}

function sortSeries(series: RecordedSeries): void {
	let sorted = true;
	for (let i = 1; i < series.times.length; i++) {
		if (series.times[i]! < series.times[i - 1]!) {
			sorted = false;
			break;
		}
	}

	if (sorted) return;
	const order = series.times.map((_, index) => index).sort((a, b) => series.times[a]! - series.times[b]!);
	series.times = order.map(index => series.times[index]!);
	series.values = order.map(index => series.values[index]!);
}

