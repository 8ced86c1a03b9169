// The history store's one writer (one per stack: lock.ts). Appends readings, minute buckets and events to the rings
// of store-format.ts; creates the store when there is none, and never writes to one it cannot read.
import {closeSync, constants, fdatasyncSync, fstatSync, mkdirSync, openSync, unlinkSync, writeSync} from 'node:fs';
import path from 'node:path';
import type {EventEntry} from '../core/event-log.js';
import {
	decodeBucket,
	decodeReading,
	defaultLayout,
	encodeBucket,
	encodeHeader,
	encodeReading,
	encodeRecord,
	encodeSlot,
	formatVersion,
	headerSize,
	maxPayloadEntries,
	recordKind,
	regionOffsets,
	type BucketEntry,
	type ReadingEntry,
	type RecordKind,
	type RingName,
	type RingScan,
	type SlotEntry,
	type StoreHeader,
	type StoreIdentity,
	type StoreLayout,
} from './store-format.js';
import {identityMatches, ioError, readHeader, readSlots, ringBounds, scan, StoreError, type WriterState} from './store-io.js';

export interface StoreSample {
	key: string;
	/** The instance's name for its series; null for others. */
	name: string | null;
	time: number;
	value: number;
}

export interface StoreWriterOptions {
	layout?: StoreLayout;
	now?: () => number;
	/** fdatasync after each reading (default): a power cut then loses at most the last one too. */
	sync?: boolean;
	/** The store as this process's load found it under the lock it still holds: not read again when still the same file. */
	resume?: WriterState;
}

interface RingState {
	offset: number;
	size: number;
	head: number;
	seq: number;
}

interface Accumulator {
	count: number;
	min: number;
	sum: number;
	max: number;
}

/** The one writer of a store (see lock.ts for how there is only one). */
export class StoreWriter {
	private readonly slotByKey = new Map<string, number>();
	/** Slot index → its key, undefined when free. */
	private readonly slotKeys: Array<string | undefined>;
	private readonly rings: Record<RingName, RingState>;
	private bucketStart: number | null = null;
	private readonly bucket = new Map<number, Accumulator>();
	private closed = false;
	/** Series dropped because every slot was in use by recorded data. */
	droppedSeries = 0;

	private constructor(
		readonly file: string,
		private readonly fd: number,
		readonly header: StoreHeader,
		slots: Array<SlotEntry | null>,
		scans: Record<RingName, Pick<RingScan, 'head' | 'nextSeq'>>,
		private readonly sync: boolean,
	) {
		const {layout} = header;
		const offsets = regionOffsets(layout);
		this.slotKeys = slots.map(slot => slot?.key);
		slots.forEach((slot, index) => {
			if (slot !== null) this.slotByKey.set(slot.key, index);
		});
		const ring = (name: RingName): RingState => {
			const {offset, size} = ringBounds(offsets, layout, name);
			const {head, nextSeq} = scans[name];
			return {offset, size, head, seq: nextSeq};
		};

		this.rings = {fine: ring('fine'), coarse: ring('coarse'), events: ring('events')};
	}

