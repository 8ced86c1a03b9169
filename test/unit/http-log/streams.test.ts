import {describe, expect, it} from 'vitest';
import {createLogStreamParser, sinceOf, timestampNanos, type TimedLine} from '../../../source/sources/http-log/docker-stream.js';
import {createLineSplitter} from '../../../source/sources/http-log/lines.js';

function splitter(limit?: number) {
	const lines: string[] = [];
	let overlong = 0;
	const split = createLineSplitter({line: (text) => lines.push(text), overlong: () => overlong++}, limit);
	return {split, lines, overlong: () => overlong};
}

/** One frame of the engine's multiplexed stream: stream id, three zero bytes, big-endian size, payload. */
function frame(stream: 1 | 2, payload: string | Buffer): Buffer {
	const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
	const header = Buffer.alloc(8);
	header[0] = stream;
	header.writeUInt32BE(body.length, 4);
	return Buffer.concat([header, body]);
}

function parser(tty = false, limit?: number) {
	const lines: TimedLine[] = [];
	let overlong = 0;
	const parse = createLogStreamParser({line: (line) => lines.push(line), overlong: () => overlong++}, {tty, limit});
	return {parse, lines, overlong: () => overlong};
}

/** Feeds the bytes in pieces of `size`, as HTTP chunks may cut them anywhere. */
function inPieces(bytes: Buffer, size: number, push: (chunk: Buffer) => void): void {
	for (let at = 0; at < bytes.length; at += size) push(bytes.subarray(at, at + size));
}

describe('bytes into lines', () => {
	it('joins a line cut across chunks, including inside a UTF-8 character', () => {
		const {split, lines} = splitter();
		const text = Buffer.from('first ✓ line\nsecond\r\nthird');
		inPieces(text, 3, (chunk) => split.push(chunk));
		expect(lines).toEqual(['first ✓ line', 'second']);
		expect(split.pending()).toBe(5);
		split.push(Buffer.from('\n'));
		expect(lines.at(-1)).toBe('third');
	});

	it('skips a line over the limit whole, counts it, and reads the next line', () => {
		const {split, lines, overlong} = splitter(100);
		split.push(Buffer.from('ok\n'));
		inPieces(Buffer.from(`${'x'.repeat(1000)}\nafter\n`), 64, (chunk) => split.push(chunk));
		expect(lines).toEqual(['ok', 'after']);
		expect(overlong()).toBe(1);
		expect(split.pending()).toBe(0);
	});

	it('passes a binary line on as text for the parser to refuse', () => {
		const {split, lines} = splitter();
		split.push(Buffer.from([0x00, 0xff, 0xfe, 0x07, 0x0a, 0x41, 0x0a]));
		expect(lines).toHaveLength(2);
		expect(lines[1]).toBe('A');
	});
});

describe('the Docker logs stream', () => {
	const ts = (n: number) => `2026-11-28T06:40:0${n}.123456789Z`;

	it('demultiplexes frames cut anywhere, keeps stdout only and takes the timestamps off', () => {
		const {parse, lines} = parser();
		const bytes = Buffer.concat([
			frame(1, `${ts(1)} {"status":"200"}\n`),
			frame(2, `${ts(2)} 2026/11/28 06:40:02 [notice] 1#1: signal process started\n`),
			frame(1, `${ts(3)} {"status":"502"}\n`),
		]);
		for (const size of [1, 3, 7, 8, 9, 1000]) {
			lines.length = 0;
			inPieces(bytes, size, (chunk) => parse.push(chunk));
			expect(lines, `pieces of ${size}`).toEqual([
				{text: '{"status":"200"}', timestamp: ts(1)},
				{text: '{"status":"502"}', timestamp: ts(3)},
			]);
		}
	});

	it('joins a line the engine split at 16 KB into messages that each carry a timestamp', () => {
		const {parse, lines} = parser();
		const long = 'a'.repeat(40_000);
		const parts = [long.slice(0, 16_384), long.slice(16_384, 32_768), `${long.slice(32_768)}\n`];
		const bytes = Buffer.concat(parts.map((part, i) => frame(1, `${ts(i + 1)} ${part}`)));
		inPieces(bytes, 4096, (chunk) => parse.push(chunk));
		expect(lines).toEqual([{text: long, timestamp: ts(3)}]);
	});

	it('reads a TTY container\'s raw stream, timestamps at line starts', () => {
		const {parse, lines} = parser(true);
		inPieces(Buffer.from(`${ts(1)} one\r\n${ts(2)} two\r\n`), 5, (chunk) => parse.push(chunk));
		expect(lines).toEqual([{text: 'one', timestamp: ts(1)}, {text: 'two', timestamp: ts(2)}]);
	});

	it('survives a huge and a binary message between good ones', () => {
		const {parse, lines, overlong} = parser(false, 1000);
		const bytes = Buffer.concat([frame(1, `${ts(1)} ${'z'.repeat(5000)}\n`), frame(1, Buffer.concat([Buffer.from(`${ts(2)} `), Buffer.from([0, 1, 2, 0xff, 0x0a])])), frame(1, `${ts(3)} fine\n`)]);
		inPieces(bytes, 333, (chunk) => parse.push(chunk));
		expect(overlong()).toBe(1);
		expect(lines.map((line) => line.timestamp)).toEqual([ts(2), ts(3)]);
		expect(lines.at(-1)!.text).toBe('fine');
	});

	it('turns an engine timestamp into `since` with nanoseconds, and orders timestamps exactly', () => {
		expect(sinceOf('2026-11-28T06:40:01.000000042Z')).toBe(`${Date.UTC(2026, 10, 28, 6, 40, 1) / 1000}.000000042`);
		expect(sinceOf('2026-11-28T06:40:01Z')).toBe(`${Date.UTC(2026, 10, 28, 6, 40, 1) / 1000}.000000000`);
		expect(sinceOf('yesterday')).toBeNull();
		expect(timestampNanos('2026-11-28T06:40:01.000000042Z')! - timestampNanos('2026-11-28T06:40:01.000000041Z')!).toBe(1n);
	});
});

describe('ordering engine timestamps', () => {
	it('orders the engine\'s fixed form as text and any other form by value', async () => {
		const {compareTimestamps} = await import('../../../source/sources/http-log/docker-stream.js');
		expect(compareTimestamps('2026-11-28T06:40:01.000000042Z', '2026-11-28T06:40:01.000000041Z')).toBe(1);
		expect(compareTimestamps('2026-11-28T06:40:01.000000042Z', '2026-11-28T06:40:01.000000042Z')).toBe(0);
		expect(compareTimestamps('2026-11-28T07:40:01.5+01:00', '2026-11-28T06:40:01.000000042Z')).toBe(1);
		expect(compareTimestamps('2026-11-28T06:40:01Z', '2026-11-28T06:40:01.000000001Z')).toBe(-1);
	});
});
