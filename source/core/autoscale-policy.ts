// The runbook's va-autoscale as a pure policy, with the safety its bash loop lacks: a sustain per direction, a
// cooldown after any scale (and until the new instance is healthy), no scale-down while an IMMEDIATE holds, no
// scale-up past the database connection budget, nothing while a source it depends on is not assessed, one step at a
// time. One call per reading: the state it returns goes into the next call. No I/O, no clock of its own.
import {projectDbConnections} from './action-rules.js';
import {formatDuration} from './format.js';

/** What may call for a scale-up (--scale-up-on). CPU is the runbook's; the others where a source measures them. */
export const scaleTriggers = ['cpu', 'memory', 'latency', 'errors', 'queue'] as const;
export type ScaleTrigger = (typeof scaleTriggers)[number];

export interface AutoscaleSettings {
	/** Service average CPU % above which to scale up (--scale-up-at, the runbook's 70). */
	scaleUpAt: number;
	/** Service average CPU % below which to scale down (--scale-down-at, the runbook's 30). */
	scaleDownAt: number;
	min: number;
	max: number;
	/** Decisions are taken every this often (--autoscale-interval, the runbook's 60 s). */
	intervalMs: number;
	/** How long a scale-up condition must have held (--scale-up-sustain; default the interval). */
	upSustainMs: number;
	/** How long the scale-down condition must have held (--scale-down-sustain; default 5 min). */
	downSustainMs: number;
	/** No decision for this long after any scale (--autoscale-cooldown; default 3 min). */
	cooldownMs: number;
	/** The database IMMEDIATE threshold in %: a scale-up projected above it is not made (--db-immediate). */
	dbThreshold: number;
	/** What may call for a scale-up. */
	triggers: readonly ScaleTrigger[];
}

export const defaultAutoscaleSettings: Omit<AutoscaleSettings, 'min' | 'max' | 'dbThreshold'> = {
	scaleUpAt: 70,
	scaleDownAt: 30,
	intervalMs: 60_000,
	upSustainMs: 60_000,
	downSustainMs: 300_000,
	cooldownMs: 180_000,
	triggers: ['cpu'],
};

/** A scale-up trigger other than CPU, as read now. */
export interface TriggerReading {
	trigger: ScaleTrigger;
	/** Over its threshold; null: not assessed (its source is down or not configured). */
	over: boolean | null;
	/** In words, e.g. `p95 2.4 s > 2 s`, or why it is not assessed. */
	text: string;
}

/** A source the decision depends on that cannot be read now. */
export interface UnknownSource {
	source: string;
	reason: string;
	/** Which decisions it stops: a scale-down needs every source (an IMMEDIATE may hide there), a scale-up only its own. */
	blocks: 'up' | 'down' | 'both';
}

export interface AutoscaleInput {
	now: number;
	/** Running instances (what scaling counts); null when Docker is not read. */
	running: number | null;
	/** Service average CPU %, null until every running instance has a reading. */
	cpuPercent: number | null;
	/** Triggers besides CPU named in settings.triggers (memory, latency, …). */
	triggers: readonly TriggerReading[];
	/** Where an IMMEDIATE concern holds now, in words: `database`, `redis`, `voiceassist-server-2 CPU`. */
	immediate: readonly string[];
	unknown: readonly UnknownSource[];
	/** PostgreSQL connections and max_connections now; null when no database is watched. */
	db: {connections: number; max: number} | null;
	/** The newest running instance, for the cooldown's "until the new instance is healthy". */
	newest: {name: string; healthy: boolean; health: string} | null;
	/** The action in progress (anyone's), in words, or null. */
	busy: string | null;
}

export interface AutoscaleState {
	/** The count the sustain clocks belong to; null before the first reading. */
	count: number | null;
	/** Last reading at which the scale-up condition did NOT hold (or the clocks restarted): it has held since. */
	upClearAt: number;
	downClearAt: number;
	/** Last scale of the service: ours, an operator's, or the count changing under us. */
	lastScaleAt: number | null;
	/** After the count went up: the cooldown lasts until the newest instance is healthy. */
	awaitHealthy: boolean;
	/** The next instant at which a decision is taken (every settings.intervalMs from the first reading). */
	nextEvaluationAt: number | null;
}

export const initialAutoscaleState: AutoscaleState = {count: null, upClearAt: 0, downClearAt: 0, lastScaleAt: null, awaitHealthy: false, nextEvaluationAt: null};

export type DecisionKind = 'up' | 'down' | 'hold' | 'blocked';

export interface AutoscaleDecision {
	/** up/down: the policy wants that step (now or in etaMs); hold: nothing to do or waiting; blocked: a safety rule forbids what it would do. */
	kind: DecisionKind;
	from: number | null;
	to: number | null;
	/** One line, after `autoscale: `, e.g. `would scale up 3 → 4 in 40 s (avg CPU 76 % > 70 % for 20 s of 60 s)`. */
	text: string;
	/** up/down: ms until it would act (0: at this evaluation); null otherwise. */
	etaMs: number | null;
	/** up/down: the conditions are met now (sustain held, no cooldown), whatever the evaluation instant. */
	ready: boolean;
	/** This reading is an evaluation instant and the step is ready: act now. */
	act: boolean;
	/** This reading is an evaluation instant (headless prints one decision per evaluation). */
	evaluation: boolean;
}

