// Follows an access-log file as `tail -F` does, by polling (inotify misses files on some mounts and says nothing of
// truncation). It survives:
// - rotation (logrotate's rename, then `nginx -s reopen` creates a new file): the old file is read to its end, and
//   read again for a short grace while nginx's workers finish their last writes, then the new one from its start;
// - truncation (copytruncate, `: > access.log`): read again from the start;
// - partial lines (a write caught half done): kept until the newline comes;
// - the file missing for a while (between the rename and the reopen, or not there yet).
import {closeSync, fstatSync, openSync, readSync, statSync} from 'node:fs';
import {createLineSplitter, type LineSink, type LineSplitter} from './lines.js';

export interface FileTailOptions {
	path: string;
	sink: LineSink;
	/** Where to begin in the file found at start (a byte offset). Later files are read from their start. */
	startAt(read: (offset: number, length: number) => Buffer, size: number): number;
	/** The file could be read (null), or why not. */
	onStatus(error: unknown): void;
	/** A new file or a truncation began: the caller may note it. */
	onRestart?(reason: 'rotated' | 'truncated'): void;
	pollMs?: number;
}

export interface FileTail {
	start(): void;
	stop(): void;
	/** Reads everything there is now (for the one-shot check and tests); the poll does this on its own too. */
	poll(): void;
}

interface OpenFile {
	fd: number;
	ino: number;
	dev: number;
	position: number;
	splitter: LineSplitter;
}

/** Most bytes read in one poll, so a huge backlog never blocks the event loop for long. */
const bytesPerPoll = 8 * 1024 * 1024;
/** How long a rotated file is still read after the new one appeared. */
const graceMs = 2000;

export function createFileTail(options: FileTailOptions): FileTail {
	const pollMs = options.pollMs ?? 250;
	const buffer = Buffer.allocUnsafe(256 * 1024);
	let current: OpenFile | null = null;
	let previous: {file: OpenFile; until: number} | null = null;
	let first = true;
	let timer: NodeJS.Timeout | undefined;
	let running = false;

	function open(fromStart: boolean): OpenFile {
		const fd = openSync(options.path, 'r');
		const stat = fstatSync(fd);
		const file: OpenFile = {fd, ino: stat.ino, dev: stat.dev, position: 0, splitter: createLineSplitter(options.sink)};
		if (!fromStart) {
			const read = (offset: number, length: number) => {
				const out = Buffer.allocUnsafe(length);
				return out.subarray(0, readSync(fd, out, 0, length, offset));
			};
			file.position = Math.max(0, Math.min(stat.size, options.startAt(read, stat.size)));
		}

		return file;
	}

	function close(file: OpenFile | null): void {
		if (file === null) return;
		try {
			closeSync(file.fd);
		} catch {
			// Already closed: nothing to do.
		}
	}

	/** Reads what was appended since the last read; returns the bytes read. */
	function drain(file: OpenFile, budget: number): number {
		const size = fstatSync(file.fd).size;
		if (size < file.position) {
			// Truncated under us: what is there now is new.
			file.position = 0;
			file.splitter.reset();
			options.onRestart?.('truncated');
		}

		let total = 0;
		while (total < budget) {
			const length = readSync(file.fd, buffer, 0, buffer.length, file.position);
			if (length <= 0) break;
			file.position += length;
			total += length;
			file.splitter.push(buffer.subarray(0, length));
		}

		return total;
	}

	/** Reads what there is; true when a backlog is left for the next round. */
	function poll(): boolean {
		let read = 0;
		try {
			if (previous !== null) {
				read += drain(previous.file, bytesPerPoll);
				if (Date.now() > previous.until) {
					close(previous.file);
					previous = null;
				}
			}

			let onDisk: {ino: number; dev: number} | null = null;
			try {
				const stat = statSync(options.path);
				onDisk = {ino: stat.ino, dev: stat.dev};
			} catch (error) {
				// Gone between a rename and the reopen: keep reading the file we hold, if any.
				if (current === null) throw error;
			}

			if (current === null) {
				current = open(!first);
				if (!first) options.onRestart?.('rotated');
				first = false;
			} else if (onDisk !== null && (onDisk.ino !== current.ino || onDisk.dev !== current.dev)) {
				// Rotated: finish the old file, keep it a little longer, then follow the new one from its start.
				read += drain(current, bytesPerPoll);
				close(previous?.file ?? null);
				previous = {file: current, until: Date.now() + graceMs};
				current = open(true);
				options.onRestart?.('rotated');
			}

			read += drain(current, bytesPerPoll);
			options.onStatus(null);
		} catch (error) {
			options.onStatus(error);
		}

		return read >= bytesPerPoll;
	}

	function tick(): void {
		timer = undefined;
		if (!running) return;
		const backlog = poll();
		// A backlog larger than one poll's budget: go on at once rather than after the interval.
		if (running) timer = setTimeout(tick, backlog ? 0 : pollMs);
	}

	return {
		start() {
			if (running) return;
			running = true;
			tick();
		},
		stop() {
			running = false;
			clearTimeout(timer);
			timer = undefined;
			close(current);
			close(previous?.file ?? null);
			current = null;
			previous = null;
		},
		poll() {
			while (poll());
		},
	};
}

/**
 * The offset of the first line at or after `fromMs` in a log whose lines are in time order, found by bisection
 * (a few reads, however large the file), so only the window is parsed. Lines whose time cannot be read send the
 * search towards the start: at worst more is read, never less.
 */
export function findStartOffset(read: (offset: number, length: number) => Buffer, size: number, fromMs: number, timeOf: (line: string) => number | null): number {
	const block = 64 * 1024;
	let low = 0;
	let high = size;
	while (high - low > block) {
		const middle = Math.floor((low + high) / 2);
		const time = firstTimeAfter(read(middle, block), timeOf);
		if (time !== null && time < fromMs) low = middle;
		else high = middle;
	}

	if (low === 0) return 0;
	const head = read(low, block);
	const newline = head.indexOf(0x0a);
	return newline === -1 ? low : low + newline + 1;
}

/** The time of the first whole line in a block read from the middle of a file. */
function firstTimeAfter(bytes: Buffer, timeOf: (line: string) => number | null): number | null {
	const lines = bytes.toString('utf8').split('\n');
	// The first piece is the end of a line begun before the block; the last may be cut.
	for (const line of lines.slice(1, -1)) {
		const time = timeOf(line);
		if (time !== null) return time;
	}

	return null;
}
