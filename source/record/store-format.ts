// The history store's on-disk layout: one file of fixed maximum size, a header, a table of series names and three
// byte rings (per-reading values, per-minute buckets, events). Pure: bytes in, bytes out; the file I/O is store.ts.
//
// Format 1 (all integers little-endian):
//   header, 4096 bytes: "VATOPHST", u32 format, u32 header size, u32 key slots, u32 key slot size,
//     u32 coarse bucket ms, u32 fine ring bytes, u32 coarse ring bytes, u32 event ring bytes, f64 created (epoch ms),
//     u32 identity length, identity (UTF-8 JSON: project, service, endpoints), …, u32 CRC-32 of the bytes before it.
//   key slots: `slots` × `slotSize` bytes: u32 CRC-32 of what follows, u16 length, u16 0, UTF-8 JSON {k, n?}
//     (the series key and, for an instance's series, its name). All zero: free. A slot's index is the series id.
//   three rings, each a run of records written one after another; a record that would cross the end zeroes the
//   rest and starts again at 0. Record: u32 "VTAR", u32 length, u32 sequence, u8 kind, 3 × 0, f64 time (epoch ms),
//     u32 CRC-32 of the record with this field zero, then the payload:
//     reading (kind 1): u16 n, n × (u16 series, u16 age ms before the record's time, f32 value)
//     bucket  (kind 2): u16 n, n × (u16 series, u16 samples, f32 min, f32 mean, f32 max)
//     event   (kind 3): UTF-8 JSON {at, level, key, text}
// Why it is crash-safe: a record is written whole at the ring's head and checked by its CRC when read, so a torn
// write leaves one bad record at the head, which readers skip and the writer overwrites; older records are never
// written again until the ring comes round to them.
import {crc32} from './crc32.js';

export const storeMagic = 'VATOPHST';
export const formatVersion = 1;
export const headerSize = 4096;
export const recordMagic = 0x52_41_54_56; // "VTAR" read as little-endian
export const recordHeaderSize = 28;
export const maxPayloadEntries = 0xff_ff;

export const recordKind = {reading: 1, bucket: 2, event: 3} as const;
export type RecordKind = (typeof recordKind)[keyof typeof recordKind];

export interface StoreLayout {
	keySlots: number;
	keySlotSize: number;
	coarseBucketMs: number;
	fineBytes: number;
	coarseBytes: number;
	eventBytes: number;
}

/**
 * 1 s readings for the newest hour and more, 1 min buckets for 24 h, at up to ~200 instances (two series each):
 * 23.7 MiB at most, written as the rings fill (a sparse file until then).
 */
export const defaultLayout: StoreLayout = {
	keySlots: 8192,
	keySlotSize: 256,
	coarseBucketMs: 60_000,
	fineBytes: 12 * 1024 * 1024,
	coarseBytes: 9 * 1024 * 1024,
	eventBytes: 512 * 1024,
};

export interface StoreIdentity {
	project: string;
	service: string;
	/** Where the stack is read from, without credentials. */
	endpoints: string[];
}

export interface StoreHeader {
	version: number;
	layout: StoreLayout;
	createdAt: number;
	identity: StoreIdentity;
}

export type RingName = 'fine' | 'coarse' | 'events';

export interface RegionOffsets {
	keys: number;
	fine: number;
	coarse: number;
	events: number;
	end: number;
}

export function regionOffsets(layout: StoreLayout): RegionOffsets {
	const keys = headerSize;
	const fine = keys + layout.keySlots * layout.keySlotSize;
	const coarse = fine + layout.fineBytes;
	const events = coarse + layout.coarseBytes;
	return {keys, fine, coarse, events, end: events + layout.eventBytes};
}

/** Why a file cannot be used as a store. The commands turn it into one line and exit 64. */
export class StoreFormatError extends Error {
	constructor(
		readonly kind: 'not-ours' | 'newer' | 'corrupt',
		message: string,
	) {
		super(message);
		this.name = 'StoreFormatError';
	}
}