export interface AutoscaleStep {
	state: AutoscaleState;
	decision: AutoscaleDecision;
}

/** `40 s` up to a minute, then `1m20s`, `5m`: the preview's words. */
export function spanText(ms: number): string {
	const seconds = Math.max(0, Math.ceil(ms / 1000 - 1e-9));
	return seconds <= 60 ? `${seconds} s` : formatDuration(seconds);
}

/** `76 %`: the preview speaks of whole percentages. */
export function percentText(value: number): string {
	return `${Math.round(value)} %`;
}

/** After an act (ours or an operator's, whatever its result): the cooldown runs from `at` and the clocks restart. */
export function noteScale(state: AutoscaleState, at: number): AutoscaleState {
	return {...state, lastScaleAt: Math.max(at, state.lastScaleAt ?? at), upClearAt: at, downClearAt: at};
}

interface Want {
	direction: 'up' | 'down' | 'none';
	/** What calls for it, e.g. `avg CPU 76 % > 70 %`. */
	why: string;
	heldMs: number;
	sustainMs: number;
}

function hold(text: string, evaluation: boolean, from: number | null = null): AutoscaleDecision {
	return {kind: 'hold', from, to: from, text, etaMs: null, ready: false, act: false, evaluation};
}

function blocked(text: string, evaluation: boolean, from: number | null, to: number | null): AutoscaleDecision {
	return {kind: 'blocked', from, to, text, etaMs: null, ready: false, act: false, evaluation};
}

/** The first evaluation instant at or after `at`. */
function evaluationAtOrAfter(at: number, next: number, intervalMs: number): number {
	if (at <= next) return next;
	return next + Math.ceil((at - next) / intervalMs) * intervalMs;
}

/**
 * One reading: the clocks move on, and the decision says what the runbook's autoscaler would do now and why. The
 * caller acts only on `decision.act` (and, supervised, only after a countdown while `decision.ready` stays true).
 */
export function stepAutoscale(previous: AutoscaleState, input: AutoscaleInput, settings: AutoscaleSettings): AutoscaleStep {
	const {now} = input;
	let state: AutoscaleState = previous;

	// The evaluation grid starts at the first reading: one interval of readings comes before any decision.
	let next = state.nextEvaluationAt ?? now + settings.intervalMs;
	const evaluation = now >= next;
	while (next <= now) next += settings.intervalMs;
	state = {...state, nextEvaluationAt: next};

	const dockerUnknown = input.unknown.find(entry => entry.source === 'docker');
	if (input.running === null || dockerUnknown !== undefined) {
		// Nothing is known about the service: the clocks start again once it is.
		state = {...state, count: null, upClearAt: now, downClearAt: now};
		const why = dockerUnknown === undefined ? 'the instances are not read yet' : `docker is not assessed (${dockerUnknown.reason})`;
		return {state, decision: blocked(`not acting: ${why}`, evaluation, null, null)};
	}

	const running = input.running;
	if (state.count === null) {
		state = {...state, count: running, upClearAt: now, downClearAt: now};
	} else if (state.count !== running) {
		// The count changed (our act, an operator's, Compose, a crash): a new situation, so a cooldown and fresh clocks.
		state = {...noteScale(state, now), count: running, awaitHealthy: running > state.count};
	}

	if (state.awaitHealthy && input.newest?.healthy === true) state = {...state, awaitHealthy: false};

	const want = wanted(input, settings);
	// The clocks: each condition has held since the last reading at which it did not.
	if (want.direction !== 'up') state = {...state, upClearAt: now};
	if (want.direction !== 'down') state = {...state, downClearAt: now};
	want.heldMs = want.direction === 'up' ? now - state.upClearAt : want.direction === 'down' ? now - state.downClearAt : 0;

	return {state, decision: decide(input, settings, state, want, evaluation, running)};
}

function wanted(input: AutoscaleInput, settings: AutoscaleSettings): Want {
	const cpu = input.cpuPercent;
	const reasons: string[] = [];
	if (settings.triggers.includes('cpu') && cpu !== null && cpu > settings.scaleUpAt) reasons.push(`avg CPU ${percentText(cpu)} > ${percentText(settings.scaleUpAt)}`);
	for (const trigger of input.triggers) {
		if (trigger.over === true && settings.triggers.includes(trigger.trigger)) reasons.push(trigger.text);
	}

	if (reasons.length > 0) return {direction: 'up', why: reasons.join(', '), heldMs: 0, sustainMs: settings.upSustainMs};
	// Down only on CPU (as the runbook), and only when no other trigger is over or unread.
	const othersQuiet = input.triggers.every(trigger => !settings.triggers.includes(trigger.trigger) || trigger.over === false);
	if (cpu !== null && cpu < settings.scaleDownAt && othersQuiet) {
		return {direction: 'down', why: `avg CPU ${percentText(cpu)} < ${percentText(settings.scaleDownAt)}`, heldMs: 0, sustainMs: settings.downSustainMs};
	}

	const band = cpu === null ? '' : cpu < settings.scaleDownAt ? `avg CPU ${percentText(cpu)} < ${percentText(settings.scaleDownAt)}` : `avg CPU ${percentText(cpu)} between ${percentText(settings.scaleDownAt)} and ${percentText(settings.scaleUpAt)}`;
	return {direction: 'none', why: band, heldMs: 0, sustainMs: 0};
}

