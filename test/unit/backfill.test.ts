// Recorded history into a fresh monitor: charts filled, and the sustained CPU rule's clock replayed from it.
import {describe, expect, it} from 'vitest';
import {replayedKey, replaySustain, seedHistory} from '../../source/core/backfill.js';
import {History} from '../../source/core/history.js';
import {createMonitor} from '../../source/core/monitor.js';
import {evaluate} from '../../source/core/rules.js';
import {emptyRecordedHistory, type RecordedHistory} from '../../source/core/recorded-history.js';
import {defaultThresholds} from '../../source/core/thresholds.js';
import type {StackSnapshot} from '../../source/core/types.js';

const now = Date.UTC(2026, 10, 28, 7, 0, 0);

/** `count` readings a second apart, ending `endAgo` ms before now. */
function recorded(series: Record<string, {name?: string; values: number[]; endAgo?: number; buckets?: Array<{ago: number; min: number; max: number}>}>): RecordedHistory {
	const history = emptyRecordedHistory('test');
	for (const [key, spec] of Object.entries(series)) {
		const end = now - (spec.endAgo ?? 1000);
		const times = spec.values.map((_, i) => end - (spec.values.length - 1 - i) * 1000);
		const buckets = (spec.buckets ?? []).map(bucket => ({start: now - bucket.ago, min: bucket.min, mean: (bucket.min + bucket.max) / 2, max: bucket.max}));
		history.series.set(key, {key, name: spec.name ?? null, times: Float64Array.from(times), values: Float64Array.from(spec.values), buckets});
		for (const time of [...times, ...buckets.map(bucket => bucket.start)]) {
			history.from = Math.min(history.from ?? time, time);
			history.to = Math.max(history.to ?? time, time);
		}
	}

	return history;
}

const over = (seconds: number, value = 90) => Array.from({length: seconds}, () => value);

