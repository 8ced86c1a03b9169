// The file tail against real files in a temporary directory: what logrotate and nginx do to an access log.
import {appendFileSync, closeSync, mkdtempSync, openSync, renameSync, rmSync, truncateSync, writeFileSync, writeSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {createFileTail, findStartOffset} from '../../../source/sources/http-log/file-tail.js';

const dir = mkdtempSync(path.join(tmpdir(), 'va-http-tail-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));
let files = 0;

function tailOf(file: string, startAt = () => 0) {
	const lines: string[] = [];
	const statuses: unknown[] = [];
	const restarts: string[] = [];
	const tail = createFileTail({
		path: file,
		sink: {line: (text) => lines.push(text), overlong: () => lines.push('<overlong>')},
		startAt,
		onStatus: (error) => statuses.push(error),
		onRestart: (reason) => restarts.push(reason),
	});
	return {tail, lines, statuses, restarts};
}

const fresh = () => path.join(dir, `access-${files++}.log`);

describe('following an access-log file', () => {
	it('reads appended lines and keeps a half-written line until its newline comes', () => {
		const file = fresh();
		writeFileSync(file, 'one\ntw');
		const {tail, lines} = tailOf(file);
		tail.poll();
		expect(lines).toEqual(['one']);
		appendFileSync(file, 'o\nthree\n');
		tail.poll();
		expect(lines).toEqual(['one', 'two', 'three']);
		tail.stop();
	});

	it('begins where startAt says in the first file', () => {
		const file = fresh();
		writeFileSync(file, 'old\nnew\n');
		const {tail, lines} = tailOf(file, () => 4);
		tail.poll();
		expect(lines).toEqual(['new']);
		tail.stop();
	});

	it('survives a rotation: the old file to its end (and what nginx still writes there), then the new one from its start', () => {
		const file = fresh();
		writeFileSync(file, 'a1\n');
		const {tail, lines, restarts} = tailOf(file);
		tail.poll();
		// logrotate renames; nginx still holds the old file and writes on.
		renameSync(file, `${file}.1`);
		appendFileSync(`${file}.1`, 'a2\n');
		tail.poll();
		expect(lines).toEqual(['a1', 'a2']);
		// `nginx -s reopen`: a new file; a worker's last write still lands in the old one.
		writeFileSync(file, 'b1\n');
		const old = openSync(`${file}.1`, 'a');
		tail.poll();
		writeSync(old, 'a3\n');
		closeSync(old);
		appendFileSync(file, 'b2\n');
		tail.poll();
		expect([...lines].sort()).toEqual(['a1', 'a2', 'a3', 'b1', 'b2']);
		expect(lines.filter((line) => line.startsWith('b'))).toEqual(['b1', 'b2']);
		expect(restarts).toEqual(['rotated']);
		tail.stop();
	});

	it('survives a truncation (copytruncate): reads the file again from its start', () => {
		const file = fresh();
		writeFileSync(file, 'x1\nx2\n');
		const {tail, lines, restarts} = tailOf(file);
		tail.poll();
		truncateSync(file, 0);
		appendFileSync(file, 'y1\n');
		tail.poll();
		expect(lines).toEqual(['x1', 'x2', 'y1']);
		expect(restarts).toEqual(['truncated']);
		tail.stop();
	});

	it('says why while the file is missing, and reads it once it is there', () => {
		const file = fresh();
		const {tail, lines, statuses} = tailOf(file);
		tail.poll();
		expect((statuses.at(-1) as NodeJS.ErrnoException).code).toBe('ENOENT');
		writeFileSync(file, 'late\n');
		tail.poll();
		expect(statuses.at(-1)).toBeNull();
		expect(lines).toEqual(['late']);
		tail.stop();
	});

	it('reads a backlog larger than one poll\'s budget, a huge line skipped on the way', async () => {
		const file = fresh();
		const line = `${'x'.repeat(200)}\n`;
		writeFileSync(file, `${line.repeat(50_000)}${'h'.repeat(200_000)}\n${line.repeat(10_000)}end\n`);
		const {tail, lines} = tailOf(file);
		tail.start();
		const deadline = Date.now() + 10_000;
		while (lines.at(-1) !== 'end' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
		tail.stop();
		expect(lines).toHaveLength(60_002);
		expect(lines.filter((text) => text === '<overlong>')).toHaveLength(1);
	});
});

describe('where the window begins in a large log', () => {
	it('finds the first line at or after the window start by bisection', () => {
		const file = fresh();
		const lines: string[] = [];
		for (let second = 0; second < 20_000; second++) lines.push(`{"msec":"${1_000_000 + second}.000","status":"200"}`);
		writeFileSync(file, `${lines.join('\n')}\n`);
		const text = lines.join('\n') + '\n';
		const bytes = Buffer.from(text);
		const read = (offset: number, length: number) => bytes.subarray(offset, offset + length);
		const timeOf = (line: string) => {
			const match = /"msec":"(\d+)/.exec(line);
			return match ? Number(match[1]) * 1000 : null;
		};
		const offset = findStartOffset(read, bytes.length, (1_000_000 + 19_940) * 1000, timeOf);
		const rest = text.slice(offset).trimEnd().split('\n');
		// At or before the window's first line (bisection lands within one block), never after it.
		expect(rest.length).toBeGreaterThanOrEqual(60);
		expect(rest.length).toBeLessThan(60 + 2000);
		expect(rest[0]!.startsWith('{"msec"')).toBe(true);
		expect(findStartOffset(read, bytes.length, 0, timeOf)).toBe(0);
	});
});