	/**
	 * Opens the store at `file` for writing, creating it (and its directory, 0700) when absent. Throws StoreError
	 * for a file that is not ours, newer, corrupt or of another stack (never touching it), and for I/O failures.
	 */
	static open(file: string, identity: StoreIdentity, options: StoreWriterOptions = {}): StoreWriter {
		const layout = options.layout ?? defaultLayout;
		const now = options.now ?? Date.now;
		try {
			mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
		} catch (error) {
			throw ioError(file, 'create its directory', error);
		}

		let fd: number;
		let created = false;
		try {
			fd = openSync(file, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
			created = true;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError(file, 'create it', error);
			try {
				fd = openSync(file, constants.O_RDWR | constants.O_NOFOLLOW);
			} catch (openError) {
				throw ioError(file, 'open it for writing', openError);
			}
		}

		try {
			if (created) {
				const header: StoreHeader = {version: formatVersion, layout, createdAt: now(), identity};
				writeAll(fd, encodeHeader(header), 0);
				fdatasyncSync(fd);
				return new StoreWriter(file, fd, header, new Array(layout.keySlots).fill(null), {fine: emptyScan(), coarse: emptyScan(), events: emptyScan()}, options.sync ?? true);
			}

			const stat = fstatSync(fd);
			if (!stat.isFile()) throw new StoreError(file, 'not-ours', `history store ${file} is not a regular file`);
			const {resume} = options;
			if (resume !== undefined && resume.ino === stat.ino && resume.size === stat.size && identityMatches(resume.header.identity, identity)) {
				return new StoreWriter(file, fd, resume.header, resume.slots, resume.rings, options.sync ?? true);
			}

			const header = readHeader(fd, file);
			if (!identityMatches(header.identity, identity)) {
				throw new StoreError(file, 'identity', `history store ${file} belongs to another stack (${header.identity.project}/${header.identity.service})`);
			}

			const scans = {fine: scan(fd, file, header, 'fine'), coarse: scan(fd, file, header, 'coarse'), events: scan(fd, file, header, 'events')};
			return new StoreWriter(file, fd, header, readSlots(fd, header), scans, options.sync ?? true);
		} catch (error) {
			closeSync(fd);
			// A store we began and could not finish (no space for its header) is ours to remove; any other is left alone.
			if (created) {
				try {
					unlinkSync(file);
				} catch {
					// Nothing more to do: the next start reports what it finds.
				}
			}

			throw error instanceof StoreError ? error : ioError(file, 'write its header', error);
		}
	}

	/** One reading: every sample taken since the last. Also folds them into the current minute's bucket. */
	appendReading(time: number, samples: readonly StoreSample[]): void {
		const entries: ReadingEntry[] = [];
		for (const sample of samples) {
			if (!Number.isFinite(sample.value)) continue;
			const slot = this.slotFor(sample.key, sample.name, entries);
			if (slot === null) continue;
			entries.push({series: slot, time: sample.time, value: sample.value});
		}

		const bucketMs = this.header.layout.coarseBucketMs;
		const start = Math.floor(time / bucketMs) * bucketMs;
		if (this.bucketStart !== null && start !== this.bucketStart) this.flushBucket();
		this.bucketStart = start;
		for (const entry of entries) {
			const acc = this.bucket.get(entry.series);
			if (acc === undefined) this.bucket.set(entry.series, {count: 1, min: entry.value, sum: entry.value, max: entry.value});
			else {
				acc.count++;
				acc.sum += entry.value;
				if (entry.value < acc.min) acc.min = entry.value;
				if (entry.value > acc.max) acc.max = entry.value;
			}
		}

		for (let from = 0; from < entries.length || from === 0; from += maxPayloadEntries) {
			this.append('fine', recordKind.reading, time, encodeReading(time, entries.slice(from, from + maxPayloadEntries)));
			if (entries.length === 0) break;
		}

		if (this.sync) fdatasyncSync(this.fd);
	}

	appendEvents(events: readonly EventEntry[]): void {
		for (const event of events) {
			const json = Buffer.from(JSON.stringify({at: event.at, level: event.level, key: event.key, text: event.text.slice(0, 2000)}), 'utf8');
			this.append('events', recordKind.event, event.at, json);
		}

		if (events.length > 0 && this.sync) fdatasyncSync(this.fd);
	}

	/** Writes the current minute's bucket (also at close: the rest of that minute, if any, is merged by readers). */
	flushBucket(): void {
		if (this.bucketStart === null || this.bucket.size === 0) return;
		const entries: BucketEntry[] = [];
		for (const [series, acc] of this.bucket) entries.push({series, count: acc.count, min: acc.min, mean: acc.sum / acc.count, max: acc.max});
		this.bucket.clear();
		for (let from = 0; from < entries.length; from += maxPayloadEntries) {
			this.append('coarse', recordKind.bucket, this.bucketStart, encodeBucket(entries.slice(from, from + maxPayloadEntries)));
		}
	}

	close(): void {
		if (this.closed) return;
		this.closed = true;
		try {
			this.flushBucket();
			fdatasyncSync(this.fd);
		} finally {
			closeSync(this.fd);
		}
	}

	private slotFor(key: string, name: string | null, pending: readonly ReadingEntry[]): number | null {
		const known = this.slotByKey.get(key);
		if (known !== undefined) return known;
		let chosen = this.slotKeys.indexOf(undefined);
		if (chosen === -1) chosen = this.reclaimSlot(pending);
		const slot = chosen === -1 ? null : encodeSlot({key, name}, this.header.layout.keySlotSize);
		if (slot === null) {
			this.droppedSeries++;
			return null;
		}

		const old = this.slotKeys[chosen];
		if (old !== undefined) this.slotByKey.delete(old);
		writeAll(this.fd, slot, headerSize + chosen * this.header.layout.keySlotSize);
		// The name must be on disk before any record that uses it.
		if (this.sync) fdatasyncSync(this.fd);
		this.slotByKey.set(key, chosen);
		this.slotKeys[chosen] = key;
		return chosen;
	}

	/**
	 * Every slot is taken (thousands of instances come and gone): a slot that no record in the rings refers to any
	 * more is given to the new series. Rare, so it reads the rings again rather than keep a use time per slot.
	 */
	private reclaimSlot(pending: readonly ReadingEntry[]): number {
		const referenced = new Set<number>([...this.bucket.keys(), ...pending.map(entry => entry.series)]);
		for (const record of scan(this.fd, this.file, this.header, 'fine').records) decodeReading(record.time, record.payload, slot => referenced.add(slot));
		for (const record of scan(this.fd, this.file, this.header, 'coarse').records) decodeBucket(record.payload, entry => referenced.add(entry.series));
		for (let i = 0; i < this.slotKeys.length; i++) if (!referenced.has(i)) return i;
		return -1;
	}

	private append(name: RingName, kind: RecordKind, time: number, payload: Buffer): void {
		const ring = this.rings[name];
		const record = encodeRecord(kind, ring.seq, time, payload);
		if (record.length > ring.size / 2) return; // cannot happen with the default layout; never wrap on one record
		if (ring.head + record.length > ring.size) {
			// Zero the tail, so no record of two laps ago is left behind out of order; then start again at 0.
			writeAll(this.fd, Buffer.alloc(ring.size - ring.head), ring.offset + ring.head);
			ring.head = 0;
		}

		writeAll(this.fd, record, ring.offset + ring.head);
		ring.head += record.length;
		ring.seq = (ring.seq + 1) >>> 0;
	}
}

function emptyScan(): RingScan {
	return {records: [], head: 0, nextSeq: 1};
}

function writeAll(fd: number, buffer: Buffer, position: number): void {
	let done = 0;
	while (done < buffer.length) done += writeSync(fd, buffer, done, buffer.length - done, position + done);
}