describe('replaying the sustained CPU rule from recorded history', () => {
	it('dates a service breach from the start of its unbroken run up to now', () => {
		const history = recorded({'service:cpu': {values: [50, 60, ...over(724)]}});
		const replay = replaySustain(history, defaultThresholds, now, 1000);
		expect(replay.clock.get('service.cpu')?.overSince.IMMEDIATE).toBe(now - 1000 - 723_000);
		expect(replay.reachesNow).toBe(true);
		expect(replay.fromSeconds).toBe(726);
	});

	it('starts the run after a reading under the threshold, or after a gap when nothing was read', () => {
		const dip = recorded({'service:cpu': {values: [...over(300), 70, ...over(100)]}});
		expect(replaySustain(dip, defaultThresholds, now, 1000).clock.get('service.cpu')?.overSince.IMMEDIATE).toBe(now - 1000 - 99_000);

		const gap = recorded({'service:cpu': {values: over(100), buckets: [{ago: 3600_000, min: 95, max: 99}]}});
		expect(replaySustain(gap, defaultThresholds, now, 1000).clock.get('service.cpu')?.overSince.IMMEDIATE).toBe(now - 1000 - 99_000);
	});

	it('goes back through the minute buckets while their minimum stays over', () => {
		const history = recorded({'service:cpu': {values: over(30), endAgo: 1000, buckets: [{ago: 240_000, min: 75, max: 99}, {ago: 180_000, min: 85, max: 99}, {ago: 120_000, min: 85, max: 99}, {ago: 60_000, min: 82, max: 99}]}});
		// the readings begin 30 s ago, inside the last bucket; the run goes back to the first bucket whose minimum is over
		expect(replaySustain(history, defaultThresholds, now, 1000).clock.get('service.cpu')?.overSince.IMMEDIATE).toBe(now - 180_000);
	});

	it('has no clock when the recording stopped a while ago, or ends under the threshold', () => {
		expect(replaySustain(recorded({'service:cpu': {values: over(900), endAgo: 120_000}}), defaultThresholds, now, 1000).clock.size).toBe(0);
		expect(replaySustain(recorded({'service:cpu': {values: [...over(900), 40]}}), defaultThresholds, now, 1000).clock.size).toBe(0);
		const nothing = replaySustain(emptyRecordedHistory('none'), defaultThresholds, now, 1000);
		expect(nothing).toMatchObject({clock: new Map(), fromSeconds: null, reachesNow: false});
	});

	it("dates an instance's own breach by its name, only over the readings where the service average was not over", () => {
		const history = recorded({
			'service:cpu': {values: [...over(200), ...over(400, 40)]},
			'cpu:aaa': {name: 'varec-web-1', values: over(600, 97)},
			'cpu:bbb': {name: 'varec-web-2', values: over(600, 20)},
		});
		const replay = replaySustain(history, defaultThresholds, now, 1000);
		expect(replay.clock.get('instance.cpu:varec-web-1')?.overSince.IMMEDIATE).toBe(now - 1000 - 399_000);
		expect(replay.clock.has('instance.cpu:varec-web-2')).toBe(false);
		expect(replay.clock.has('service.cpu')).toBe(false);
	});

	it('keeps the run through a dip the hysteresis holds (within its margin, shorter than the hold), as the live judge does', () => {
		// 5 points of margin and a 30 s hold (the defaults): 77 % for 20 s is held, 77 % for 40 s or 70 % once is not
		const held = recorded({'service:cpu': {values: [...over(300), ...over(20, 77), ...over(100)]}});
		expect(replaySustain(held, defaultThresholds, now, 1000).clock.get('service.cpu')?.overSince.IMMEDIATE).toBe(now - 1000 - 419_000);
		const tooLong = recorded({'service:cpu': {values: [...over(300), ...over(40, 77), ...over(100)]}});
		expect(replaySustain(tooLong, defaultThresholds, now, 1000).clock.get('service.cpu')?.overSince.IMMEDIATE).toBe(now - 1000 - 99_000);
		const noMargin = recorded({'service:cpu': {values: [...over(300), ...over(20, 77), ...over(100)]}});
		expect(replaySustain(noMargin, {...defaultThresholds, hysteresis: 0}, now, 1000).clock.get('service.cpu')?.overSince.IMMEDIATE).toBe(now - 1000 - 99_000);
		// ending in a held dip: the breach stands, held since the dip began
		const endsHeld = replaySustain(recorded({'service:cpu': {values: [...over(300), ...over(10, 78)]}}), defaultThresholds, now, 1000).clock.get('service.cpu');
		expect(endsHeld).toMatchObject({level: 'IMMEDIATE', underSince: now - 1000 - 9000, overSince: {IMMEDIATE: now - 1000 - 309_000}});
	});

	it('judges history by the thresholds in force now, whatever they were when it was recorded', () => {
		const history = recorded({'service:cpu': {values: over(600, 85)}});
		// Under today's 90 %: a breach of the SOON rung only, with no sustain clock running.
		expect(replaySustain(history, {...defaultThresholds, cpuImmediate: 90}, now, 1000).clock.get('service.cpu')).toMatchObject({level: 'SOON', overSince: {SOON: now - 600_000}});
		expect(replaySustain(history, {...defaultThresholds, cpuImmediate: 90}, now, 1000).clock.get('service.cpu')?.overSince.IMMEDIATE).toBeUndefined();
		expect(replaySustain(history, {...defaultThresholds, cpuImmediate: 80}, now, 1000).clock.get('service.cpu')?.overSince.IMMEDIATE).toBe(now - 600_000);
	});
});

function snapshot(cpu: number): StackSnapshot {
	const instance = {id: 'aaa', name: 'varec-web-1', number: 1, state: 'running' as const, health: 'none' as const, restartCount: 0, startedAt: now - 3600_000, cpuPercent: cpu, memPercent: 10, memUsageBytes: 1, memLimitBytes: 10, sampledAt: now};
	return {
		at: now,
		project: 'varec',
		service: 'web',
		docker: {endpoint: 'unix:///var/run/docker.sock', status: {kind: 'ok', at: now}, instances: [instance]},
		sources: {},
	};
}

