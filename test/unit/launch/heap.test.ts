// The launch's heap setting: when it applies, and that V8 really keeps the young generation small with it (run in
// a child process, so this test's own heap is left alone).
import {execFile} from 'node:child_process';
import {promisify} from 'node:util';
import {describe, expect, it} from 'vitest';
import {heapFlags, heapFlagsFor, tuneHeap} from '../../../source/launch/heap.js';

const run = promisify(execFile);
const v8Version = process.versions.v8;

describe('heapFlagsFor', () => {
	it('keeps the young generation at its initial size by default', () => {
		expect(heapFlagsFor({execArgv: [], env: {}, v8Version})).toEqual(['--semi-space-growth-factor=1']);
	});

	it('leaves the heap alone when node was given a young-generation size, on its command line or in NODE_OPTIONS', () => {
		expect(heapFlagsFor({execArgv: ['--max-semi-space-size=8'], env: {}, v8Version})).toEqual([]);
		expect(heapFlagsFor({execArgv: ['--min_semi_space_size=2'], env: {}, v8Version})).toEqual([]);
		expect(heapFlagsFor({execArgv: [], env: {NODE_OPTIONS: '--enable-source-maps --max-semi-space-size=4'}, v8Version})).toEqual([]);
		expect(heapFlagsFor({execArgv: ['--semi-space-growth-factor=2'], env: {}, v8Version})).toEqual([]);
	});

	it('other node flags do not count as a heap size', () => {
		expect(heapFlagsFor({execArgv: ['--max-old-space-size=512', '--enable-source-maps'], env: {NODE_OPTIONS: '--inspect'}, v8Version})).toEqual(heapFlags);
	});

	it('VA_TOP_V8_DEFAULTS keeps V8’s defaults', () => {
		expect(heapFlagsFor({execArgv: [], env: {VA_TOP_V8_DEFAULTS: '1'}, v8Version})).toEqual([]);
	});

	it('only on V8 versions known to have the flag (an unknown one makes V8 print an error)', () => {
		expect(heapFlagsFor({execArgv: [], env: {}, v8Version: '11.3.244.8-node.33'})).toEqual(heapFlags);
		expect(heapFlagsFor({execArgv: [], env: {}, v8Version: '99.1.0'})).toEqual([]);
		expect(heapFlagsFor({execArgv: [], env: {}, v8Version: 'not a version'})).toEqual([]);
	});

	it('tuneHeap hands each flag to V8', () => {
		const given: string[] = [];
		expect(tuneHeap({execArgv: [], env: {}, v8Version}, flag => given.push(flag))).toEqual(heapFlags);
		expect(given).toEqual([...heapFlags]);
	});
});

describe('in a real node process', () => {
	// Sets the flags as tuneHeap does, allocates ~300 MB of short-lived objects (some kept) and reports the young
	// generation's size.
	const script = (flags: readonly string[]) => `
		import v8 from 'node:v8';
		for (const flag of ${JSON.stringify(flags)}) v8.setFlagsFromString(flag);
		const kept = [];
		for (let i = 0; i < 3e6; i++) { const o = {i, list: [i, i + 1], text: 'x' + i}; if (i % 1000 === 0) kept.push(o); }
		const young = v8.getHeapSpaceStatistics().find(space => space.space_name === 'new_space');
		console.log(young.space_size / 1048576);
	`;
	const youngMb = async (flags: readonly string[]) => {
		const {stdout} = await run(process.execPath, ['--input-type=module', '-e', script(flags)], {env: {...process.env, NODE_OPTIONS: ''}});
		return Number(stdout.trim());
	};

	it.skipIf(heapFlagsFor({execArgv: [], env: {}, v8Version}).length === 0)('stays at most 2 MB with the flag, where V8 alone grows it past 8 MB', async () => {
		expect(await youngMb([])).toBeGreaterThan(8);
		expect(await youngMb(heapFlags)).toBeLessThanOrEqual(2);
	});
});
