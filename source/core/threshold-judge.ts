// The one threshold judge every rule uses: which rung a value breaches, how long it has (sustain), when a breach
// ends (hysteresis: back under the threshold by a margin, or held under it for holdSeconds), and comparisons that read
// as true statements (`70.4% > 70%`, never `70% > 70%`). Pure: the state is carried in a BreachClock from one
// evaluation to the next.
import type {Sustain} from './assessment.js';
import type {ThresholdUnit} from './source-model.js';
import {holdSeconds as defaultHoldSeconds} from './thresholds.js';

export type BreachLevel = 'SOON' | 'IMMEDIATE';

/** One step of a rule: over `threshold` → `level`, with the runbook's action. */
export interface Rung {
	level: BreachLevel;
	threshold: number;
	/** Live only: seconds the value must stay over before `level` holds; until then the breach is SOON with a clock. */
	sustainSeconds?: number;
	action: string;
}

/** One breach as carried between evaluations. */
export interface BreachState {
	/** Epoch ms when the breach began. */
	since: number;
	/** The threshold and value it began at: the message that ends it names the same threshold. */
	began: {threshold: number; value: number};
	/** The rung level it stands at (before any sustain downgrade). */
	level: BreachLevel;
	/** Per rung level: when the value went over that rung in this breach (the sustain clock). */
	overSince: Partial<Record<BreachLevel, number>>;
	/** When the value went at or under the standing rung's threshold while the breach is held; absent when over. */
	underSince?: number;
	/** For persisting(): when the condition began to hold. */
	pendingSince?: number;
}

/** When each breach began and how it stands, keyed by concern key. Carried from one evaluation to the next. */
export type BreachClock = ReadonlyMap<string, BreachState>;

export const emptyClock: BreachClock = new Map();

export interface JudgeSettings {
	/** Margin: points for percent thresholds, % of the threshold for other units; 0: a breach ends once not over. */
	hysteresis: number;
	/** Seconds a breach is held under its threshold within the margin before it ends anyway. */
	holdSeconds?: number;
	/** --once: no history, so no hysteresis and no sustain (each rung applies at once). */
	oneShot: boolean;
	/**
	 * --once with recorded history up to now: the keys whose breaches were replayed from it (core/backfill.ts). They
	 * are judged as the live monitor judges them, from the clock handed in; every other key as oneShot says.
	 */
	overHistory?: (key: string) => boolean;
	/** When this va-top began reading: a sustain clock that began earlier was replayed from the recorded history. */
	startedAt?: number;
}

export interface Verdict {
	/** The level to report: the rung's, or SOON while a sustained rung's clock runs. */
	level: BreachLevel;
	/** The rung that applied (its threshold and action). */
	rung: Rung;
	threshold: number;
	value: number;
	unit: ThresholdUnit;
	/** A sustained rung still under its duration (live only). */
	sustain?: Sustain;
	/** The rung's sustain was not waited for (--once): its duration in seconds, for the message. */
	sustainSkipped?: number;
	/** Over the sustain: seconds it has held (live), for the message. */
	heldFor?: number;
	/** The sustain clock began before this va-top started (it was replayed from the recorded history). */
	beforeStart?: boolean;
	/** Held by hysteresis: the value is at or under the threshold; the breach ends under `endsUnder` or at `holdEndsAt`. */
	held?: {endsUnder: number; holdEndsAt: number};
	/** The threshold and value the breach began at. */
	began: {threshold: number; value: number; since: number};
	/** `70.4% > 70%`, or `68% ≤ 70%` when held. */
	comparison: string;
}

export interface Judge {
	/**
	 * Judges a value against rungs (any order; the highest threshold wins). Null: no breach (and none held).
	 * Every call records the key's state for the next evaluation; a key not checked in an evaluation is dropped.
	 */
	check(key: string, value: number | null, unit: ThresholdUnit, rungs: readonly Rung[]): Verdict | null;
	/** True once `condition` has held for `seconds` (a start-up grace); in --once, the condition itself. */
	persisting(key: string, condition: boolean, seconds: number): boolean;
	/** The clock to hand to the next evaluation. */
	clock(): BreachClock;
}

export function marginOf(threshold: number, unit: ThresholdUnit, hysteresis: number): number {
	if (!(hysteresis > 0)) return 0;
	return unit === 'percent' ? hysteresis : (Math.abs(threshold) * hysteresis) / 100;
}

