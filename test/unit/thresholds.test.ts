import {describe, expect, it} from 'vitest';
import {defaultThresholds} from '../../source/sources/registry.js';

describe('default thresholds', () => {
	it('are the scaling runbook triggers', () => {
		expect(defaultThresholds.cpuImmediate).toBe(80);
		expect(defaultThresholds.cpuSustainSeconds).toBe(600);
		expect(defaultThresholds.memImmediate).toBe(85);
		expect(defaultThresholds.dbImmediate).toBe(80);
	});
});