describe('a monitor started on recorded history', () => {
	it('is IMMEDIATE on its first reading when the breach began long enough before it started, and says so', () => {
		const history = recorded({'service:cpu': {values: over(724, 86)}, 'cpu:aaa': {name: 'varec-web-1', values: over(724, 86)}});
		const {clock} = replaySustain(history, defaultThresholds, now, 1000);
		const monitor = createMonitor({thresholds: defaultThresholds, clock, startedAt: now - 500});
		const frame = monitor.tick(snapshot(86));
		const concern = frame.assessment.concerns[0]!;
		expect(frame.assessment.level).toBe('IMMEDIATE');
		expect(concern.sustain).toMatchObject({heldSeconds: 724, requiredSeconds: 600, beforeStart: true});
		expect(concern.message).toBe('web average CPU 86% > 80% for 12m04s (since before va-top started): Scale application horizontally');
	});

	it('keeps the replayed clock through the first ticks that have no CPU figure yet, but not past its gap', () => {
		const history = recorded({'service:cpu': {values: over(724, 86)}});
		const replay = replaySustain(history, defaultThresholds, now, 1000);
		const noFigures = (at: number): StackSnapshot => {
			const base = snapshot(86);
			return {...base, at, docker: {...base.docker, instances: base.docker.instances.map(instance => ({...instance, cpuPercent: null}))}};
		};

		const monitor = createMonitor({thresholds: defaultThresholds, clock: replay.clock, clockValidUntil: replay.validUntil, startedAt: now - 500});
		monitor.tick(noFigures(now - 400));
		monitor.tick(noFigures(now - 300));
		expect(monitor.tick({...snapshot(86), at: now}).assessment.level).toBe('IMMEDIATE');

		const late = createMonitor({thresholds: defaultThresholds, clock: replay.clock, clockValidUntil: replay.validUntil, startedAt: now - 500});
		late.tick(noFigures(now + 30_000));
		expect(late.tick({...snapshot(86), at: now + 31_000}).assessment.level).toBe('SOON');
	});

	it('counts on from the recorded start when the breach is not yet long enough', () => {
		const {clock} = replaySustain(recorded({'service:cpu': {values: over(120, 86)}}), defaultThresholds, now, 1000);
		const frame = createMonitor({thresholds: defaultThresholds, clock, startedAt: now - 500}).tick(snapshot(86));
		expect(frame.assessment.level).toBe('SOON');
		expect(frame.assessment.concerns[0]!.message).toContain('for 2m (since before va-top started), IMMEDIATE at 10m');
	});
});

describe('--once on recorded history', () => {
	const once = (history: RecordedHistory, cpu: number, mem = 10) => {
		const replay = replaySustain(history, defaultThresholds, now, 1000);
		const data = snapshot(cpu);
		const hot = {...data, docker: {...data.docker, instances: data.docker.instances.map(instance => ({...instance, memPercent: mem}))}};
		return evaluate(hot, defaultThresholds, replay.clock, now, {oneShot: true, overHistory: replayedKey, startedAt: now - 500}).assessment;
	};

	it('judges the sustained CPU rule over the history, and every other threshold at once', () => {
		const long = once(recorded({'service:cpu': {values: over(724, 86)}, 'cpu:aaa': {name: 'varec-web-1', values: over(724, 86)}}), 86, 90);
		expect(long.concerns.map(concern => `${concern.key} ${concern.level}`)).toEqual(['service.cpu IMMEDIATE', 'service.memory IMMEDIATE']);
		expect(long.concerns[0]!.message).toBe('web average CPU 86% > 80% for 12m04s (since before va-top started): Scale application horizontally');
		expect(long.concerns[1]!.message).toBe('web average memory 90% > 85%: Scale application horizontally');
	});

	it('counts a breach the history does not show as just begun: SOON with its clock, not IMMEDIATE at once', () => {
		const calm = once(recorded({'service:cpu': {values: over(600, 40)}}), 86);
		expect(calm.level).toBe('SOON');
		expect(calm.concerns[0]!.message).toBe('web average CPU 86% > 80% for 0s, IMMEDIATE at 10m: Scale application horizontally');
	});
});

describe('filling the charts from recorded history', () => {
	it('takes the last hour, skips instances no longer recorded at the end, and fills older minutes from buckets', () => {
		const history = new History();
		const recordedHistory = recorded({
			'service:cpu': {values: over(600, 50), buckets: [{ago: 3000_000, min: 10, max: 60}, {ago: 7200_000, min: 1, max: 2}]},
			'cpu:alive': {name: 'web-1', values: over(600, 40)},
			'cpu:gone': {name: 'web-old', values: over(60, 40), endAgo: 900_000},
		});
		seedHistory(history, recordedHistory, now, 1000);
		expect(history.values('service:cpu', now - 3600_000)).toEqual([60, ...over(600, 50)]);
		expect(history.values('cpu:alive', 0)).toHaveLength(600);
		expect(history.values('cpu:gone', 0)).toEqual([]);
	});
});
