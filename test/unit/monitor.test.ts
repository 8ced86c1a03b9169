import {describe, expect, it} from 'vitest';
import {seriesKey} from '../../source/core/history.js';
import {createMonitor} from '../../source/core/monitor.js';
import {defaultThresholds} from '../../source/core/thresholds.js';
import {instance, snapshot, sources} from '../support/snapshots.js';

describe('monitor tick', () => {
	it('logs a breach when it begins and when it ends', () => {
		const monitor = createMonitor({sources, thresholds: defaultThresholds});
		monitor.tick(snapshot({at: 1000}));
		const breach = monitor.tick(snapshot({at: 2000, db: {connections: 90, max: 100}}));
		expect(breach.assessment.level).toBe('IMMEDIATE');
		expect(breach.events.at(-1)).toMatchObject({at: 2000, level: 'IMMEDIATE', key: 'database.connections'});
		const ended = monitor.tick(snapshot({at: 3000}));
		expect(ended.events.at(-1)).toMatchObject({at: 3000, level: 'OK', key: 'database.connections'});
		expect(ended.events.at(-1)!.text).toContain('ended');
	});

	it('stores each instance reading once, however often it ticks', () => {
		const monitor = createMonitor({sources, thresholds: defaultThresholds});
		const same = snapshot({instances: [instance('web-1', 40, 20)]});
		monitor.tick(same);
		monitor.tick({...same, at: 2000});
		expect(monitor.history.values(seriesKey.instanceCpu('id-web-1'), 0)).toEqual([40]);
		expect(monitor.history.values(seriesKey.source('postgres', 'ratio'), 0)).toEqual([10]);
	});

	it('shows logged actions in the next frame, and keeps the log bounded', () => {
		const monitor = createMonitor({sources, thresholds: defaultThresholds, eventCapacity: 3});
		for (let i = 0; i < 5; i++) monitor.log({at: i, level: 'INFO', key: 'action:test', text: `action ${i}`});
		const frame = monitor.tick(snapshot());
		expect(frame.events.map(event => event.text)).toEqual(['action 2', 'action 3', 'action 4']);
	});

	it('gives every frame a new identity and tick number', () => {
		const monitor = createMonitor({sources, thresholds: defaultThresholds});
		const a = monitor.tick(snapshot());
		const b = monitor.tick(snapshot());
		expect(b).not.toBe(a);
		expect(b.tick).toBe(a.tick + 1);
	});
});
