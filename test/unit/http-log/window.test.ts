import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import type {AccessRecord} from '../../../source/sources/http-log/parse.js';
import {summarize} from '../../../source/sources/http-log/summary.js';
import {createLatencyWindow, maxAddresses, otherAddress, sketchRelativeAccuracy} from '../../../source/sources/http-log/window.js';

const t0 = Date.UTC(2026, 10, 28, 6, 0, 0);

function record(timeMs: number, requestTimeMs: number | null, status = 200, address = '127.0.0.1:18101', upstreamMs: number | null = requestTimeMs): AccessRecord {
	return {timeMs, status, requestTimeMs, upstreams: address === '' ? [] : [{address, status, responseTimeMs: upstreamMs}], format: 'json'};
}

/** The exact quantile DDSketch approximates: the value at rank floor(q·(n−1)) of the sorted values. */
function exactQuantile(values: number[], q: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(q * (sorted.length - 1))]!;
}

describe('the sliding window', () => {
	it('counts requests, 5xx and request rate over the seconds watched', () => {
		const window = createLatencyWindow(60);
		window.coverFrom(t0);
		for (let i = 0; i < 100; i++) window.add(record(t0 + i * 100, 10, i % 10 === 0 ? 502 : 200), t0 + i * 100);
		const stats = window.read(t0 + 10_000);
		expect(stats.requests).toBe(100);
		expect(stats.errors).toBe(10);
		expect(stats.coveredSeconds).toBe(10);
		const figures = summarize(stats, [], []);
		expect(figures.requestsPerSecond).toBe(10);
		expect(figures.errorRatio).toBe(0.1);
	});

	it('forgets what is older than the window, one slot at a time', () => {
		const window = createLatencyWindow(60);
		window.coverFrom(t0);
		window.add(record(t0, 5000, 500), t0);
		window.add(record(t0 + 30_000, 10), t0 + 30_000);
		expect(window.read(t0 + 59_000).requests).toBe(2);
		const later = window.read(t0 + 61_000);
		expect(later.requests).toBe(1);
		expect(later.errors).toBe(0);
		expect(summarize(later, [], []).p95Ms).toBeCloseTo(10, -1);
	});

	it('places a line by its own time ($msec), not by when it was read (a backfill, a reconnect)', () => {
		const window = createLatencyWindow(60);
		window.add(record(t0 - 120_000, 10), t0);
		window.add(record(t0 - 30_000, 10), t0);
		expect(window.read(t0).requests).toBe(1);
		expect(window.late()).toBe(1);
	});

	it('counts a line from far ahead of the clock as arriving now, so it cannot push real requests out', () => {
		const window = createLatencyWindow(60);
		window.add(record(t0 + 86_400_000, 10), t0);
		window.add(record(t0, 20), t0);
		expect(window.read(t0).requests).toBe(2);
	});

	it('has p50/p95/p99 within the sketch\'s stated relative error of the exact values', () => {
		fc.assert(
			fc.property(fc.array(fc.double({min: 0.5, max: 30_000, noNaN: true}), {minLength: 1, maxLength: 400}), (values) => {
				const window = createLatencyWindow(60);
				values.forEach((value, i) => window.add(record(t0 + (i % 50) * 1000, value), t0 + 50_000));
				const figures = summarize(window.read(t0 + 50_000), [], []);
				for (const [q, got] of [[0.5, figures.p50Ms], [0.95, figures.p95Ms], [0.99, figures.p99Ms]] as const) {
					const exact = exactQuantile(values, q);
					expect(Math.abs(got! - exact)).toBeLessThanOrEqual(exact * sketchRelativeAccuracy + 1e-9);
				}
			}),
			{numRuns: 60},
		);
	});

	it('says latency is not assessed when the lines carry no request time (combined format), and still counts errors', () => {
		const window = createLatencyWindow(60);
		window.coverFrom(t0 - 60_000);
		for (let i = 0; i < 20; i++) window.add({timeMs: t0, status: i < 2 ? 503 : 200, requestTimeMs: null, upstreams: [], format: 'combined'}, t0);
		const figures = summarize(window.read(t0), [], []);
		expect(figures).toMatchObject({requests: 20, errorRatio: 0.1, latencyAssessed: false, p95Ms: null, instances: []});
	});

	it('has no error ratio and no quantiles for an empty window, never zeros', () => {
		const window = createLatencyWindow(60);
		const figures = summarize(window.read(t0), [], []);
		expect(figures).toMatchObject({requests: 0, requestsPerSecond: null, errorRatio: null, p50Ms: null, p95Ms: null, latencyAssessed: false});
	});

	it('keeps a bounded number of addresses per slot, the rest summed as "(other)"', () => {
		const window = createLatencyWindow(60);
		for (let i = 0; i < maxAddresses + 10; i++) window.add(record(t0, 10, 200, `10.0.${i >> 8}.${i & 255}:8000`), t0);
		const stats = window.read(t0);
		expect(stats.byAddress.size).toBe(maxAddresses + 1);
		expect(stats.byAddress.get(otherAddress)?.requests).toBe(10);
	});

	it('keeps memory bounded however many requests pass (slots are reused, sketches have a bin limit)', () => {
		const window = createLatencyWindow(60);
		for (let second = 0; second < 600; second++) {
			for (let i = 0; i < 50; i++) window.add(record(t0 + second * 1000 + i, 1 + ((second * 50 + i) % 5000), 200, `127.0.0.1:${18101 + (i % 3)}`), t0 + second * 1000 + i);
		}

		const stats = window.read(t0 + 599_999);
		expect(stats.requests).toBe(60 * 50);
		expect(stats.sketch.store.bins.length).toBeLessThanOrEqual(1024);
	});

	it('uses wider slots for a long window so the ring stays small', () => {
		const window = createLatencyWindow(900);
		window.coverFrom(t0);
		for (let i = 0; i < 900; i++) window.add(record(t0 + i * 1000, 10), t0 + i * 1000);
		expect(window.read(t0 + 899_000).requests).toBeGreaterThanOrEqual(890);
	});
});
