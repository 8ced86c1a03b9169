// Bytes → lines, for the file tail and the Docker log stream alike. Pure and bounded: a chunk may end in the middle
// of a line (or of a UTF-8 character), the rest comes with the next chunk; a line longer than the limit is dropped
// whole (counted, never buffered past the limit), so a runaway line cannot grow memory.
import {maxLineBytes} from './parse.js';

export interface LineSink {
	line(text: string): void;
	/** A line over the limit was skipped. */
	overlong(): void;
}

export interface LineSplitter {
	push(chunk: Buffer): void;
	/** Bytes of a line begun and not yet ended. */
	pending(): number;
	/** Forgets a line begun (the file was truncated or replaced; the stream restarted). */
	reset(): void;
}

export function createLineSplitter(sink: LineSink, limit = maxLineBytes): LineSplitter {
	let parts: Buffer[] = [];
	let size = 0;
	// Inside a line already over the limit: skip up to its newline.
	let skipping = false;

	return {
		push(chunk) {
			let start = 0;
			while (start < chunk.length) {
				const newline = chunk.indexOf(0x0a, start);
				const end = newline === -1 ? chunk.length : newline;
				if (!skipping) {
					if (size + (end - start) > limit) {
						skipping = true;
						parts = [];
						size = 0;
					} else if (end > start) {
						parts.push(chunk.subarray(start, end));
						size += end - start;
					}
				}

				if (newline === -1) break;
				if (skipping) {
					sink.overlong();
				} else {
					// Copied out of the chunk: a kept subarray would pin the whole chunk in memory.
					const text = (parts.length === 1 ? parts[0]! : Buffer.concat(parts, size)).toString('utf8');
					sink.line(text.endsWith('\r') ? text.slice(0, -1) : text);
				}

				parts = [];
				size = 0;
				skipping = false;
				start = newline + 1;
			}

			// A part left pending is copied so the (possibly large) chunk it came from can be collected.
			if (parts.length > 0 && parts.at(-1)!.buffer === chunk.buffer) parts[parts.length - 1] = Buffer.from(parts.at(-1)!);
		},
		pending: () => size,
		reset() {
			parts = [];
			size = 0;
			skipping = false;
		},
	};
}
