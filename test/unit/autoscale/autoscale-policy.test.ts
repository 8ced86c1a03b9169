// The autoscale policy, rule by rule, on readings one second apart: the runbook's thresholds, the sustains, the
// cooldown, the safety rules, and loads that go up and down without making the count go up and down.
import {describe, expect, it} from 'vitest';
import {
	defaultAutoscaleSettings,
	initialAutoscaleState,
	noteScale,
	spanText,
	stepAutoscale,
	type AutoscaleDecision,
	type AutoscaleInput,
	type AutoscaleSettings,
	type AutoscaleState,
} from '../../../source/core/autoscale-policy.js';

const settings: AutoscaleSettings = {...defaultAutoscaleSettings, min: 2, max: 10, dbThreshold: 80};

function input(at: number, running: number, cpu: number | null, extra: Partial<AutoscaleInput> = {}): AutoscaleInput {
	return {
		now: at,
		running,
		cpuPercent: cpu,
		triggers: [],
		immediate: [],
		unknown: [],
		db: {connections: 3, max: 100},
		newest: {name: `web-${running}`, healthy: true, health: 'healthy'},
		busy: null,
		...extra,
	};
}

interface Run {
	state: AutoscaleState;
	decisions: Array<{at: number; decision: AutoscaleDecision}>;
	/** Counts after each act, in order. */
	acts: Array<{at: number; from: number; to: number}>;
	count: number;
}

/**
 * Feeds one reading a second from `from` to `to` (seconds); `cpu(t, count)` is the average at that moment. When
 * `apply` is set the decision is carried out as the autoscaler would (the count changes at once, the new instance
 * healthy), so a load model can react to the count.
 */
function simulate(options: {seconds: number; count: number; cpu: (t: number, count: number) => number | null; apply?: boolean; extra?: (t: number) => Partial<AutoscaleInput>; config?: Partial<AutoscaleSettings>; run?: Run}): Run {
	const config = {...settings, ...options.config};
	const run: Run = options.run ?? {state: initialAutoscaleState, decisions: [], acts: [], count: options.count};
	const start = run.decisions.length === 0 ? 0 : run.decisions.at(-1)!.at / 1000 + 1;
	for (let t = start; t < start + options.seconds; t++) {
		const at = t * 1000;
		const step = stepAutoscale(run.state, input(at, run.count, options.cpu(t, run.count), options.extra?.(t)), config);
		run.state = step.state;
		run.decisions.push({at, decision: step.decision});
		if (options.apply && step.decision.act && step.decision.to !== null && step.decision.from !== null) {
			run.acts.push({at, from: step.decision.from, to: step.decision.to});
			run.count = step.decision.to;
			run.state = noteScale(run.state, at);
		}
	}

	return run;
}

const at = (run: Run, seconds: number) => run.decisions.find(entry => entry.at === seconds * 1000)!.decision;

