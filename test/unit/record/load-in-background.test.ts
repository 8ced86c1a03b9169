// The recorded hour read on a worker thread (the live monitor's start): the same answer as reading it here, the same
// refusal for a store that must not be touched, and the same answer when no thread can be started.
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {loadInBackground} from '../../../source/record/load-in-background.js';
import {replaySustain, seedHistory, sustainSeries} from '../../../source/core/backfill.js';
import {History} from '../../../source/core/history.js';
import {defaultThresholds} from '../../../source/core/thresholds.js';
import {loadStore, loadStoreWithState, StoreError, StoreWriter} from '../../../source/record/store.js';

// The thread runs compiled JavaScript: tsc's output of history-worker.ts (`npm test` builds first).
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const builtWorker = pathToFileURL(path.join(root, 'dist/source/record/history-worker.js'));
const identity = {project: 'varec', service: 'web', endpoints: ['unix:///var/run/docker.sock']};
const now = Date.now();

let dir: string;
let file: string;
beforeEach(() => {
	dir = mkdtempSync(path.join(tmpdir(), 'va-top-bg-load-'));
	file = path.join(dir, 'history.vtr');
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

function writeMinutes(minutes: number) {
	const writer = StoreWriter.open(file, identity, {sync: false});
	for (let s = minutes * 60; s >= 1; s--) {
		const at = now - s * 1000;
		writer.appendReading(at, [
			{key: 'service:cpu', name: null, time: at, value: s % 100},
			{key: 'cpu:abc', name: 'varec-web-1', time: at - 40, value: 90},
		]);
	}

	writer.appendEvents([{at: now - 5000, level: 'SOON', key: 'service.cpu', text: 'breach began'}]);
	writer.close();
}

const request = () => ({file, options: {since: now - 3600_000, bucketsSince: now - 24 * 3600_000}, expect: identity});

describe('loading the history on a worker thread', () => {
	it('gives what a load on this thread gives, with the writer’s state', async () => {
		expect(existsSync(fileURLToPath(builtWorker)), 'run `npm run build` first').toBe(true);
		writeMinutes(5);
		const here = loadStoreWithState(file, request().options, identity)!;
		const there = (await loadInBackground(request(), builtWorker))!;
		expect([...there.history.series.keys()].sort()).toEqual([...here.history.series.keys()].sort());
		expect([...there.history.series.get('cpu:abc')!.values]).toEqual([...here.history.series.get('cpu:abc')!.values]);
		expect([...there.history.series.get('service:cpu')!.times]).toEqual([...here.history.series.get('service:cpu')!.times]);
		expect(there.history.events).toEqual(here.history.events);
		expect(there.state.rings).toEqual(here.state.rings);
		expect(there.state.ino).toBe(here.state.ino);
	});

	it('refuses a store that is not ours as the load here does', async () => {
		writeFileSync(file, 'not a store at all, just some text\n'.repeat(200));
		const refusal = await loadInBackground(request(), builtWorker).catch((error: unknown) => error);
		expect(refusal).toBeInstanceOf(StoreError);
		expect((refusal as StoreError).kind).toBe('not-ours');
		expect((refusal as StoreError).message).toContain('is not a va-top history store');
	});

	it('answers the same when no thread can be started (no worker file)', async () => {
		writeMinutes(2);
		const loaded = (await loadInBackground(request(), pathToFileURL(path.join(dir, 'no-such-worker.js'))))!;
		expect(loaded.history.series.get('cpu:abc')!.values.length).toBe(120);
	});

	it('sends the recorder only the sustained rule’s clocks, replayed there as here', async () => {
		// Given five minutes of one instance at 90 % (under a 60 s sustain: IMMEDIATE)
		writeMinutes(5);
		const thresholds = {...defaultThresholds, cpuSustainSeconds: 60};
		const replay = {thresholds, now, intervalMs: 1000};
		const loaded = (await loadInBackground({...request(), options: {...request().options, sustainOnly: true}, replay, slim: {events: 20}}, builtWorker))!;
		const expected = replaySustain(loadStore(file, {since: now - 3600_000, bucketsSince: now - 24 * 3600_000, only: sustainSeries})!, thresholds, now, 1000);
		expect(loaded.replayed).toEqual(expected);
		expect(loaded.replayed!.clock.size).toBeGreaterThan(0);
		expect(loaded.history.series.size).toBe(0);
		expect(loaded.history.events).toHaveLength(1);
	});

	it('builds the live monitor’s chart rings there: the same as seeding them here', async () => {
		writeMinutes(3);
		const loaded = (await loadInBackground({...request(), seed: {capacity: 3600, now, intervalMs: 1000}, slim: {events: 100}}, builtWorker))!;
		const adopted = new History();
		adopted.adopt(loaded.seeded!);
		const seeded = new History();
		seedHistory(seeded, loadStore(file, {since: now - 3600_000, bucketsSince: now - 24 * 3600_000})!, now, 1000);
		expect(adopted.keys().sort()).toEqual(seeded.keys().sort());
		expect(adopted.samples('cpu:abc', 0)).toEqual(seeded.samples('cpu:abc', 0));
		expect(adopted.values('cpu:abc', 0)).toHaveLength(180);
	});

	it('finds no history where there is no store', async () => {
		expect(await loadInBackground(request(), builtWorker)).toBeNull();
	});
});
