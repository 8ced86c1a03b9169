// The history store's file access shared by its reader (store.ts) and its writer (store-writer.ts): the header, the
// name slots and the rings read from an open file, and the one error type. Layout: store-format.ts.
import {fstatSync, readSync} from 'node:fs';
import {decodeHeader, decodeSlot, headerSize, regionOffsets, scanRing, StoreFormatError, type RegionOffsets, type RingName, type RingScan, type SlotEntry, type StoreHeader, type StoreIdentity, type StoreLayout} from './store-format.js';

/** A store that cannot be used: its path and what is wrong, in one line. */
export class StoreError extends Error {
	constructor(
		readonly file: string,
		readonly kind: StoreFormatError['kind'] | 'identity' | 'io',
		message: string,
		readonly code?: string,
	) {
		super(message);
		this.name = 'StoreError';
	}
}

/**
 * What the writer needs of a store it goes on writing (store-writer.ts), as a load found it: valid only while the
 * loader held the stack's lock, so no one wrote in between; the file's inode and size say it is the same file.
 */
export interface WriterState {
	header: StoreHeader;
	slots: Array<SlotEntry | null>;
	rings: Record<RingName, {head: number; nextSeq: number}>;
	ino: number;
	size: number;
}

export function ioError(file: string, what: string, error: unknown): StoreError {
	const code = (error as NodeJS.ErrnoException).code;
	const words: Record<string, string> = {
		ENOSPC: 'no space left on the device',
		EDQUOT: 'disk quota exceeded',
		EACCES: 'permission denied',
		EPERM: 'permission denied',
		EROFS: 'read-only file system',
		EISDIR: 'it is a directory',
		ELOOP: 'it is a symbolic link, which va-top does not follow',
		EIO: 'input/output error',
	};
	return new StoreError(file, 'io', `history store ${file}: cannot ${what} (${(code && words[code]) ?? code ?? String(error)})`, code);
}

export function readAt(fd: number, length: number, position: number): Buffer {
	// Unsafe: every byte is either read or zeroed below (a file not yet grown to full size reads as a fresh ring).
	const buffer = Buffer.allocUnsafe(length);
	let done = 0;
	while (done < length) {
		const read = readSync(fd, buffer, done, length - done, position + done);
		if (read === 0) break;
		done += read;
	}

	if (done < length) buffer.fill(0, done);
	return buffer;
}

export function readHeader(fd: number, file: string): StoreHeader {
	const size = fstatSync(fd).size;
	const buffer = readAt(fd, Math.min(size, headerSize), 0);
	try {
		return decodeHeader(buffer, size);
	} catch (error) {
		if (error instanceof StoreFormatError) throw new StoreError(file, error.kind, `history store ${file} ${error.message}`);
		throw error;
	}
}

export function ringBounds(offsets: RegionOffsets, layout: StoreLayout, ring: RingName): {offset: number; size: number} {
	if (ring === 'fine') return {offset: offsets.fine, size: layout.fineBytes};
	if (ring === 'coarse') return {offset: offsets.coarse, size: layout.coarseBytes};
	return {offset: offsets.events, size: layout.eventBytes};
}

/** Rings are read this much at a time; a chunk of zeros ends the read (see scan). */
const chunkBytes = 1024 * 1024;
const zeros = Buffer.alloc(chunkBytes);

/**
 * A ring's records. Read in chunks up to the first chunk of zeros: the writer fills a ring from its start and
 * never leaves a megabyte of zeros behind (at a wrap it zeroes less than one record, at most 512 KiB), so a zero
 * chunk is where it has not written yet. A new store's rings are not read at all, a full one is read whole.
 */
export function scan(fd: number, file: string, header: StoreHeader, ring: RingName): RingScan {
	const {offset, size} = ringBounds(regionOffsets(header.layout), header.layout, ring);
	// Chunk by chunk, kept only up to the zero chunk: a ring not yet full costs what it holds, not its whole size
	// (a new store's 9 MiB bucket ring is a few KiB of records), and no buffer bigger than a megabyte is left to the
	// allocator to hold on to.
	const chunks: Buffer[] = [];
	let end = 0;
	while (end < size) {
		const length = Math.min(chunkBytes, size - end);
		const chunk = Buffer.allocUnsafe(length);
		let done = 0;
		while (done < length) {
			const read = readSync(fd, chunk, done, length - done, offset + end + done);
			if (read === 0) break;
			done += read;
		}

		chunk.fill(0, done);
		if (zeros.compare(chunk, 0, length, 0, length) === 0) break;
		chunks.push(chunk);
		end += length;
	}

	try {
		return scanRing(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, end), ring);
	} catch (error) {
		if (error instanceof StoreFormatError) throw new StoreError(file, error.kind, `history store ${file} ${error.message}`);
		throw error;
	}
}

/** Name slots are read this many at a time (64 KiB with the default layout). */
const slotChunk = 256;

/**
 * The name slots, read up to the first chunk of free ones: the writer takes the lowest free slot, so the used ones
 * are a run from 0 (a torn rename may leave one hole in it, never a whole chunk). A new store reads 64 KiB, not 2 MiB.
 */
export function readSlots(fd: number, header: StoreHeader): Array<SlotEntry | null> {
	const {keySlots, keySlotSize} = header.layout;
	const slots: Array<SlotEntry | null> = new Array(keySlots).fill(null);
	for (let first = 0; first < keySlots; first += slotChunk) {
		const count = Math.min(slotChunk, keySlots - first);
		const buffer = readAt(fd, count * keySlotSize, headerSize + first * keySlotSize);
		let used = 0;
		for (let i = 0; i < count; i++) {
			const slot = decodeSlot(buffer.subarray(i * keySlotSize, (i + 1) * keySlotSize));
			slots[first + i] = slot;
			if (slot !== null) used++;
		}

		if (used === 0) break;
	}

	return slots;
}

export function identityMatches(a: StoreIdentity, b: StoreIdentity): boolean {
	return a.project === b.project && a.service === b.service && JSON.stringify(a.endpoints) === JSON.stringify(b.endpoints);
}
