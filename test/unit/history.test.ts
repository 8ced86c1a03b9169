import fc from 'fast-check';
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

	it('takes many samples at once exactly as it takes them one by one, whatever it held before', () => {
		fc.assert(
			fc.property(fc.integer({min: 1, max: 9}), fc.integer({min: 0, max: 20}), fc.integer({min: 0, max: 25}), fc.nat(25), (capacity, before, many, skip) => {
				const one = new RingBuffer(capacity);
				const bulk = new RingBuffer(capacity);
				for (let i = 0; i < before; i++) {
					one.push(i, -i);
					bulk.push(i, -i);
				}

				const times = Float64Array.from({length: many}, (_, i) => 100 + i);
				const values = Float64Array.from({length: many}, (_, i) => i * 2);
				const from = Math.min(skip, many);
				for (let i = from; i < many; i++) one.push(times[i]!, values[i]!);
				bulk.pushMany(times, values, from);
				expect(bulk.samplesSince(-1)).toEqual(one.samplesSince(-1));
				expect(bulk.size).toBe(one.size);
			}),
		);
	});

	it('is handed to another history whole, as if its samples had been pushed there', () => {
		const built = new History(5);
		for (let i = 1; i <= 8; i++) built.push('cpu:a', i * 1000, i);
		built.push('service:cpu', 1000, 42);
		const adopted = new History(5);
		adopted.adopt(built.handOver());
		expect(adopted.samples('cpu:a', 0)).toEqual([4, 5, 6, 7, 8].map(i => ({time: i * 1000, value: i})));
		expect(adopted.values('service:cpu', 0)).toEqual([42]);
		adopted.push('cpu:a', 9000, 9);
		expect(adopted.values('cpu:a', 0)).toEqual([5, 6, 7, 8, 9]);
		// Rings of another size are taken sample by sample, the newest kept
		const small = new History(3);
		small.adopt(built.handOver());
		expect(small.values('cpu:a', 0)).toEqual([6, 7, 8]);
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
