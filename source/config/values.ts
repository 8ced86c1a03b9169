// Value parsers shared by the options and the sources' configure(): each failure is one UsageError line naming where
// the value came from and what was expected. No import of the flag table, so sources can use these freely.
import type {ThresholdSpec, ThresholdUnit} from '../core/source-model.js';
import type {GivenValue} from '../sources/source-kind.js';
import {UsageError} from './usage-error.js';

export function parseNumber(value: unknown, from: string, limits: {min: number; max: number; integer?: boolean; what: string}): number {
	const text = String(value).trim();
	const number = typeof value === 'number' ? value : text === '' ? Number.NaN : Number(text);
	if (!Number.isFinite(number) || (limits.integer === true && !Number.isInteger(number)) || number < limits.min || number > limits.max) {
		throw new UsageError(`${from}: expected ${limits.what}, got "${text}"`);
	}

	return number;
}

/** 600, 600s, 10m, 1h → seconds. */
export function parseDuration(value: unknown, from: string): number {
	const text = String(value).trim();
	const match = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text);
	const seconds = match ? Number(match[1]) * ({s: 1, m: 60, h: 3600}[match[2] as 's' | 'm' | 'h'] ?? 1) : Number.NaN;
	if (!Number.isFinite(seconds) || seconds > 86_400) {
		throw new UsageError(`${from}: expected a duration up to 24h such as 600, 90s or 10m, got "${text}"`);
	}

	return seconds;
}

/** 2s, 1500ms, 1m, or a bare number of seconds → milliseconds. */
export function parseTime(value: unknown, from: string, max = 86_400_000): number {
	const text = String(value).trim();
	const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text);
	const ms = match ? Number(match[1]) * ({ms: 1, s: 1000, m: 60_000, h: 3_600_000}[match[2] as 'ms' | 's' | 'm' | 'h'] ?? 1000) : Number.NaN;
	if (!Number.isFinite(ms) || ms > max) throw new UsageError(`${from}: expected a time such as 2s or 1500ms, got "${text}"`);
	return ms;
}

/** 16MB, 16M, 16MiB, 512K, 1G (binary: K = 1024), or a bare number of bytes → bytes. */
export function parseBytes(value: unknown, from: string): number {
	const text = String(value).trim();
	const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(text);
	const power = match ? ['', 'k', 'm', 'g', 't'].indexOf(match[2]!.toLowerCase()) : -1;
	const bytes = match && power >= 0 ? Math.round(Number(match[1]) * 1024 ** power) : Number.NaN;
	if (!Number.isFinite(bytes)) throw new UsageError(`${from}: expected a size such as 16MB, 512K or 1G, got "${text}"`);
	return bytes;
}

/** What --help shows as a threshold's value placeholder. */
export const unitPlaceholder: Record<ThresholdUnit, string> = {percent: 'PCT', time: 'TIME', bytes: 'SIZE', count: 'N', seconds: 'TIME'};

/** The words for what a threshold expects, in exit-64 messages. */
export function unitExpectation(spec: ThresholdSpec): string {
	const {min, max} = limitsOf(spec);
	switch (spec.unit) {
		case 'percent':
			return max === 100 && min === 0 ? 'a percentage from 0 to 100' : `a percentage from ${min} to ${max}`;
		case 'count':
			return `a whole number from ${min} to ${max}`;
		case 'time':
			return 'a time such as 2s or 1500ms';
		case 'seconds':
			return 'a duration such as 600, 90s or 10m';
		case 'bytes':
			return 'a size such as 16MB, 512K or 1G';
	}
}

function limitsOf(spec: ThresholdSpec): {min: number; max: number} {
	const max = spec.max ?? {percent: 100, count: 1e9, time: 86_400_000, seconds: 86_400, bytes: 2 ** 53}[spec.unit];
	return {min: spec.min ?? 0, max};
}

/** A threshold's value in its unit's base (see ThresholdUnit), from a flag or config value. */
export function parseThreshold(value: unknown, from: string, spec: ThresholdSpec): number {
	const {min, max} = limitsOf(spec);
	let parsed: number;
	switch (spec.unit) {
		case 'percent':
			return parseNumber(value, from, {min, max, what: unitExpectation(spec)});
		case 'count':
			return parseNumber(value, from, {min, max, integer: true, what: unitExpectation(spec)});
		case 'seconds':
			parsed = parseDuration(value, from);
			break;
		case 'time':
			parsed = parseTime(value, from, max);
			break;
		case 'bytes':
			parsed = parseBytes(value, from);
			break;
	}

	if (parsed < min || parsed > max) throw new UsageError(`${from}: expected ${unitExpectation(spec)} within the allowed range, got "${String(value).trim()}"`);
	return parsed;
}

/** A threshold's default as --help shows it: `80`, `10m`, `2s`, `16M`. */
export function thresholdDefaultText(spec: ThresholdSpec): string {
	const value = spec.defaultValue;
	switch (spec.unit) {
		case 'seconds':
			return value % 3600 === 0 && value > 0 ? `${value / 3600}h` : value % 60 === 0 && value > 0 ? `${value / 60}m` : `${value}s`;
		case 'time':
			return value >= 1000 && value % 1000 === 0 ? `${value / 1000}s` : `${value}ms`;
		case 'bytes': {
			const units = ['', 'K', 'M', 'G', 'T'];
			let power = 0;
			while (power < units.length - 1 && value >= 1024 ** (power + 1) && value % 1024 ** (power + 1) === 0) power++;
			return `${value / 1024 ** power}${units[power]}`;
		}

		default:
			return String(value);
	}
}

/** The text of a given value: trimmed, never empty (an empty value is one line naming what was expected). */
export function givenText(given: GivenValue, expected: string): string {
	const value = String(given.value).trim();
	if (value === '') throw new UsageError(`${given.from}: empty value, expected ${expected}`);
	return value;
}

export function emptyToUndefined(value: string | undefined): string | undefined {
	return value === undefined || value.trim() === '' ? undefined : value.trim();
}
