import {describe, expect, it} from 'vitest';
import {checkDrain, checkScale, checkUnchanged, explicitConfirmation, isRefusal, projectDbConnections, scaleDownVictims, scaleNote} from '../../../source/core/action-rules.js';

const limits = {min: 2, max: 10, readOnly: false};

describe('checkScale', () => {
	it('allows targets within --min and --max', () => {
		expect(checkScale(3, 4, limits)).toBeNull();
		expect(checkScale(3, 2, limits)).toBeNull();
		expect(checkScale(9, 10, limits)).toBeNull();
	});

	it('refuses below min and above max with the reason and both numbers', () => {
		expect(checkScale(2, 1, limits)).toMatchObject({code: 'below-min', from: 2, to: 1, reason: '1 is below the minimum of 2 (--min)'});
		expect(checkScale(10, 11, limits)).toMatchObject({code: 'above-max', reason: '11 is above the maximum of 10 (--max)'});
		// From inside the bounds, a target outside them is refused: what is typed is never clamped.
		expect(checkScale(3, 12, limits)?.code).toBe('above-max');
	});
});

describe('a count already outside --min/--max (issue 12: 43 running, --max 6)', () => {
	const six = {min: 2, max: 6, readOnly: false};

	it('allows every move toward the bounds, one at a time or at once, and says when it is still outside', () => {
		// Before, `-` (43 → 42) was refused while `s 6` (43 → 6) was offered: only the most drastic path was allowed.
		expect(checkScale(43, 42, six)).toBeNull();
		expect(scaleNote(43, 42, six)).toBe('43 → 42 is still above the maximum of 6 (--max)');
		expect(checkScale(43, 6, six)).toBeNull();
		expect(scaleNote(43, 6, six)).toBeNull();
		expect(checkDrain(43, 'api-43', six)).toBeNull();
		// Below --min: up toward it.
		expect(checkScale(1, 2, {...six, min: 3})).toBeNull();
		expect(scaleNote(1, 2, {...six, min: 3})).toBe('1 → 2 is still below the minimum of 3 (--min)');
	});

	it('refuses moving away from the bounds, or past the other one', () => {
		expect(checkScale(43, 44, six)).toMatchObject({code: 'above-max', reason: '43 already run, above the maximum of 6 (--max); only scaling down is allowed'});
		expect(checkScale(43, 1, six)?.code).toBe('below-min');
		expect(checkScale(1, 0, {...six, min: 3})?.code).toBe('below-min');
		expect(checkScale(1, 7, {...six, min: 3})?.code).toBe('above-max');
	});

	it('asks for the number removed to be typed for a jump of more than one down from outside; y is enough otherwise', () => {
		expect(explicitConfirmation(43, 6, six)).toBe('37');
		expect(explicitConfirmation(43, 42, six)).toBeUndefined();
		expect(explicitConfirmation(5, 2, six)).toBeUndefined();
		expect(explicitConfirmation(1, 5, {...six, min: 3})).toBeUndefined();
	});

	it('refuses everything in read-only mode, and non-counts and no-ops always', () => {
		expect(checkScale(3, 4, {...limits, readOnly: true})?.code).toBe('read-only');
		expect(checkScale(3, 3, limits)?.code).toBe('no-change');
		expect(checkScale(3, 2.5, limits)?.code).toBe('invalid-target');
		expect(checkScale(3, Number.NaN, limits)?.code).toBe('invalid-target');
		expect(isRefusal(checkScale(3, -1, limits))).toBe(true);
	});
});

describe('checkDrain and checkUnchanged', () => {
	it('refuses a drain that would go under min', () => {
		expect(checkDrain(3, 'a-3', limits)).toBeNull();
		expect(checkDrain(2, 'a-2', limits)).toMatchObject({code: 'below-min', from: 2, to: 1, instance: 'a-2'});
		expect(checkDrain(5, 'a-5', {...limits, readOnly: true})?.code).toBe('read-only');
	});

	it('refuses when the count moved since the confirmation, naming both numbers', () => {
		expect(checkUnchanged('scale', 3, 3)).toBeNull();
		const refused = checkUnchanged('scale', 3, 4);
		expect(refused).toMatchObject({code: 'count-changed', from: 3, to: 4});
		expect(refused?.reason).toContain('from 3 to 4');
	});
});

describe('projectDbConnections', () => {
	it('adds the average per instance for each new one and warns above the threshold', () => {
		const projection = projectDbConnections({instances: 3, target: 4, dbConnections: 60, dbMax: 100, thresholdPercent: 80});
		expect(projection).toMatchObject({perInstance: 20, projected: 80, percent: 80, warn: false});
		const over = projectDbConnections({instances: 3, target: 5, dbConnections: 60, dbMax: 100, thresholdPercent: 80});
		expect(over).toMatchObject({projected: 100, warn: true});
		expect(over?.text).toContain('WARNING above the 80% database threshold');
	});

	it('rounds a fractional projection up and gives nothing when it cannot know', () => {
		expect(projectDbConnections({instances: 3, target: 4, dbConnections: 10, dbMax: 20, thresholdPercent: 80})?.projected).toBe(14);
		expect(projectDbConnections({instances: 0, target: 1, dbConnections: 10, dbMax: 20, thresholdPercent: 80})).toBeNull();
		expect(projectDbConnections({instances: 2, target: 3, dbConnections: undefined, dbMax: 20, thresholdPercent: 80})).toBeNull();
		expect(projectDbConnections({instances: 2, target: 3, dbConnections: 4, dbMax: 0, thresholdPercent: 80})).toBeNull();
	});
});

describe('scaleDownVictims', () => {
	it('takes the highest numbers first, as Compose does, unnumbered last', () => {
		const instances = [{number: 2, name: 'p-s-2'}, {number: 10, name: 'p-s-10'}, {number: null, name: 'odd'}, {number: 3, name: 'p-s-3'}];
		expect(scaleDownVictims(instances, 2).map((instance) => instance.name)).toEqual(['p-s-10', 'p-s-3']);
		expect(scaleDownVictims(instances, 4).at(-1)?.name).toBe('odd');
		expect(scaleDownVictims(instances, 0)).toEqual([]);
	});
});
