// The cgroup reader's files kept open between readings: fresh content on every read, one descriptor per file, and
// descriptors let go of when their file stops being read or fails.
import {mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {keptFiles} from '../../source/sources/docker/cgroup-reader.js';

let dir: string;
beforeEach(() => {
	dir = mkdtempSync(path.join(tmpdir(), 'va-top-kept-'));
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

const openDescriptors = () => readdirSync('/proc/self/fd').length;

describe('files kept open between readings', () => {
	it('reads what the file holds now, through one descriptor however often it is read', () => {
		const file = path.join(dir, 'cpu.stat');
		writeFileSync(file, 'usage_usec 100\n');
		const files = keptFiles();
		const before = openDescriptors();
		expect(files.read(file)).toBe('usage_usec 100\n');
		writeFileSync(file, 'usage_usec 250\n');
		for (let i = 0; i < 50; i++) files.read(file);
		expect(files.read(file)).toBe('usage_usec 250\n');
		expect(openDescriptors()).toBe(before + 1);
		files.close();
		expect(openDescriptors()).toBe(before);
	});

	it('closes the file of a container no longer read, and throws for one that is gone', () => {
		const gone = path.join(dir, 'gone');
		const busy = path.join(dir, 'busy');
		writeFileSync(gone, '1');
		writeFileSync(busy, '2');
		const files = keptFiles();
		files.read(gone);
		// Other files are read thousands of times meanwhile (a container read each second for an hour)
		for (let i = 0; i < 4000; i++) files.read(busy);
		expect(files.size()).toBe(1);
		rmSync(gone);
		expect(() => files.read(gone)).toThrow(/ENOENT/);
		files.close();
	});
});
