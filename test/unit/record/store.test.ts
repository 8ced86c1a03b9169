// The history store as files on a real filesystem: written, torn, wrapped, damaged, read while written.
import {closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {encodeHeader, formatVersion, headerSize, regionOffsets, type StoreLayout} from '../../../source/record/store-format.js';
import {loadStore, loadStoreWithState, StoreError, StoreWriter} from '../../../source/record/store.js';

const identity = {project: 'varec', service: 'web', endpoints: ['unix:///var/run/docker.sock']};
// Small rings so a test wraps them in a few hundred readings.
const layout: StoreLayout = {keySlots: 64, keySlotSize: 128, coarseBucketMs: 60_000, fineBytes: 8192, coarseBytes: 4096, eventBytes: 2048};
const t0 = Date.UTC(2026, 10, 28, 6, 0, 0);

let dir: string;
let file: string;
beforeEach(() => {
	dir = mkdtempSync(path.join(tmpdir(), 'va-top-store-'));
	file = path.join(dir, 'history.vtr');
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

function writeReadings(writer: StoreWriter, from: number, count: number) {
	for (let i = from; i < from + count; i++) {
		const time = t0 + i * 1000;
		writer.appendReading(time, [
			{key: 'service:cpu', name: null, time, value: i % 100},
			{key: 'cpu:abc', name: 'varec-web-1', time: time - 120, value: 50 + (i % 7)},
		]);
	}
}

describe('the history store', () => {
	it('gives back what was written, with instance names, in time order', () => {
		// Given 30 readings of two series
		const writer = StoreWriter.open(file, identity, {layout, sync: false});
		writeReadings(writer, 0, 30);
		writer.appendEvents([{at: t0 + 5000, level: 'SOON', key: 'service.cpu', text: 'breach began'}]);
		writer.close();

		// When it is loaded
		const history = loadStore(file, {since: 0})!;

		// Then every reading is there, each at its own time
		const cpu = history.series.get('service:cpu')!;
		expect([...cpu.values]).toEqual(Array.from({length: 30}, (_, i) => i));
		expect(cpu.times[29]).toBe(t0 + 29_000);
		const instance = history.series.get('cpu:abc')!;
		expect(instance.name).toBe('varec-web-1');
		expect(instance.times[0]).toBe(t0 - 120);
		expect(history.events).toEqual([{at: t0 + 5000, level: 'SOON', key: 'service.cpu', text: 'breach began'}]);
		expect(history.from).toBe(t0 - 120);
		expect(history.to).toBe(t0 + 29_000);
		// And the file is the user's alone
		expect(statSync(file).mode & 0o777).toBe(0o600);
	});

	it('keeps a fixed size: old readings give way to new ones when the ring comes round', () => {
		const writer = StoreWriter.open(file, identity, {layout, sync: false});
		writeReadings(writer, 0, 1000);
		writer.close();
		expect(statSync(file).size).toBeLessThanOrEqual(regionOffsets(layout).end);

		const history = loadStore(file, {since: 0})!;
		const values = history.series.get('service:cpu')!.times;
		// The newest is there, the oldest went, and what is left is one unbroken run
		expect(values.at(-1)).toBe(t0 + 999_000);
		expect(values[0]).toBeGreaterThan(t0);
		for (let i = 1; i < values.length; i++) expect(values[i]! - values[i - 1]!).toBe(1000);

		// And writing more never grows the file past its layout
		const again = StoreWriter.open(file, identity, {layout, sync: false});
		writeReadings(again, 1000, 5000);
		again.close();
		expect(statSync(file).size).toBe(regionOffsets(layout).end - layout.eventBytes);
		expect(loadStore(file, {since: 0})!.series.get('service:cpu')!.times.at(-1)).toBe(t0 + 5999_000);
	});

	it('goes on from the state its own load found, and reads the file again when it changed since', () => {
		// Given a store loaded with the writer's state (the live monitor's start, under its lock)
		const first = StoreWriter.open(file, identity, {layout, sync: false});
		writeReadings(first, 0, 10);
		first.close();
		const {state} = loadStoreWithState(file, {since: 0})!;

		// When the writer resumes from that state: its readings follow on
		const resumed = StoreWriter.open(file, identity, {layout, sync: false, resume: state});
		writeReadings(resumed, 10, 5);
		resumed.close();
		expect(loadStore(file, {since: 0})!.series.get('service:cpu')!.times).toHaveLength(15);

		// And when another writer wrote after that load (the file grew), a writer given the stale state reads the
		// store again rather than writing over what it no longer knows
		const stale = loadStoreWithState(file, {since: 0})!.state;
		const other = StoreWriter.open(file, identity, {layout, sync: false});
		writeReadings(other, 15, 20);
		other.close();
		const late = StoreWriter.open(file, identity, {layout, sync: false, resume: stale});
		writeReadings(late, 35, 5);
		late.close();
		const times = loadStore(file, {since: 0})!.series.get('service:cpu')!.times;
		expect(times).toHaveLength(40);
		expect(times.at(-1)).toBe(t0 + 39_000);
	});

	it('keeps per-minute buckets (min, mean, max) for the hours the readings no longer reach', () => {
		const writer = StoreWriter.open(file, identity, {sync: false, layout: {...layout, fineBytes: 2048, coarseBytes: 8192}});
		writeReadings(writer, 0, 600);
		writer.close();
		const history = loadStore(file, {since: t0 + 590_000, bucketsSince: 0})!;
		const buckets = history.series.get('service:cpu')!.buckets;
		expect(buckets.map(bucket => bucket.start)).toEqual(Array.from({length: 10}, (_, i) => t0 + i * 60_000));
		expect(buckets[1]).toMatchObject({min: 0, max: 99});
		expect(buckets[1]!.mean).toBeCloseTo((3180 + 190) / 60, 3);
	});

	it('loses at most the torn last reading, and goes on writing after it', () => {
		// Given 50 readings, then a write torn in the middle (a crash)
		const writer = StoreWriter.open(file, identity, {layout, sync: false});
		writeReadings(writer, 0, 50);
		writer.close();
		const before = loadStore(file, {since: 0})!.series.get('service:cpu')!.times.length;
		const writer2 = StoreWriter.open(file, identity, {layout, sync: false});
		writeReadings(writer2, 50, 1);
		writer2.close();
		// Tear the last record: its second half never reached the disk.
		const bytes = readFileSync(file);
		const fine = regionOffsets(layout).fine;
		const ring = bytes.subarray(fine, fine + layout.fineBytes);
		let last = 0;
		for (let at = ring.indexOf(Buffer.from('VTAR', 'latin1')); at !== -1; at = ring.indexOf(Buffer.from('VTAR', 'latin1'), at + 1)) last = at;
		const length = ring.readUInt32LE(last + 4);
		const fd = openSync(file, 'r+');
		writeSync(fd, Buffer.alloc(length / 2, 0xee), 0, length / 2, fine + last + length / 2);
		closeSync(fd);

		// When it is loaded, the 50 whole readings are there and the torn one is not
		const loaded = loadStore(file, {since: 0})!;
		expect(loaded.series.get('service:cpu')!.times.length).toBe(before);
		expect(loaded.series.get('service:cpu')!.times.at(-1)).toBe(t0 + 49_000);

		// And a writer opened afterwards writes over the torn record and goes on
		const writer3 = StoreWriter.open(file, identity, {layout, sync: false});
		writeReadings(writer3, 51, 3);
		writer3.close();
		expect([...loadStore(file, {since: 0})!.series.get('service:cpu')!.times.slice(-4)]).toEqual([t0 + 49_000, t0 + 51_000, t0 + 52_000, t0 + 53_000]);
	});

	it('after a write torn anywhere, at any point of the ring, loads and has lost only that reading', () => {
		// A crash leaves part of the new record and, past it, what was there before: old bytes or zeros.
		let seed = 7;
		const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
		for (let trial = 0; trial < 40; trial++) {
			rmSync(file, {force: true});
			const count = 20 + Math.floor(random() * 400);
			const writer = StoreWriter.open(file, identity, {layout, sync: false});
			writeReadings(writer, 0, count - 1);
			const before = readFileSync(file);
			writeReadings(writer, count - 1, 1);
			writer.close();
			const after = readFileSync(file);
			// Keep a random prefix of what the last write changed; the rest stays as it was before it.
			const changed: number[] = [];
			for (let i = 0; i < after.length; i++) if (after[i] !== (before[i] ?? 0)) changed.push(i);
			const keep = Math.floor(random() * changed.length);
			const torn = Buffer.from(after);
			for (const index of changed.slice(keep)) torn[index] = before[index] ?? 0;
			writeFileSync(file, torn);

			const times = loadStore(file, {since: 0})!.series.get('service:cpu')!.times;
			expect(times.at(-1), `trial ${trial}: ${count} readings, ${keep}/${changed.length} bytes of the last written`).toBeGreaterThanOrEqual(t0 + (count - 2) * 1000);
			for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(1000);
			// And writing on from there works
			const next = StoreWriter.open(file, identity, {layout, sync: false});
			writeReadings(next, count, 1);
			next.close();
			expect(loadStore(file, {since: 0})!.series.get('service:cpu')!.times.at(-1)).toBe(t0 + count * 1000);
		}
	});

	it('is readable while it is being written', () => {
		const writer = StoreWriter.open(file, identity, {layout, sync: false});
		writeReadings(writer, 0, 10);
		expect(loadStore(file, {since: 0})!.series.get('service:cpu')!.times.length).toBe(10);
		writeReadings(writer, 10, 400);
		expect(loadStore(file, {since: 0})!.series.get('service:cpu')!.times.at(-1)).toBe(t0 + 409_000);
		writer.close();
	});

	it('refuses a record damaged in the middle as corrupt, and never writes to it', () => {
		const writer = StoreWriter.open(file, identity, {layout, sync: false});
		writeReadings(writer, 0, 40);
		writer.close();
		const fine = regionOffsets(layout).fine;
		const fd = openSync(file, 'r+');
		writeSync(fd, Buffer.from([0xff, 0xff]), 0, 2, fine + 300);
		closeSync(fd);
		const damaged = readFileSync(file);

		expect(() => loadStore(file, {since: 0})).toThrow(/history store .* is corrupt \(/);
		expect(() => StoreWriter.open(file, identity, {layout, sync: false})).toThrow(StoreError);
		expect(readFileSync(file).equals(damaged)).toBe(true);
	});

	it('refuses a file that is not a store, one from a newer va-top, one with a damaged header, and one of another stack', () => {
		writeFileSync(file, 'hello, I am a text file\n');
		expect(() => loadStore(file, {since: 0})).toThrow(/is not a va-top history store/);
		expect(() => StoreWriter.open(file, identity)).toThrow(/is not a va-top history store/);
		expect(readFileSync(file, 'utf8')).toBe('hello, I am a text file\n');

		const newer = encodeHeader({version: formatVersion + 1, layout, createdAt: t0, identity});
		writeFileSync(file, newer);
		expect(() => loadStore(file, {since: 0})).toThrow(/was written by a newer va-top \(store format 2; this one reads format 1\)/);

		const header = encodeHeader({version: formatVersion, layout, createdAt: t0, identity});
		header[100] ^= 0xff;
		writeFileSync(file, header);
		expect(() => loadStore(file, {since: 0})).toThrow(/is corrupt \(its header fails its checksum\)/);

		writeFileSync(file, encodeHeader({version: formatVersion, layout, createdAt: t0, identity: {...identity, project: 'other'}}));
		expect(() => StoreWriter.open(file, identity, {layout, sync: false})).toThrow(/belongs to another stack \(other\/web\)/);
		expect(statSync(file).size).toBe(headerSize);
	});

	it('reuses the name slot of a series no record refers to any more, once every slot is taken', () => {
		// Given four slots: three series seen once long ago, one recorded on until both rings came round
		const writer = StoreWriter.open(file, identity, {sync: false, layout: {...layout, keySlots: 4, fineBytes: 2048, coarseBytes: 1024}});
		writer.appendReading(t0, ['old:1', 'old:2', 'old:3'].map(key => ({key, name: null, time: t0, value: 1})));
		for (let i = 1; i < 3600; i++) writer.appendReading(t0 + i * 1000, [{key: 'service:cpu', name: null, time: t0 + i * 1000, value: i}]);

		// When a new series comes
		writer.appendReading(t0 + 3600_000, [{key: 'cpu:new', name: 'web-9', time: t0 + 3600_000, value: 42}]);
		writer.close();

		// Then it took a slot the old ones no longer needed
		expect(writer.droppedSeries).toBe(0);
		const history = loadStore(file, {since: 0})!;
		expect(history.series.get('cpu:new')).toMatchObject({name: 'web-9', values: Float64Array.from([42])});
		expect(history.series.get('service:cpu')!.values.at(-1)).toBe(3599);
	});

	it('drops a new series, and counts it, while every slot is still named by recorded data', () => {
		const writer = StoreWriter.open(file, identity, {sync: false, layout: {...layout, keySlots: 2}});
		writer.appendReading(t0, ['a', 'b', 'c'].map(key => ({key, name: null, time: t0, value: 1})));
		writer.close();
		expect(writer.droppedSeries).toBe(1);
		expect([...loadStore(file, {since: 0})!.series.keys()].sort()).toEqual(['a', 'b']);
	});
});
