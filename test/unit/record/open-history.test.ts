// A monitor restarted on a recorded stack: the hour it loads fills its charts and is not written to the store again.
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {resolveOptions} from '../../../source/config/options.js';
import type {MonitorFrame} from '../../../source/core/monitor.js';
import {openHistory, storeIdentity, storePaths} from '../../../source/record/open-history.js';
import {TappedHistory} from '../../../source/record/recorder.js';
import {loadStore, StoreWriter} from '../../../source/record/store.js';

let dir: string;
beforeEach(() => {
	dir = mkdtempSync(path.join(tmpdir(), 'va-top-open-history-'));
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

const frameAt = (at: number) => ({snapshot: {at, docker: {instances: [{id: 'abc', name: 'varec-web-1'}]}}, events: []}) as unknown as MonitorFrame;

describe('opening the recorded history for the live monitor', () => {
	it('seeds the charts with the recorded readings and records only the new ones', () => {
		// Given a store with two minutes of readings of one instance, ending just now
		const options = resolveOptions({project: 'varec', service: 'web', 'history-dir': dir}, {}, {});
		const now = Date.now();
		const writer = StoreWriter.open(storePaths(options).store, storeIdentity(options), {sync: false});
		for (let s = 120; s >= 1; s--) writer.appendReading(now - s * 1000, [{key: 'cpu:abc', name: 'varec-web-1', time: now - s * 1000, value: 90}]);
		writer.close();

		// When a live monitor opens it (and becomes the writer) and records one reading of its own
		const history = new TappedHistory();
		const opened = openHistory({options, role: 'live', history, seedCharts: true, secrets: [], now});
		expect(opened.recorder?.status().kind).toBe('recording');
		expect(history.values('cpu:abc', 0)).toHaveLength(120);
		history.push('cpu:abc', now + 500, 91);
		opened.recorder!.record(frameAt(now + 1000));
		opened.recorder!.close();

		// Then the store holds the 120 recorded readings and the new one: the loaded hour was not appended again
		const series = loadStore(storePaths(options).store, {since: 0})!.series.get('cpu:abc')!;
		expect(series.times).toHaveLength(121);
		expect(series.times.at(-1)).toBe(now + 500);
		expect([...series.values].filter(value => value === 91)).toHaveLength(1);
	});
});
