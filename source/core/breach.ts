// A judge's verdict as a Concern: one wording for every threshold of every source, so live and --once read alike
// and each says which rule applied (a sustain clock, a sustain --once skips, a breach held by hysteresis).
import type {Concern, ConcernMetric, ConcernScope, Sustain} from './assessment.js';
import {formatDuration} from './format.js';
import {formatThreshold, type Verdict} from './threshold-judge.js';

export interface BreachWords {
	/** Stable key, `${scope}.${metric}` or `${scope}.${metric}:${subject}`: the event log and the judge key on it. */
	key: string;
	scope: ConcernScope;
	/** The service, instance, pool, queue … it is about. */
	subject: string;
	metric: ConcernMetric;
	/** Short metric word for compact text: `db conn`. */
	label?: string;
	/** What is compared, before the comparison: `database connections 85/100 (40 active)`. */
	what: string;
	/** After the comparison: ` while the service average is 35%`. */
	note?: string;
	/** Overrides the rung's action. */
	action?: string;
	/** The evaluation's time, for the hold's countdown. */
	now: number;
}

/** The concern for a verdict: `database connections 85/100 (40 active) 85% > 80%: Scale database connections…`. */
export function breachConcern(verdict: Verdict, words: BreachWords): Concern {
	const action = words.action ?? verdict.rung.action;
	return {
		level: verdict.level,
		scope: words.scope,
		key: words.key,
		subject: words.subject,
		metric: words.metric,
		value: verdict.value,
		threshold: verdict.threshold,
		action,
		message: `${words.what} ${verdict.comparison}${ruleText(verdict, words.now)}${words.note ?? ''}: ${action}`,
		...(sustainOf(verdict, words.now) ?? {}),
		...(words.label === undefined ? {} : {label: words.label}),
		unit: verdict.unit,
		began: verdict.began,
	};
}

/**
 * The concern's clock for a sustained rung: under its duration the way towards IMMEDIATE, past it how long the breach
 * has held (the screen shows both, and whether the clock began before va-top started).
 */
function sustainOf(verdict: Verdict, now: number): {sustain: Sustain} | null {
	if (verdict.sustain) return {sustain: verdict.sustain};
	const required = verdict.rung.sustainSeconds;
	if (verdict.heldFor === undefined || required === undefined) return null;
	const sustain: Sustain = {since: now - verdict.heldFor * 1000, heldSeconds: verdict.heldFor, requiredSeconds: required};
	return {sustain: verdict.beforeStart ? {...sustain, beforeStart: true} : sustain};
}

/** The words a clock replayed from the recorded history adds. */
export const beforeStartWords = ' (since before va-top started)';

/** Which rule applied, when it is not the plain comparison. */
export function ruleText(verdict: Verdict, now: number): string {
	if (verdict.held) {
		const left = Math.max(0, Math.ceil((verdict.held.holdEndsAt - now) / 1000));
		return ` (breach held until under ${formatThreshold(verdict.held.endsUnder, verdict.unit)} or ${formatDuration(left)} more)`;
	}

	const before = verdict.beforeStart ? beforeStartWords : '';
	if (verdict.sustain) return ` for ${formatDuration(verdict.sustain.heldSeconds)}${before}, IMMEDIATE at ${formatDuration(verdict.sustain.requiredSeconds)}`;
	if (verdict.heldFor !== undefined) return ` for ${formatDuration(verdict.heldFor)}${before}`;
	if (verdict.sustainSkipped !== undefined) return ` (--once does not wait the live monitor's ${formatDuration(verdict.sustainSkipped)})`;
	return '';
}
