// The Docker logs API's byte stream → log lines with the engine's timestamps. Pure.
// - A container without a TTY gets stdout and stderr multiplexed: each message is a frame with an 8-byte header
//   (stream 1/2, three zero bytes, payload size as a big-endian uint32). An HTTP chunk may end inside a header or
//   a payload (docker-modem's demuxStream, dockerode 482 and 271).
// - With timestamps=1 every message starts with its RFC 3339 time with nanoseconds and a blank. The engine splits a
//   line over 16 KB into several messages (moby 34855), each with its own timestamp and only the last with the
//   newline: the time is taken off the start of every message, not only at the start of a line.
// - A TTY container's stream is raw: no frames, so only a line's start can carry a timestamp.
import {createLineSplitter, type LineSink} from './lines.js';
import {maxLineBytes} from './parse.js';

export interface TimedLine {
	text: string;
	/** The engine's time of the (last part of the) line, as it wrote it: kept as text for nanosecond `since`. */
	timestamp: string | null;
}

export interface LogStreamSink {
	line(line: TimedLine): void;
	overlong(): void;
}

export interface LogStreamParser {
	push(chunk: Buffer): void;
	/** Forgets everything half-read (a new stream begins). */
	reset(): void;
}

const timestampPattern = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})) /;
const empty: Buffer = Buffer.alloc(0);
/** Longest timestamp the engine writes plus its blank. */
const timestampBytes = 36;

export function createLogStreamParser(sink: LogStreamSink, options: {tty: boolean; limit?: number}): LogStreamParser {
	const limit = options.limit ?? maxLineBytes;
	let lastTimestamp: string | null = null;
	// At the start of a message: the next bytes may be a timestamp.
	let atMessageStart = true;
	let head: Buffer = empty;

	const lines: LineSink = {
		line: (text) => sink.line({text, timestamp: lastTimestamp}),
		overlong: () => sink.overlong(),
	};
	const splitter = createLineSplitter(lines, limit);

	/** Feeds message bytes (a frame's payload, or the raw stream) to the splitter, taking timestamps off. */
	function feed(bytes: Buffer, messageStart: boolean): void {
		if (messageStart) {
			// A message shorter than a timestamp (never written by the engine): its bytes are text, not a time.
			if (head.length > 0) splitter.push(head);
			head = empty;
			atMessageStart = true;
		}

		let rest = bytes;
		while (rest.length > 0) {
			if (atMessageStart) {
				// Collect enough bytes to see the whole timestamp (a chunk may end inside it).
				head = head.length === 0 ? rest : Buffer.concat([head, rest]);
				const blank = head.indexOf(0x20);
				if (blank === -1 && head.length < timestampBytes && head.indexOf(0x0a) === -1) return;
				atMessageStart = false;
				// The timestamp is the text before the first blank, when it looks like one (a cheap test first: ~2,000
				// lines a second pass here).
				const match = blank > 0 && blank < timestampBytes && head[4] === 0x2d ? timestampPattern.exec(head.toString('latin1', 0, blank + 1)) : null;
				if (match) lastTimestamp = match[1]!;
				rest = match ? head.subarray(blank + 1) : head;
				head = empty;
				continue;
			}

			const newline = rest.indexOf(0x0a);
			if (newline === -1) {
				splitter.push(rest);
				return;
			}

			splitter.push(rest.subarray(0, newline + 1));
			rest = rest.subarray(newline + 1);
			// In a raw stream a new line is a new message; in frames the next frame says so.
			if (options.tty) atMessageStart = true;
		}
	}

	if (options.tty) {
		return {
			push: (chunk) => feed(chunk, false),
			reset() {
				splitter.reset();
				head = empty;
				atMessageStart = true;
			},
		};
	}

	// Frame state: the header being read, then how many payload bytes are still to come.
	let header: Buffer = Buffer.alloc(0);
	let remaining = 0;
	let stream = 0;
	let payloadStart = false;

	return {
		push(chunk) {
			let at = 0;
			while (at < chunk.length) {
				if (remaining === 0) {
					const need = 8 - header.length;
					header = Buffer.concat([header, chunk.subarray(at, at + need)]);
					at += Math.min(need, chunk.length - at);
					if (header.length < 8) return;
					stream = header[0]!;
					remaining = header.readUInt32BE(4);
					header = Buffer.alloc(0);
					payloadStart = true;
					continue;
				}

				const take = Math.min(remaining, chunk.length - at);
				// Only stdout: nginx writes its access log there, its error log to stderr.
				if (stream === 1) feed(chunk.subarray(at, at + take), payloadStart);
				payloadStart = false;
				remaining -= take;
				at += take;
			}
		},
		reset() {
			splitter.reset();
			header = Buffer.alloc(0);
			remaining = 0;
			head = empty;
			atMessageStart = true;
		},
	};
}

/** A timestamp the engine wrote → `since` for the logs API (seconds.nanoseconds, as the docker CLI sends it). */
export function sinceOf(timestamp: string): string | null {
	const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(timestamp);
	if (!match) return null;
	const seconds = Date.parse(`${match[1]}${match[3]}`) / 1000;
	if (!Number.isFinite(seconds)) return null;
	return `${seconds}.${(match[2] ?? '').padEnd(9, '0')}`;
}

/** A timestamp the engine wrote → nanoseconds since the epoch, for ordering; null when it is not one. */
export function timestampNanos(timestamp: string): bigint | null {
	const since = sinceOf(timestamp);
	if (since === null) return null;
	const [seconds, nanos] = since.split('.');
	return BigInt(seconds!) * 1_000_000_000n + BigInt(nanos!);
}

/**
 * Orders two engine timestamps. The engine writes them in one fixed form (UTC, nine decimals): those compare as
 * text, with no parsing per line; any other form is compared by its value.
 */
export function compareTimestamps(a: string, b: string): number {
	if (a.length === b.length && a.endsWith('Z') && b.endsWith('Z')) return a < b ? -1 : a > b ? 1 : 0;
	const x = timestampNanos(a);
	const y = timestampNanos(b);
	if (x === null || y === null) return 0;
	return x < y ? -1 : x > y ? 1 : 0;
}
