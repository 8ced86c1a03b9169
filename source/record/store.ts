// The history store on disk, read: by any number of readers, while it is being written (the writer is
// store-writer.ts, one per stack: see lock.ts). The layout and why it survives a torn write are in store-format.ts.
import {closeSync, constants, fstatSync, openSync} from 'node:fs';
import type {EventEntry, EventLevel} from '../core/event-log.js';
import {emptyRecordedHistory, type RecordedHistory, type RecordedSeries} from '../core/recorded-history.js';
import {decodeBucket, recordKind, type RingName, type RingScan, type StoreIdentity} from './store-format.js';
import {identityMatches, ioError, readHeader, readSlots, scan, StoreError, type WriterState} from './store-io.js';

export {StoreError, type WriterState} from './store-io.js';
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
	/** Only the series whose key this accepts (the recorder and --once need only the CPU for the sustained rule). */
	only?: (key: string) => boolean;
}

/** How many times a reader tries again when the file changed under it mid-read (the writer wrapped a ring). */
const readAttempts = 3;


/**
 * The recorded history of a store, or null when there is no store at `file`. Throws StoreError when the file is
 * not a store, is from a newer va-top, is corrupt, or belongs to another stack (`expect`).
 */
export function loadStore(file: string, options: LoadOptions, expect?: StoreIdentity): RecordedHistory | null {
	return loadStoreWithState(file, options, expect)?.history ?? null;
}

/** As loadStore, and what a writer needs to go on from it (one read of the file for both). */
export function loadStoreWithState(file: string, options: LoadOptions, expect?: StoreIdentity): {history: RecordedHistory; state: WriterState} | null {
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

function loadFrom(fd: number, file: string, options: LoadOptions, expect: StoreIdentity | undefined): {history: RecordedHistory; state: WriterState} {
	const {ino, size} = fstatSync(fd);
	const header = readHeader(fd, file);
	if (expect !== undefined && !identityMatches(header.identity, expect)) {
		throw new StoreError(file, 'identity', `history store ${file} belongs to another stack (${header.identity.project}/${header.identity.service})`);
	}

	const slots = readSlots(fd, header);
	const history = emptyRecordedHistory(file, header.layout.coarseBucketMs);
	// Per slot, its series (null: a free or torn slot): one array lookup per value, not a map lookup by key.
	const bySlot: Array<RecordedSeries | null | undefined> = [];
	const seriesOf = (slot: number): RecordedSeries | null => {
		let series = bySlot[slot];
		if (series !== undefined) return series;
		const entry = slots[slot];
		if (entry === null || entry === undefined || (options.only !== undefined && !options.only(entry.key))) series = null;
		else {
			series = history.series.get(entry.key) ?? {key: entry.key, name: entry.name, times: new Float64Array(0), values: new Float64Array(0), buckets: []};
			history.series.set(entry.key, series);
		}

		bySlot[slot] = series;
		return series;
	};

	const widen = (time: number) => {
		if (history.from === null || time < history.from) history.from = time;
		if (history.to === null || time > history.to) history.to = time;
	};

	// Readings may be up to 65 s older than their record's time. Two passes over the records: count each slot's
	// values, then fill typed arrays of that size (no growing arrays: an hour at 50 instances is ~370,000 values).
	const scans = {} as Record<RingName, RingScan>;
	scans.fine = scan(fd, file, header, 'fine');
	const readings = scans.fine.records.filter(record => record.kind === recordKind.reading && record.time >= options.since);
	const entries = (payload: Buffer) => (payload.length < 2 ? 0 : Math.min(payload.readUInt16LE(0), Math.floor((payload.length - 2) / 8)));
	const counts: number[] = [];
	for (const record of readings) {
		const payload = record.payload;
		for (let i = 0, at = 2, count = entries(payload); i < count; i++, at += 8) {
			if (record.time - payload.readUInt16LE(at + 2) < options.since) continue;
			const slot = payload.readUInt16LE(at);
			counts[slot] = (counts[slot] ?? 0) + 1;
		}
	}

	const filled: number[] = [];
	counts.forEach((count, slot) => {
		const series = seriesOf(slot);
		if (series === null) return;
		series.times = new Float64Array(count);
		series.values = new Float64Array(count);
		filled[slot] = 0;
	});
	for (const record of readings) {
		const payload = record.payload;
		for (let i = 0, at = 2, count = entries(payload); i < count; i++, at += 8) {
			const time = record.time - payload.readUInt16LE(at + 2);
			const series = bySlot[payload.readUInt16LE(at)];
			if (time < options.since || series === null || series === undefined) continue;
			const value = payload.readFloatLE(at + 4);
			if (!Number.isFinite(value)) continue;
			const slot = payload.readUInt16LE(at);
			const index = filled[slot]!++;
			series.times[index] = time;
			series.values[index] = value;
			widen(time);
		}
	}

	// A value that was not finite was counted, not kept: the arrays end where the values do.
	counts.forEach((count, slot) => {
		const series = bySlot[slot];
		if (series && filled[slot]! < count) {
			series.times = series.times.subarray(0, filled[slot]);
			series.values = series.values.subarray(0, filled[slot]);
		}
	});

	scans.coarse = scan(fd, file, header, 'coarse');
	if (options.bucketsSince !== undefined) {
		for (const record of scans.coarse.records) {
			if (record.kind !== recordKind.bucket || record.time < options.bucketsSince) continue;
			decodeBucket(record.payload, entry => {
				const series = seriesOf(entry.series);
				if (series === null || !Number.isFinite(entry.min) || !Number.isFinite(entry.max)) return;
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
	scans.events = scan(fd, file, header, 'events');
	for (const record of scans.events.records) {
		if (record.kind !== recordKind.event || record.time < eventsSince) continue;
		const event = decodeEvent(record.payload);
		if (event !== null) history.events.push(event);
	}

	// A series sorted by time: entries of one record may be a little out of order (each instance's own reading time).
	for (const series of history.series.values()) sortSeries(series);
	const ring = (name: RingName) => ({head: scans[name].head, nextSeq: scans[name].nextSeq});
	return {history, state: {header, slots, rings: {fine: ring('fine'), coarse: ring('coarse'), events: ring('events')}, ino, size}};
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
	const order = Array.from(series.times, (_, index) => index).sort((a, b) => series.times[a]! - series.times[b]!);
	series.times = Float64Array.from(order, index => series.times[index]!);
	series.values = Float64Array.from(order, index => series.values[index]!);
}