describe('scale-up: average CPU over 70 % for the whole interval', () => {
	it('previews the step with its clock, then acts at the evaluation where it has held 60 s', () => {
		const run = simulate({seconds: 61, count: 3, cpu: () => 76});
		expect(at(run, 20)).toMatchObject({kind: 'up', from: 3, to: 4, etaMs: 40_000, ready: false, act: false});
		expect(at(run, 20).text).toBe('would scale up 3 → 4 in 40 s (avg CPU 76 % > 70 % for 20 s of 60 s)');
		expect(at(run, 59).act).toBe(false);
		expect(at(run, 60)).toMatchObject({kind: 'up', from: 3, to: 4, etaMs: 0, ready: true, act: true, evaluation: true});
		expect(at(run, 60).text).toBe('would scale up 3 → 4 now (avg CPU 76 % > 70 % for 60 s of 60 s)');
	});

	it('one reading back under the threshold starts the clock again', () => {
		const run = simulate({seconds: 130, count: 3, cpu: t => (t === 45 ? 69 : 76)});
		expect(at(run, 60)).toMatchObject({kind: 'up', act: false});
		expect(at(run, 60).text).toContain('for 15 s of 60 s');
		// Held 60 s again at 105 s, but decisions are taken every 60 s: at 120 s.
		expect(at(run, 105)).toMatchObject({kind: 'up', ready: true, act: false, etaMs: 15_000});
		expect(at(run, 120)).toMatchObject({act: true});
	});

	it('exactly at the threshold is not over it (strictly above, as va-autoscale)', () => {
		const run = simulate({seconds: 200, count: 3, cpu: () => 70});
		expect(run.decisions.every(entry => entry.decision.kind === 'hold')).toBe(true);
		expect(at(run, 100).text).toBe('holding at 3 (avg CPU 70 % between 30 % and 70 %)');
	});

	it('never more than one step, however hot', () => {
		const run = simulate({seconds: 61, count: 3, cpu: () => 400});
		expect(at(run, 60)).toMatchObject({from: 3, to: 4, act: true});
	});

	it('a longer --scale-up-sustain waits for it; the ETA is the first evaluation after it', () => {
		const run = simulate({seconds: 181, count: 3, cpu: () => 90, config: {upSustainMs: 90_000}});
		expect(at(run, 60).act).toBe(false);
		expect(at(run, 100)).toMatchObject({ready: true, act: false, etaMs: 20_000});
		expect(at(run, 120).act).toBe(true);
	});

	it('at --max it says so instead of scaling', () => {
		const run = simulate({seconds: 61, count: 10, cpu: () => 95});
		expect(at(run, 60)).toMatchObject({kind: 'blocked', act: false});
		expect(at(run, 60).text).toBe('would scale up but already at --max 10 (avg CPU 95 % > 70 %)');
	});
});

describe('scale-down: average CPU under 30 % for 5 minutes', () => {
	it('waits the whole down-sustain, then one step', () => {
		const run = simulate({seconds: 301, count: 4, cpu: () => 12});
		expect(at(run, 100).text).toBe('would scale down 4 → 3 in 3m20s (avg CPU 12 % < 30 % for 1m40s of 5m)');
		expect(at(run, 240).act).toBe(false);
		expect(at(run, 300)).toMatchObject({kind: 'down', from: 4, to: 3, act: true});
	});

	it('holds at --min', () => {
		const run = simulate({seconds: 400, count: 2, cpu: () => 5});
		expect(run.decisions.some(entry => entry.decision.act)).toBe(false);
		expect(at(run, 350).text).toBe('holding at --min 2 (avg CPU 5 % < 30 %)');
	});

	it('never while an IMMEDIATE concern holds anywhere', () => {
		const run = simulate({seconds: 400, count: 4, cpu: () => 10, extra: () => ({immediate: ['database']})});
		expect(run.decisions.some(entry => entry.decision.act)).toBe(false);
		expect(at(run, 300)).toMatchObject({kind: 'blocked', from: 4, to: 3});
		expect(at(run, 300).text).toBe('would not scale down: IMMEDIATE on database');
	});

	it('not when one fewer would put the average over the scale-up threshold (it would be undone)', () => {
		const run = simulate({seconds: 400, count: 3, cpu: () => 45, config: {scaleDownAt: 50, scaleUpAt: 60}});
		expect(run.decisions.some(entry => entry.decision.act)).toBe(false);
		expect(at(run, 300).text).toBe('would not scale down: avg CPU would be 68 % on 2, over the 60 % scale-up threshold');
	});
});

