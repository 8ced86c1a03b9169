// Per-series history for the charts and trends. Bounded twice: samples per series, and number of series.
import {RingBuffer, type RingParts} from './ring-buffer.js';

/** One hour at one sample a second. */
export const defaultHistoryCapacity = 3600;
/** Instances come and go during scaling; series of long-gone ones are dropped past this many. */
export const defaultMaxSeries = 1024;

export const seriesKey = {
	instanceCpu: (id: string) => `cpu:${id}`,
	instanceMem: (id: string) => `mem:${id}`,
	serviceCpu: 'service:cpu',
	serviceMem: 'service:mem',
	/** A source's series, as its model's series() names it: `postgres:ratio`. */
	source: (id: string, name: string) => `${id}:${name}`,
} as const;

export class History {
	private readonly series = new Map<string, RingBuffer>();

	constructor(
		readonly capacity = defaultHistoryCapacity,
		readonly maxSeries = defaultMaxSeries,
	) {}

	get seriesCount(): number {
		return this.series.size;
	}

	push(key: string, time: number, value: number): void {
		if (!Number.isFinite(value)) return;
		this.buffer(key).push(time, value);
	}

	private buffer(key: string): RingBuffer {
		let buffer = this.series.get(key);
		if (buffer === undefined) {
			if (this.series.size >= this.maxSeries) this.evictOldest();
			buffer = new RingBuffer(this.capacity);
			this.series.set(key, buffer);
		}

		return buffer;
	}

	/** Many samples of one series at once, oldest first (the recorded hour at the start): as push, in bulk. */
	pushMany(key: string, times: Float64Array, values: Float64Array, from = 0, to = times.length): void {
		if (from >= to) return;
		for (let i = from; i < to; i++) {
			if (!Number.isFinite(values[i]!)) {
				for (let j = from; j < to; j++) this.push(key, times[j]!, values[j]!);
				return;
			}
		}

		this.buffer(key).pushMany(times, values, from, to);
	}

	/** Every series' ring as parts, to hand this history to another thread (it must not be used after). */
	handOver(): Array<{key: string; ring: RingParts}> {
		return [...this.series].map(([key, buffer]) => ({key, ring: buffer.parts()}));
	}

	/** Takes series handed over by handOver(), as if each had been pushed in: the backfill built on another thread. */
	adopt(series: ReadonlyArray<{key: string; ring: RingParts}>): void {
		for (const {key, ring} of series) {
			if (ring.capacity !== this.capacity || ring.times.length !== ring.capacity || ring.values.length !== ring.capacity) {
				// Built for another size: taken sample by sample.
				for (let i = 0; i < ring.count; i++) this.push(key, ring.times[(ring.start + i) % ring.capacity]!, ring.values[(ring.start + i) % ring.capacity]!);
				continue;
			}

			if (!this.series.has(key) && this.series.size >= this.maxSeries) this.evictOldest();
			this.series.set(key, new RingBuffer(this.capacity, ring));
		}
	}

	values(key: string, since: number): number[] {
		return this.series.get(key)?.valuesSince(since) ?? [];
	}

	/** Samples with time >= since, oldest first (the incident snapshot's charts). */
	samples(key: string, since: number): Array<{time: number; value: number}> {
		return this.series.get(key)?.samplesSince(since) ?? [];
	}

	keys(): string[] {
		return [...this.series.keys()];
	}

	last(key: string): {time: number; value: number} | undefined {
		return this.series.get(key)?.last();
	}

	delete(key: string): void {
		this.series.delete(key);
	}

	/** Drops the series whose newest sample is the oldest: an instance long gone. */
	private evictOldest(): void {
		let oldestKey: string | undefined;
		let oldestTime = Number.POSITIVE_INFINITY;
		for (const [key, buffer] of this.series) {
			const time = buffer.last()?.time ?? Number.NEGATIVE_INFINITY;
			if (time < oldestTime) {
				oldestTime = time;
				oldestKey = key;
			}
		}

		if (oldestKey !== undefined) this.series.delete(oldestKey);
	}
}
