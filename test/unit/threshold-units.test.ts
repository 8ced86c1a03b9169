// Thresholds in every unit a source needs: each parses from a flag or config value, reads back in --help, and is
// compared in messages as a true statement in its own unit.
import {describe, expect, it} from 'vitest';
import {thresholdFlag} from '../../source/config/flags.js';
import {UsageError} from '../../source/config/usage-error.js';
import {parseThreshold, thresholdDefaultText} from '../../source/config/values.js';
import type {ThresholdSpec} from '../../source/core/source-model.js';
import {compare, createJudge, emptyClock} from '../../source/core/threshold-judge.js';

const spec = (unit: ThresholdSpec['unit'], defaultValue: number): ThresholdSpec => ({key: 'x', flag: 'x-limit', unit, defaultValue, description: 'x'});

describe('threshold units', () => {
	it.each([
		['percent', '70', 70],
		['time', '2s', 2000],
		['time', '1500ms', 1500],
		['time', '2', 2000],
		['bytes', '16MB', 16 * 1024 ** 2],
		['bytes', '512K', 512 * 1024],
		['bytes', '1G', 1024 ** 3],
		['count', '1000', 1000],
		['seconds', '10m', 600],
		['seconds', '90s', 90],
	] as const)('%s "%s" is %d in its base unit', (unit, text, value) => {
		expect(parseThreshold(text, '--x-limit', spec(unit, 0))).toBe(value);
	});

	it.each([
		['percent', '150', '--x-limit: expected a percentage from 0 to 100, got "150"'],
		['time', 'soon', '--x-limit: expected a time such as 2s or 1500ms, got "soon"'],
		['bytes', '16 parsecs', '--x-limit: expected a size such as 16MB, 512K or 1G, got "16 parsecs"'],
		['count', '2.5', '--x-limit: expected a whole number from 0 to 1000000000, got "2.5"'],
		['seconds', '-1', '--x-limit: expected a duration up to 24h such as 600, 90s or 10m, got "-1"'],
	] as const)('a bad %s value "%s" is one line naming the flag and what was expected', (unit, text, message) => {
		expect(() => parseThreshold(text, '--x-limit', spec(unit, 0))).toThrow(UsageError);
		expect(() => parseThreshold(text, '--x-limit', spec(unit, 0))).toThrow(message);
	});

	it('the flag --help shows comes from the spec: placeholder, default in the unit, number or text', () => {
		expect(thresholdFlag(spec('time', 2000))).toMatchObject({name: 'x-limit', kind: 'string', value: 'TIME', defaultText: '2s', numberInConfig: true});
		expect(thresholdFlag(spec('bytes', 16 * 1024 ** 2))).toMatchObject({kind: 'string', value: 'SIZE', defaultText: '16M'});
		expect(thresholdFlag(spec('count', 1000))).toMatchObject({kind: 'number', value: 'N', defaultText: '1000'});
		expect(thresholdDefaultText(spec('seconds', 600))).toBe('10m');
	});

	it('comparisons read true in each unit', () => {
		expect(compare(2100, '>', 2000, 'time')).toBe('2.1s > 2s');
		expect(compare(1600, '>', 900, 'time')).toBe('1.6s > 900ms');
		expect(compare(17 * 1024 ** 2, '>', 16 * 1024 ** 2, 'bytes')).toBe('17M > 16M');
		expect(compare(1001, '>', 1000, 'count')).toBe('1001 > 1000');
		expect(compare(80.4, '>', 80, 'percent')).toBe('80.4% > 80%');
		expect(compare(80.04, '>', 80, 'percent')).toBe('80.04% > 80%');
	});

	it('the hysteresis margin is 5 % of the threshold for other units: 2 s latency ends under 1.9 s', () => {
		const rungs = [{level: 'IMMEDIATE' as const, threshold: 2000, action: 'act'}];
		const first = createJudge(emptyClock, 0, {hysteresis: 5, oneShot: false});
		expect(first.check('latency', 2500, 'time', rungs)).toMatchObject({level: 'IMMEDIATE'});
		const held = createJudge(first.clock(), 1000, {hysteresis: 5, oneShot: false});
		expect(held.check('latency', 1950, 'time', rungs)).toMatchObject({held: {endsUnder: 1900}, comparison: '1.9s ≤ 2s'});
		const ended = createJudge(held.clock(), 2000, {hysteresis: 5, oneShot: false});
		expect(ended.check('latency', 1890, 'time', rungs)).toBeNull();
	});
});