export function encodeHeader(header: StoreHeader): Buffer {
	const buffer = Buffer.alloc(headerSize);
	buffer.write(storeMagic, 0, 'latin1');
	const {layout} = header;
	buffer.writeUInt32LE(header.version, 8);
	buffer.writeUInt32LE(headerSize, 12);
	buffer.writeUInt32LE(layout.keySlots, 16);
	buffer.writeUInt32LE(layout.keySlotSize, 20);
	buffer.writeUInt32LE(layout.coarseBucketMs, 24);
	buffer.writeUInt32LE(layout.fineBytes, 28);
	buffer.writeUInt32LE(layout.coarseBytes, 32);
	buffer.writeUInt32LE(layout.eventBytes, 36);
	buffer.writeDoubleLE(header.createdAt, 40);
	const identity = Buffer.from(JSON.stringify(header.identity), 'utf8');
	if (identity.length > headerSize - 56 - 4) throw new RangeError('store identity too long');
	buffer.writeUInt32LE(identity.length, 48);
	identity.copy(buffer, 52);
	buffer.writeUInt32LE(crc32(buffer.subarray(0, headerSize - 4)), headerSize - 4);
	return buffer;
}

/** Reads a header, or throws StoreFormatError naming what is wrong. `size` is the file's size. */
export function decodeHeader(buffer: Buffer, size: number): StoreHeader {
	if (buffer.length < 8 || buffer.toString('latin1', 0, 8) !== storeMagic) {
		throw new StoreFormatError('not-ours', 'is not a va-top history store (no VATOPHST header)');
	}

	if (buffer.length < headerSize) throw new StoreFormatError('corrupt', `is corrupt (its header is cut short at ${buffer.length} bytes)`);
	const version = buffer.readUInt32LE(8);
	if (buffer.readUInt32LE(headerSize - 4) !== crc32(buffer.subarray(0, headerSize - 4))) {
		// A newer format may lay its header out differently; say so before calling it corrupt.
		if (version > formatVersion && version < 1000) throw new StoreFormatError('newer', `was written by a newer va-top (store format ${version}; this one reads format ${formatVersion})`);
		throw new StoreFormatError('corrupt', 'is corrupt (its header fails its checksum)');
	}

	if (version > formatVersion) throw new StoreFormatError('newer', `was written by a newer va-top (store format ${version}; this one reads format ${formatVersion})`);
	if (version < 1 || buffer.readUInt32LE(12) !== headerSize) throw new StoreFormatError('corrupt', `is corrupt (format ${version}, header size ${buffer.readUInt32LE(12)})`);
	const layout: StoreLayout = {
		keySlots: buffer.readUInt32LE(16),
		keySlotSize: buffer.readUInt32LE(20),
		coarseBucketMs: buffer.readUInt32LE(24),
		fineBytes: buffer.readUInt32LE(28),
		coarseBytes: buffer.readUInt32LE(32),
		eventBytes: buffer.readUInt32LE(36),
	};
	if (layout.keySlots < 1 || layout.keySlots > maxPayloadEntries + 1 || layout.keySlotSize < 32 || layout.coarseBucketMs < 1000 || layout.fineBytes < 1024 || layout.coarseBytes < 1024 || layout.eventBytes < 1024) {
		throw new StoreFormatError('corrupt', 'is corrupt (its layout is impossible)');
	}

	const end = regionOffsets(layout).end;
	if (size > end) throw new StoreFormatError('corrupt', `is corrupt (${size} bytes, more than the ${end} its header allows)`);
	const identityLength = buffer.readUInt32LE(48);
	let identity: StoreIdentity;
	try {
		identity = JSON.parse(buffer.toString('utf8', 52, 52 + identityLength)) as StoreIdentity;
	} catch {
		throw new StoreFormatError('corrupt', 'is corrupt (its identity is not JSON)');
	}

	return {version, layout, createdAt: buffer.readDoubleLE(40), identity};
}