function decide(input: AutoscaleInput, settings: AutoscaleSettings, state: AutoscaleState, want: Want, evaluation: boolean, running: number): AutoscaleDecision {
	const {now} = input;
	const cooldownLeft = state.lastScaleAt === null ? 0 : Math.max(0, state.lastScaleAt + settings.cooldownMs - now);
	const unhealthy = state.awaitHealthy && input.newest !== null && !input.newest.healthy ? input.newest : null;
	const cooling = cooldownLeft > 0 || unhealthy !== null;
	const cooldownText = () =>
		cooldownLeft > 0
			? `cooldown ${spanText(cooldownLeft)}${unhealthy === null ? '' : `, then until ${unhealthy.name} is healthy`}`
			: `cooldown: until ${unhealthy!.name} is healthy, now ${unhealthy!.health}`;

	if (input.busy !== null) return hold(`holding: ${input.busy} in progress`, evaluation, running);

	if (want.direction === 'none') {
		if (input.cpuPercent === null) return hold(cooling ? `holding (${cooldownText()}; no CPU reading yet)` : 'holding: no CPU reading yet', evaluation, running);
		const unread = input.triggers.find(trigger => settings.triggers.includes(trigger.trigger) && trigger.over === null);
		if (unread !== undefined && input.cpuPercent < settings.scaleDownAt && running - 1 >= settings.min) {
			// CPU alone says down, but a trigger it must also hear from is not assessed.
			return blocked(`would not scale down: ${unread.text} (${want.why})`, evaluation, running, running - 1);
		}

		return hold(cooling ? `holding (${cooldownText()}; ${want.why})` : `holding at ${running} (${want.why})`, evaluation, running);
	}

	const up = want.direction === 'up';
	const to = up ? running + 1 : running - 1;
	const step = `${running} → ${to}`;
	const clock = `${want.why} for ${spanText(want.heldMs)} of ${spanText(want.sustainMs)}`;

	// The limits and the safety rules first: they are what an operator must hear about, cooldown or not.
	if (up && to > settings.max) return blocked(`would scale up but already at --max ${settings.max} (${want.why})`, evaluation, running, running);
	if (!up && to < settings.min) return hold(`holding at --min ${settings.min} (${want.why})`, evaluation, running);
	const unknown = input.unknown.find(entry => entry.blocks === 'both' || entry.blocks === want.direction);
	if (unknown !== undefined) {
		return blocked(`would ${up ? 'scale up' : 'scale down'} ${step} but ${unknown.source} is not assessed (${unknown.reason}); not acting`, evaluation, running, to);
	}

	if (!up && input.immediate.length > 0) return blocked(`would not scale down: IMMEDIATE on ${input.immediate.join(', ')}`, evaluation, running, to);
	if (!up && input.cpuPercent !== null) {
		// One fewer must not land above the scale-up threshold, or the next decision undoes this one.
		const after = (input.cpuPercent * running) / to;
		if (after > settings.scaleUpAt) {
			return blocked(`would not scale down: avg CPU would be ${percentText(after)} on ${to}, over the ${percentText(settings.scaleUpAt)} scale-up threshold`, evaluation, running, to);
		}
	}

	if (up && input.db !== null) {
		const projection = projectDbConnections({instances: running, target: to, dbConnections: input.db.connections, dbMax: input.db.max, thresholdPercent: settings.dbThreshold});
		if (projection?.warn) {
			return blocked(
				`would scale up ${step} but the database would be at ${percentText(projection.percent)} of max_connections (~${projection.projected} of ${projection.max}, over --db-immediate ${percentText(settings.dbThreshold)})`,
				evaluation,
				running,
				to,
			);
		}
	}

	if (cooling) return hold(`holding (${cooldownText()}; then would scale ${up ? 'up' : 'down'} ${step}: ${want.why})`, evaluation, running);

	const sustainLeft = Math.max(0, want.sustainMs - want.heldMs);
	const ready = sustainLeft === 0;
	const act = ready && evaluation;
	const etaMs = act ? 0 : evaluationAtOrAfter(now + sustainLeft, state.nextEvaluationAt!, settings.intervalMs) - now;
	const verb = up ? 'scale up' : 'scale down';
	const text = `would ${verb} ${step} ${act ? 'now' : `in ${spanText(etaMs)}`} (${clock})`;
	return {kind: want.direction, from: running, to, text, etaMs, ready, act, evaluation};
}