export function createJudge(previous: BreachClock, now: number, settings: JudgeSettings): Judge {
	const next = new Map<string, BreachState>();
	const hold = (settings.holdSeconds ?? defaultHoldSeconds) * 1000;

	return {
		check(key, value, unit, rungs) {
			if (value === null || !Number.isFinite(value) || rungs.length === 0) return null;
			const ladder = [...rungs].sort((a, b) => b.threshold - a.threshold);
			const over = ladder.find(rung => value > rung.threshold);
			if (settings.oneShot && !(settings.overHistory?.(key) ?? false)) {
				if (over === undefined) return null;
				const skipped = over.sustainSeconds !== undefined && over.sustainSeconds > 0 ? over.sustainSeconds : undefined;
				return {
					level: over.level,
					rung: over,
					threshold: over.threshold,
					value,
					unit,
					sustainSkipped: skipped,
					began: {threshold: over.threshold, value, since: now},
					comparison: compare(value, '>', over.threshold, unit),
				};
			}

			const prev = previous.get(key);
			let standing = over;
			let held: Verdict['held'];
			let underSince: number | undefined;
			if (prev !== undefined) {
				// Hysteresis: the rung the breach stood at holds while the value is within the margin under it and for at
				// most `hold`; failing that, a lower rung may hold the same way (a fall from 85 to 67 is SOON, not over).
				const prevRung = ladder.find(rung => rung.level === prev.level) ?? ladder[ladder.length - 1]!;
				for (const rung of ladder.filter(candidate => candidate.threshold <= prevRung.threshold)) {
					if (over !== undefined && over.threshold >= rung.threshold) break;
					const since = rung.level === prev.level && prev.underSince !== undefined ? prev.underSince : now;
					const margin = marginOf(rung.threshold, unit, settings.hysteresis);
					if (margin > 0 && value > rung.threshold - margin && now - since < hold) {
						standing = rung;
						underSince = since;
						held = {endsUnder: rung.threshold - margin, holdEndsAt: since + hold};
						break;
					}
				}
			}

			if (standing === undefined) return null;
			const since = prev?.since ?? now;
			const began = prev?.began ?? {threshold: standing.threshold, value};
			// The sustain clock of each rung runs while the breach stands at or above it.
			const overSince: Partial<Record<BreachLevel, number>> = {};
			for (const rung of ladder) {
				if (rung.threshold <= standing.threshold) overSince[rung.level] = prev?.overSince[rung.level] ?? now;
			}

			next.set(key, {since, began, level: standing.level, overSince, underSince});
			const base = {rung: standing, threshold: standing.threshold, value, unit, held, began: {...began, since}};
			const comparison = held ? compare(value, '≤', standing.threshold, unit) : compare(value, '>', standing.threshold, unit);
			const required = standing.sustainSeconds ?? 0;
			if (required > 0) {
				const clockSince = overSince[standing.level] ?? now;
				const heldSeconds = Math.max(0, (now - clockSince) / 1000);
				const before = settings.startedAt !== undefined && clockSince < settings.startedAt ? {beforeStart: true} : {};
				if (heldSeconds < required) {
					return {...base, level: 'SOON', sustain: {since: clockSince, heldSeconds, requiredSeconds: required, ...before}, comparison, ...before};
				}

				return {...base, level: standing.level, heldFor: heldSeconds, comparison, ...before};
			}

			return {...base, level: standing.level, comparison};
		},
		persisting(key, condition, seconds) {
			if (!condition) return false;
			if (settings.oneShot) return true;
			const since = previous.get(key)?.pendingSince ?? now;
			next.set(key, {since, began: {threshold: 0, value: 0}, level: 'SOON', overSince: {}, pendingSince: since});
			return now - since >= seconds * 1000;
		},
		clock: () => next,
	};
}

/** A value in its unit with `digits` decimals: `70.4%`, `1.52s`, `250ms`, `16.0M`, `1000`. */
function valueText(value: number, unit: ThresholdUnit, digits: number): string {
	switch (unit) {
		case 'percent':
			return `${value.toFixed(digits)}%`;
		case 'count':
			return value.toFixed(digits);
		case 'seconds':
			return `${value.toFixed(digits)}s`;
		case 'time':
			return value >= 1000 ? `${(value / 1000).toFixed(digits)}s` : `${value.toFixed(digits)}ms`;
		case 'bytes': {
			const [scaled, suffix] = scaleBytes(value);
			return `${scaled.toFixed(digits)}${suffix}`;
		}
	}
}

function scaleBytes(bytes: number): [number, string] {
	const units = ['B', 'K', 'M', 'G', 'T'];
	let value = bytes;
	let unit = 0;
	while (Math.abs(value) >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}

	return [value, units[unit]!];
}

/** The threshold as given, without trailing zeros: `70%`, `70.5%`, `2s`, `1.5s`, `16M`, `1000`. */
export function formatThreshold(threshold: number, unit: ThresholdUnit): string {
	for (let digits = 0; digits < 3; digits++) {
		const text = valueText(threshold, unit, digits);
		if (Number.parseFloat(text) === Number.parseFloat(valueText(threshold, unit, 3))) return text;
	}

	return valueText(threshold, unit, 3);
}

/** A value in its unit, rounded for reading: `84%`, `1.5s`, `980K`. */
export function formatValue(value: number, unit: ThresholdUnit): string {
	return valueText(value, unit, unit === 'percent' || unit === 'count' ? 0 : 1).replace(/\.0(?=[^\d]|$)/, '');
}

/**
 * `70.4% > 70%`: the value with the fewest decimals that keep the statement true (never `70% > 70%`). A held breach
 * reads `68% ≤ 70%`.
 */
export function compare(value: number, relation: '>' | '≤', threshold: number, unit: ThresholdUnit): string {
	const right = formatThreshold(threshold, unit);
	let left = formatValue(value, unit);
	if (relation === '>') {
		// What a text shows, back in the base unit: the statement must hold for the numbers as written.
		const scale = unit === 'time' ? (value >= 1000 ? 1000 : 1) : unit === 'bytes' ? value / (scaleBytes(value)[0] || 1) : 1;
		for (let digits = unit === 'percent' || unit === 'count' ? 0 : 1; digits <= 3; digits++) {
			const factor = 10 ** digits;
			const shown = (Math.round((value / scale) * factor) / factor) * scale;
			left = digits === 1 && unit !== 'percent' && unit !== 'count' ? formatValue(value, unit) : valueText(value, unit, digits);
			if (shown > threshold) break;
		}
	}

	return `${left} ${relation} ${right}`;
}