export interface SlotEntry {
	key: string;
	name: string | null;
}

export function encodeSlot(entry: SlotEntry, slotSize: number): Buffer | null {
	const json = Buffer.from(JSON.stringify(entry.name === null ? {k: entry.key} : {k: entry.key, n: entry.name}), 'utf8');
	if (json.length + 8 > slotSize) return null;
	const buffer = Buffer.alloc(slotSize);
	buffer.writeUInt16LE(json.length, 4);
	json.copy(buffer, 8);
	buffer.writeUInt32LE(crc32(buffer.subarray(4, 8 + json.length)), 0);
	return buffer;
}

/** A slot's entry; null when free or torn (a torn slot names a series whose values are then dropped). */
export function decodeSlot(buffer: Buffer): SlotEntry | null {
	const length = buffer.readUInt16LE(4);
	if (length === 0 || length + 8 > buffer.length) return null;
	if (buffer.readUInt32LE(0) !== crc32(buffer.subarray(4, 8 + length))) return null;
	try {
		const parsed = JSON.parse(buffer.toString('utf8', 8, 8 + length)) as {k?: unknown; n?: unknown};
		if (typeof parsed.k !== 'string') return null;
		return {key: parsed.k, name: typeof parsed.n === 'string' ? parsed.n : null};
	} catch {
		return null;
	}
}

export function encodeRecord(kind: RecordKind, seq: number, time: number, payload: Buffer): Buffer {
	const buffer = Buffer.alloc(recordHeaderSize + payload.length);
	buffer.writeUInt32LE(recordMagic, 0);
	buffer.writeUInt32LE(buffer.length, 4);
	buffer.writeUInt32LE(seq >>> 0, 8);
	buffer.writeUInt8(kind, 12);
	buffer.writeDoubleLE(time, 16);
	payload.copy(buffer, recordHeaderSize);
	buffer.writeUInt32LE(crc32(buffer), 24);
	return buffer;
}

export interface RingRecord {
	offset: number;
	length: number;
	seq: number;
	kind: RecordKind;
	time: number;
	payload: Buffer;
}

export interface RingScan {
	/** Valid records, oldest first. */
	records: RingRecord[];
	/** Where the next record goes: right after the newest, or 0 in an empty ring. */
	head: number;
	nextSeq: number;
}

const magicBytes = Buffer.alloc(4);
magicBytes.writeUInt32LE(recordMagic, 0);

/**
 * Every valid record of a ring, oldest first, and where the writer goes on. Throws StoreFormatError('corrupt') when
 * a damaged record sits anywhere but right after the newest one (a torn last write), or the records are out of
 * order: that is not what this format's writer ever leaves.
 */
