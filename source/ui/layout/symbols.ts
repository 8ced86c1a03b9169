// Levels as symbols and colours. The symbol carries the meaning on its own: colour only repeats it (NO_COLOR).
import type {EventLevel} from '../../core/event-log.js';

export type DisplayLevel = EventLevel;

export const levelSymbol: Record<DisplayLevel, string> = {
	OK: '✓',
	SOON: '▲',
	IMMEDIATE: '▲▲',
	UNKNOWN: '?',
	INFO: '·',
};

export type ColorName = 'green' | 'yellow' | 'red' | 'magenta' | 'cyan' | 'gray' | 'blue' | 'white';

export const levelColor: Record<DisplayLevel, ColorName> = {
	OK: 'green',
	SOON: 'yellow',
	IMMEDIATE: 'red',
	UNKNOWN: 'magenta',
	INFO: 'gray',
};

/** The colour to pass to Ink's <Text color>, or undefined in monochrome so Ink emits no colour codes at all. */
export function tone(color: boolean, name: ColorName | undefined): ColorName | undefined {
	return color ? name : undefined;
}

/** Rank for "worst of": IMMEDIATE over UNKNOWN over SOON over OK. */
export const levelRank: Record<DisplayLevel, number> = {IMMEDIATE: 4, UNKNOWN: 3, SOON: 2, OK: 1, INFO: 0};

/** True when colour is allowed: not --no-color, and NO_COLOR unset or empty (no-color.org). */
export function colorEnabled(noColorOption: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
	if (noColorOption) return false;
	const noColor = env['NO_COLOR'];
	return noColor === undefined || noColor === '';
}
