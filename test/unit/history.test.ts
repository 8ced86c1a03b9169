import {describe, expect, it} from 'vitest';
import {History} from '../../source/core/history.js';
import {RingBuffer} from '../../source/core/ring-buffer.js';

describe('ring buffer', () => {
	it('keeps the newest samples up to its capacity, oldest first', () => {
		const buffer = new RingBuffer(3);
		for (let i = 1; i <= 5; i++) buffer.push(i, i * 10);
		expect(buffer.size).toBe(3);
		expect(buffer.valuesSince(0)).toEqual([30, 40, 50]);
		expect(buffer.valuesSince(4)).toEqual([40, 50]);
		expect(buffer.last()).toEqual({time: 5, value: 50});
	});

	it('refuses a capacity that is not a positive integer', () => {
		expect(() => new RingBuffer(0)).toThrow(RangeError);
	});
});

describe('history', () => {
	it('holds one hour at one sample a second per series and no more', () => {
		const history = new History();
		for (let t = 0; t < 7200; t++) history.push('cpu:a', t * 1000, t % 100);
		expect(history.values('cpu:a', 0)).toHaveLength(3600);
		expect(history.values('cpu:a', 7_199_000)).toEqual([99]);
	});

	it('drops the longest-silent series when there are too many', () => {
		const history = new History(10, 2);
		history.push('a', 1, 1);
		history.push('b', 5, 1);
		history.push('c', 6, 1);
		expect(history.seriesCount).toBe(2);
		expect(history.values('a', 0)).toEqual([]);
		expect(history.values('b', 0)).toEqual([1]);
	});

	it('ignores NaN and infinite values', () => {
		const history = new History();
		history.push('a', 1, Number.NaN);
		history.push('a', 2, Number.POSITIVE_INFINITY);
		expect(history.values('a', 0)).toEqual([]);
	});
});