export function scanRing(ring: Buffer, name: RingName): RingScan {
	const found: RingRecord[] = [];
	const damaged: number[] = [];
	let at = 0;
	while (at + recordHeaderSize <= ring.length) {
		const next = ring.indexOf(magicBytes, at);
		if (next === -1 || next + recordHeaderSize > ring.length) break;
		const length = ring.readUInt32LE(next + 4);
		const kind = ring.readUInt8(next + 12);
		const plausible = length >= recordHeaderSize && next + length <= ring.length && kind >= 1 && kind <= 3;
		if (plausible) {
			const record = ring.subarray(next, next + length);
			const stored = record.readUInt32LE(24);
			record.writeUInt32LE(0, 24);
			const ok = crc32(record) === stored;
			record.writeUInt32LE(stored, 24);
			if (ok) {
				found.push({offset: next, length, seq: record.readUInt32LE(8), kind: kind as RecordKind, time: record.readDoubleLE(16), payload: record.subarray(recordHeaderSize)});
				at = next + length;
				continue;
			}

			damaged.push(next);
		}

		at = next + 1;
	}

	if (found.length === 0) return {records: [], head: 0, nextSeq: 1};
	// By offset the sequence climbs by one, except once, where it drops: the newest record followed by the oldest.
	let newest = found.length - 1;
	let descents = 0;
	for (let i = 1; i < found.length; i++) {
		const step = found[i]!.seq - found[i - 1]!.seq;
		if (step === 1) continue;
		if (step > 1) throw new StoreFormatError('corrupt', `is corrupt (${step - 1} ${name} record(s) missing before byte ${found[i]!.offset})`);
		descents++;
		newest = i - 1;
		if (descents > 1) throw new StoreFormatError('corrupt', `is corrupt (the ${name} records are out of order at byte ${found[i]!.offset})`);
	}

	// Round the end of the ring: the last record by offset is the one just before the first.
	if (descents === 1 && found[0]!.seq !== found[found.length - 1]!.seq + 1) {
		throw new StoreFormatError('corrupt', `is corrupt (${name} records missing at the end of the ring)`);
	}

	const head = found[newest]!;
	const headEnd = head.offset + head.length;
	const oldest = found[(newest + 1) % found.length]!;
	// Only the gap after the newest record (up to the oldest, round the end of the ring) may hold a torn record.
	const inHeadGap = (offset: number) => (oldest.offset > head.offset ? offset >= headEnd && offset < oldest.offset : offset >= headEnd || offset < oldest.offset);
	for (const offset of damaged) {
		if (!inHeadGap(offset)) throw new StoreFormatError('corrupt', `is corrupt (a ${name} record at byte ${offset} fails its checksum)`);
	}

	const records = descents === 0 ? found : [...found.slice(newest + 1), ...found.slice(0, newest + 1)];
	return {records, head: headEnd, nextSeq: (head.seq + 1) >>> 0};
}

export interface ReadingEntry {
	series: number;
	time: number;
	value: number;
}

export function encodeReading(time: number, entries: readonly ReadingEntry[]): Buffer {
	const payload = Buffer.alloc(2 + entries.length * 8);
	payload.writeUInt16LE(entries.length, 0);
	let at = 2;
	for (const entry of entries) {
		payload.writeUInt16LE(entry.series, at);
		payload.writeUInt16LE(Math.min(0xff_ff, Math.max(0, Math.round(time - entry.time))), at + 2);
		payload.writeFloatLE(entry.value, at + 4);
		at += 8;
	}

	return payload;
}

export function decodeReading(time: number, payload: Buffer, each: (series: number, time: number, value: number) => void): void {
	if (payload.length < 2) return;
	const count = Math.min(payload.readUInt16LE(0), Math.floor((payload.length - 2) / 8));
	for (let i = 0, at = 2; i < count; i++, at += 8) {
		each(payload.readUInt16LE(at), time - payload.readUInt16LE(at + 2), payload.readFloatLE(at + 4));
	}
}

export interface BucketEntry {
	series: number;
	count: number;
	min: number;
	mean: number;
	max: number;
}

export function encodeBucket(entries: readonly BucketEntry[]): Buffer {
	const payload = Buffer.alloc(2 + entries.length * 16);
	payload.writeUInt16LE(entries.length, 0);
	let at = 2;
	for (const entry of entries) {
		payload.writeUInt16LE(entry.series, at);
		payload.writeUInt16LE(Math.min(0xff_ff, entry.count), at + 2);
		payload.writeFloatLE(entry.min, at + 4);
		payload.writeFloatLE(entry.mean, at + 8);
		payload.writeFloatLE(entry.max, at + 12);
		at += 16;
	}

	return payload;
}

export function decodeBucket(payload: Buffer, each: (entry: BucketEntry) => void): void {
	if (payload.length < 2) return;
	const count = Math.min(payload.readUInt16LE(0), Math.floor((payload.length - 2) / 16));
	for (let i = 0, at = 2; i < count; i++, at += 16) {
		each({series: payload.readUInt16LE(at), count: payload.readUInt16LE(at + 2), min: payload.readFloatLE(at + 4), mean: payload.readFloatLE(at + 8), max: payload.readFloatLE(at + 12)});
	}
}
