// Breaches begun and ended, sources lost and found, and actions: a bounded log the screen and audit can show.
import type {Assessment, Concern} from './assessment.js';
import {formatThreshold} from './threshold-judge.js';

export type EventLevel = 'OK' | 'SOON' | 'IMMEDIATE' | 'UNKNOWN' | 'INFO';

export interface EventEntry {
	at: number;
	level: EventLevel;
	/** The concern key it is about, or `action:…` for actions. */
	key: string;
	text: string;
}

export const defaultEventCapacity = 500;

/** Appends and keeps the newest `capacity` entries; returns a new array so React sees the change. */
export function appendEvents(log: readonly EventEntry[], entries: readonly EventEntry[], capacity = defaultEventCapacity): EventEntry[] {
	if (entries.length === 0) return log as EventEntry[];
	const next = log.concat(entries);
	return next.length > capacity ? next.slice(next.length - capacity) : next;
}

/** What changed between two assessments: concerns that began, changed level, or ended. */
export function diffConcerns(previous: Assessment | undefined, next: Assessment): EventEntry[] {
	const before = new Map<string, Concern>((previous?.concerns ?? []).map(concern => [concern.key, concern]));
	const after = new Map<string, Concern>(next.concerns.map(concern => [concern.key, concern]));
	const events: EventEntry[] = [];
	for (const [key, concern] of after) {
		const old = before.get(key);
		if (old === undefined) {
			events.push({at: next.at, level: concern.level, key, text: `${label(concern)} began: ${concern.message}`});
		} else if (old.level !== concern.level) {
			events.push({at: next.at, level: concern.level, key, text: `${label(concern)} now ${concern.level}: ${concern.message}`});
		}
	}

	for (const [key, concern] of before) {
		if (!after.has(key)) {
			events.push({at: next.at, level: 'OK', key, text: `${label(concern)} ended: ${endedText(concern)}`});
		}
	}

	return events;
}

function label(concern: Concern): string {
	return concern.metric === 'reachability' ? 'source problem' : 'breach';
}

/** Names the threshold the breach began at (not the one it last stood at): `cpu back under 70%` for `76% > 70%`. */
function endedText(concern: Concern): string {
	if (concern.metric === 'reachability') return `${concern.subject} is back`;
	if (concern.metric === 'state') return `${concern.subject} is running again or gone`;
	const threshold = concern.began?.threshold ?? concern.threshold;
	return `${concern.subject} ${concern.metric} back under ${threshold === null ? '' : formatThreshold(threshold, concern.unit ?? 'percent')}`;
}
