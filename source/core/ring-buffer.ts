// Fixed-capacity time series: memory is set at creation and never grows with run time.

/** A ring's whole state as plain arrays: built on one thread, handed to another without copying (backfill). */
export interface RingParts {
	capacity: number;
	times: Float64Array;
	values: Float64Array;
	start: number;
	count: number;
}

export class RingBuffer {
	readonly capacity: number;
	private readonly times: Float64Array;
	private readonly values: Float64Array;
	private start = 0;
	private count = 0;

	constructor(capacity: number, parts?: RingParts) {
		if (!Number.isInteger(capacity) || capacity < 1) {
			throw new RangeError(`ring buffer capacity must be a positive integer, got ${capacity}`);
		}

		if (parts !== undefined && !(parts.capacity === capacity && parts.times.length === capacity && parts.values.length === capacity && parts.count <= capacity && parts.start < capacity)) {
			throw new RangeError(`ring parts of capacity ${parts.capacity} do not fit a ring of ${capacity}`);
		}

		this.capacity = capacity;
		this.times = parts?.times ?? new Float64Array(capacity);
		this.values = parts?.values ?? new Float64Array(capacity);
		this.start = parts?.start ?? 0;
		this.count = parts?.count ?? 0;
	}

	/** The ring's arrays themselves (not copies): for a ring that is handed over, not kept. */
	parts(): RingParts {
		return {capacity: this.capacity, times: this.times, values: this.values, start: this.start, count: this.count};
	}

	get size(): number {
		return this.count;
	}

	push(time: number, value: number): void {
		const index = (this.start + this.count) % this.capacity;
		this.times[index] = time;
		this.values[index] = value;
		if (this.count < this.capacity) {
			this.count++;
		} else {
			this.start = (this.start + 1) % this.capacity;
		}
	}

	/** Samples from..to (exclusive) of two parallel arrays, as that many push calls would: at most two copies. */
	pushMany(times: Float64Array, values: Float64Array, from = 0, to = times.length): void {
		// Only the last `capacity` of them would stay.
		const first = Math.max(from, to - this.capacity);
		let at = first;
		while (at < to) {
			const index = (this.start + this.count) % this.capacity;
			const run = Math.min(to - at, this.capacity - index);
			this.times.set(times.subarray(at, at + run), index);
			this.values.set(values.subarray(at, at + run), index);
			at += run;
			const kept = Math.min(this.capacity - this.count, run);
			this.count += kept;
			this.start = (this.start + (run - kept)) % this.capacity;
		}
	}

	/** The newest sample, or undefined when empty. */
	last(): {time: number; value: number} | undefined {
		if (this.count === 0) return undefined;
		const index = (this.start + this.count - 1) % this.capacity;
		return {time: this.times[index]!, value: this.values[index]!};
	}

	/** Values with time >= since, oldest first. */
	valuesSince(since: number): number[] {
		const out: number[] = [];
		for (let i = 0; i < this.count; i++) {
			const index = (this.start + i) % this.capacity;
			if (this.times[index]! >= since) out.push(this.values[index]!);
		}

		return out;
	}

	/** Samples with time >= since, oldest first. */
	samplesSince(since: number): Array<{time: number; value: number}> {
		const out: Array<{time: number; value: number}> = [];
		for (let i = 0; i < this.count; i++) {
			const index = (this.start + i) % this.capacity;
			if (this.times[index]! >= since) out.push({time: this.times[index]!, value: this.values[index]!});
		}

		return out;
	}
}
