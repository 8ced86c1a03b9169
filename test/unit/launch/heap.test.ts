// The launch's heap settings: when they apply, and that V8 really keeps the young generation small with them
// (run in a child process, so this test's own heap is left alone).
import {execFile} from 'node:child_process';
import {promisify} from 'node:util';
import {describe, expect, it} from 'vitest';
import {heapFlagsFor, launchFlags, runningFlags, tuneHeap} from '../../../source/launch/heap.js';

const run = promisify(execFile);
const v8Version = process.versions.v8;
const plain = {execArgv: [], env: {}, v8Version};

describe('heapFlagsFor', () => {
	it('at launch keeps the young generation at its initial size; once running, favours size', () => {
		expect(heapFlagsFor('launch', plain)).toEqual(['--semi-space-growth-factor=1']);
		expect(heapFlagsFor('running', plain)).toEqual(['--optimize-for-size']);
	});

	it('leaves the young generation alone when node was given its size, on its command line or in NODE_OPTIONS', () => {
		expect(heapFlagsFor('launch', {...plain, execArgv: ['--max-semi-space-size=8']})).toEqual([]);
		expect(heapFlagsFor('launch', {...plain, execArgv: ['--min_semi_space_size=2']})).toEqual([]);
		expect(heapFlagsFor('launch', {...plain, env: {NODE_OPTIONS: '--enable-source-maps --max-semi-space-size=4'}})).toEqual([]);
		expect(heapFlagsFor('launch', {...plain, execArgv: ['--semi-space-growth-factor=2']})).toEqual([]);
		// The other phase's flag is still applied.
		expect(heapFlagsFor('running', {...plain, execArgv: ['--max-semi-space-size=8']})).toEqual(runningFlags);
	});

	it('leaves --optimize-for-size to the user who gave it either way', () => {
		expect(heapFlagsFor('running', {...plain, execArgv: ['--no-optimize-for-size']})).toEqual([]);
		expect(heapFlagsFor('running', {...plain, env: {NODE_OPTIONS: '--optimize_for_size'}})).toEqual([]);
		expect(heapFlagsFor('launch', {...plain, execArgv: ['--no-optimize-for-size']})).toEqual(launchFlags);
	});

	it('other node flags do not count', () => {
		const context = {execArgv: ['--max-old-space-size=512', '--enable-source-maps'], env: {NODE_OPTIONS: '--inspect'}, v8Version};
		expect(heapFlagsFor('launch', context)).toEqual(launchFlags);
		expect(heapFlagsFor('running', context)).toEqual(runningFlags);
	});

	it('VA_TOP_V8_DEFAULTS keeps V8’s defaults', () => {
		expect(heapFlagsFor('launch', {...plain, env: {VA_TOP_V8_DEFAULTS: '1'}})).toEqual([]);
		expect(heapFlagsFor('running', {...plain, env: {VA_TOP_V8_DEFAULTS: '1'}})).toEqual([]);
	});

	it('only on V8 versions known to have the flags (an unknown one makes V8 print an error)', () => {
		expect(heapFlagsFor('launch', {...plain, v8Version: '11.3.244.8-node.33'})).toEqual(launchFlags);
		expect(heapFlagsFor('launch', {...plain, v8Version: '99.1.0'})).toEqual([]);
		expect(heapFlagsFor('running', {...plain, v8Version: 'not a version'})).toEqual([]);
	});

	it('tuneHeap hands each flag to V8', () => {
		const given: string[] = [];
		expect(tuneHeap('launch', plain, flag => given.push(flag))).toEqual(launchFlags);
		expect(tuneHeap('running', plain, flag => given.push(flag))).toEqual(runningFlags);
		expect(given).toEqual([...launchFlags, ...runningFlags]);
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

	it.skipIf(heapFlagsFor('launch', plain).length === 0)('the young generation stays at most 2 MB with the launch flags, where V8 alone grows it past 8 MB', async () => {
		expect(await youngMb([])).toBeGreaterThan(8);
		expect(await youngMb(launchFlags)).toBeLessThanOrEqual(2);
	});

	it.skipIf(heapFlagsFor('running', plain).length === 0)('V8 accepts the running flags without a word on stderr', async () => {
		const {stderr} = await run(process.execPath, ['--input-type=module', '-e', `import v8 from 'node:v8'; for (const flag of ${JSON.stringify([...launchFlags, ...runningFlags])}) v8.setFlagsFromString(flag);`], {env: {...process.env, NODE_OPTIONS: ''}});
		expect(stderr).toBe('');
	});
});
