// Name orders without ICU: the order an operator expects of container names, hosts and addresses.
import {describe, expect, it} from 'vitest';
import {compareNatural, compareText} from '../../source/core/compare.js';

describe('ordering names', () => {
	it('puts node-2 before node-10 and 127.0.0.1:7002 before 127.0.0.1:7010, as a person counts', () => {
		expect(['node-10', 'node-2', 'node-1'].sort(compareNatural)).toEqual(['node-1', 'node-2', 'node-10']);
		expect(['127.0.0.1:7010', '127.0.0.1:7002', '127.0.0.1:7005'].sort(compareNatural)).toEqual(['127.0.0.1:7002', '127.0.0.1:7005', '127.0.0.1:7010']);
		expect(['b', 'a2', 'a10', 'a'].sort(compareNatural)).toEqual(['a', 'a2', 'a10', 'b']);
	});

	it('orders plain names as their characters do, and calls equal names equal', () => {
		expect(['web', 'db', 'cache', 'nginx'].sort(compareText)).toEqual(['cache', 'db', 'nginx', 'web']);
		expect(compareText('varec-web-1', 'varec-web-1')).toBe(0);
		expect(compareNatural('x01', 'x1')).not.toBe(0);
	});
});