describe('the cooldown after any scale', () => {
	it('holds for --autoscale-cooldown after an act, then until the new instance is healthy', () => {
		const run = simulate({seconds: 61, count: 3, cpu: () => 90, apply: true});
		expect(run.acts).toEqual([{at: 60_000, from: 3, to: 4}]);
		// The new instance is still starting when the 3 minutes are over.
		simulate({
			seconds: 240,
			count: 4,
			cpu: () => 90,
			apply: true,
			run,
			extra: t => ({newest: {name: 'web-4', healthy: t >= 280, health: t >= 280 ? 'healthy' : 'starting'}}),
		});
		// The cooldown runs from the reading that saw the new count (61 s).
		expect(at(run, 140).text).toBe('holding (cooldown 1m41s, then until web-4 is healthy; then would scale up 4 → 5: avg CPU 90 % > 70 %)');
		expect(at(run, 250).text).toBe('holding (cooldown: until web-4 is healthy, now starting; then would scale up 4 → 5: avg CPU 90 % > 70 %)');
		expect(at(run, 250).kind).toBe('hold');
		// Healthy at 280 s; the condition has held since the scale, so the next evaluation acts.
		expect(run.acts).toEqual([
			{at: 60_000, from: 3, to: 4},
			{at: 300_000, from: 4, to: 5},
		]);
	});

	it('a count changed by someone else (an operator, Compose) starts the cooldown too', () => {
		const run = simulate({seconds: 30, count: 3, cpu: () => 50});
		run.count = 5;
		simulate({seconds: 10, count: 5, cpu: () => 50, run});
		expect(at(run, 35).text).toBe('holding (cooldown 2m55s; avg CPU 50 % between 30 % and 70 %)');
	});

	it('noteScale (an operator action that changed nothing) pauses it for the cooldown as well', () => {
		const run = simulate({seconds: 30, count: 3, cpu: () => 90});
		run.state = noteScale(run.state, 29_000);
		simulate({seconds: 5, count: 3, cpu: () => 90, run});
		expect(at(run, 30).text).toMatch(/^holding \(cooldown 2m59s; then would scale up 3 → 4/);
	});
});

describe('the connection budget and unknown sources', () => {
	it('no scale-up that would take the database past --db-immediate: the projection is in the reason', () => {
		// 39 connections on 3 instances: 13 each, so ~52 of 50 with a fourth.
		const run = simulate({seconds: 61, count: 3, cpu: () => 85, extra: () => ({db: {connections: 39, max: 50}})});
		expect(at(run, 60)).toMatchObject({kind: 'blocked', from: 3, to: 4, act: false});
		expect(at(run, 60).text).toBe('would scale up 3 → 4 but the database would be at 104 % of max_connections (~52 of 50, over --db-immediate 80 %)');
	});

	it('within the budget the same load scales', () => {
		const run = simulate({seconds: 61, count: 3, cpu: () => 85, extra: () => ({db: {connections: 24, max: 50}})});
		expect(at(run, 60).act).toBe(true);
	});

	it('nothing while Docker is not assessed', () => {
		const run = simulate({seconds: 61, count: 3, cpu: () => 90, extra: () => ({unknown: [{source: 'docker', reason: 'connection refused', blocks: 'both'}]})});
		expect(run.decisions.every(entry => entry.decision.kind === 'blocked' && !entry.decision.act)).toBe(true);
		expect(at(run, 60).text).toBe('not acting: docker is not assessed (connection refused)');
	});

	it('no scale-up while PostgreSQL (the budget) is not assessed; a Redis outage stops only a scale-down', () => {
		const pgDown = simulate({seconds: 61, count: 3, cpu: () => 90, extra: () => ({db: null, unknown: [{source: 'postgres', reason: 'too many clients', blocks: 'both'}]})});
		expect(at(pgDown, 60)).toMatchObject({kind: 'blocked', act: false});
		expect(at(pgDown, 60).text).toBe('would scale up 3 → 4 but postgres is not assessed (too many clients); not acting');

		const redisDown = (cpu: number) => simulate({seconds: 301, count: 4, cpu: () => cpu, extra: () => ({unknown: [{source: 'redis', reason: 'connection refused', blocks: 'down'}]})});
		expect(at(redisDown(90), 60).act).toBe(true);
		expect(at(redisDown(10), 300)).toMatchObject({kind: 'blocked', act: false});
	});

	it('no CPU reading yet: holds, and the clock starts only with the readings', () => {
		const run = simulate({seconds: 121, count: 3, cpu: t => (t < 30 ? null : 90)});
		expect(at(run, 10).text).toBe('holding: no CPU reading yet');
		expect(at(run, 60).act).toBe(false);
		expect(at(run, 120).act).toBe(true);
	});

	it('while an action is in progress it only holds', () => {
		const run = simulate({seconds: 61, count: 3, cpu: () => 90, extra: () => ({busy: 'drain of web-2'})});
		expect(at(run, 60)).toMatchObject({kind: 'hold', act: false});
		expect(at(run, 60).text).toBe('holding: drain of web-2 in progress');
	});
});

describe('other triggers (--scale-up-on)', () => {
	it('memory over its threshold calls for a scale-up when configured, and is ignored when not', () => {
		const memory = [{trigger: 'memory' as const, over: true, text: 'avg memory 82 % > 70 %'}];
		const on = simulate({seconds: 61, count: 3, cpu: () => 40, config: {triggers: ['cpu', 'memory']}, extra: () => ({triggers: memory})});
		expect(at(on, 60)).toMatchObject({kind: 'up', act: true});
		expect(at(on, 30).text).toBe('would scale up 3 → 4 in 30 s (avg memory 82 % > 70 % for 30 s of 60 s)');
		const off = simulate({seconds: 61, count: 3, cpu: () => 40, extra: () => ({triggers: memory})});
		expect(at(off, 60).kind).toBe('hold');
	});

	it('a trigger that is not assessed stops a scale-down on CPU alone', () => {
		const latency = [{trigger: 'latency' as const, over: null, text: 'p95 latency is not measured'}];
		const run = simulate({seconds: 301, count: 4, cpu: () => 10, config: {triggers: ['cpu', 'latency']}, extra: () => ({triggers: latency})});
		expect(run.decisions.some(entry => entry.decision.act)).toBe(false);
		expect(at(run, 300)).toMatchObject({kind: 'blocked', from: 4, to: 3});
		expect(at(run, 300).text).toBe('would not scale down: p95 latency is not measured (avg CPU 10 % < 30 %)');
	});
});

describe('loads that go up and down do not make the count go up and down', () => {
	/** A load model: the service needs `demand` % of one instance in all; the average is demand / count. */
	const share = (demand: (t: number) => number) => (t: number, count: number) => demand(t) / count;

	it('CPU swinging across 70 % every 20 s never scales', () => {
		const run = simulate({seconds: 3600, count: 3, cpu: t => (Math.floor(t / 20) % 2 === 0 ? 85 : 60), apply: true});
		expect(run.acts).toEqual([]);
	});

	it('noise around the threshold (a seeded ±15 %) never scales either way', () => {
		let seed = 42;
		const random = () => {
			seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
			return seed / 2 ** 31;
		};

		const up = simulate({seconds: 3600, count: 3, cpu: () => 70 + (random() - 0.5) * 30, apply: true});
		const down = simulate({seconds: 3600, count: 3, cpu: () => 30 + (random() - 0.5) * 30, apply: true});
		expect(up.acts).toEqual([]);
		expect(down.acts).toEqual([]);
	});

	it('a demand that alternates between busy and quiet every 2 minutes adds one instance and keeps it', () => {
		// 225 % (75 % on 3) for 2 minutes, then 75 % (25 % on 3), and again, for an hour.
		const run = simulate({seconds: 3600, count: 3, cpu: share(t => (Math.floor(t / 120) % 2 === 0 ? 225 : 75)), apply: true});
		expect(run.acts.map(act => [act.from, act.to])).toEqual([[3, 4]]);
	});

	it('a demand that rises, stays and falls scales up step by step, then down step by step, never reversing in between', () => {
		// 150 % → 600 % over 20 minutes, held 20 minutes, back to 150 % and held.
		const demand = (t: number) => (t < 1200 ? 150 + (450 * t) / 1200 : t < 2400 ? 600 : t < 3600 ? 600 - (450 * (t - 2400)) / 1200 : 150);
		const run = simulate({seconds: 7200, count: 2, cpu: share(demand), apply: true});
		const directions = run.acts.map(act => Math.sign(act.to - act.from));
		const reversals = directions.filter((direction, index) => index > 0 && direction !== directions[index - 1]).length;
		expect(reversals).toBe(1);
		expect(Math.max(...run.acts.map(act => act.to))).toBeGreaterThanOrEqual(9);
		// Every step respects the cooldown.
		for (let i = 1; i < run.acts.length; i++) expect(run.acts[i]!.at - run.acts[i - 1]!.at).toBeGreaterThanOrEqual(settings.cooldownMs);
		// And stops where 150 % no longer reads under 30 %: 150/5 = 30 % (150/6 = 25 % was).
		expect(run.count).toBe(5);
	});
});

describe('words', () => {
	it('spans: seconds up to a minute, then minutes', () => {
		expect(spanText(40_000)).toBe('40 s');
		expect(spanText(60_000)).toBe('60 s');
		expect(spanText(80_000)).toBe('1m20s');
		expect(spanText(300_000)).toBe('5m');
		expect(spanText(39_200)).toBe('40 s');
	});
});
