// Resampling of a window's values to the points a chart or sparkline has room for. Pure.

/** Finite values only, clamped to [min, max]; a NaN or ±Infinity takes the previous good value (or is dropped at the start). */
export function cleanSeries(values: readonly number[], min = 0, max = 100): number[] {
	const out: number[] = [];
	for (const value of values) {
		if (typeof value === 'number' && Number.isFinite(value)) {
			out.push(Math.min(max, Math.max(min, value)));
		} else if (out.length > 0) {
			out.push(out[out.length - 1]!);
		}
	}

	return out;
}

/**
 * At most `points` values, aligned to the newest: each point is the max of its bucket so a one-second spike
 * survives in a one-hour window. `expected` is how many samples the full window holds; when history is shorter
 * than the window the result is shorter too, so time keeps the same scale across windows.
 */
export function bucketMax(values: readonly number[], points: number, expected = values.length): number[] {
	if (points <= 0 || values.length === 0) return [];
	const perPoint = Math.max(1, Math.max(expected, values.length) / points);
	const count = Math.min(points, Math.max(1, Math.ceil(values.length / perPoint)));
	if (perPoint === 1 && values.length <= points) return values.slice();
	const out = new Array<number>(count);
	const end = values.length;
	for (let i = 0; i < count; i++) {
		// Bucket i counts back from the newest sample; boundaries are rounded so every sample lands in one bucket.
		const from = Math.max(0, end - Math.round((count - i) * perPoint));
		const to = Math.max(from + 1, end - Math.round((count - i - 1) * perPoint));
		let best = Number.NEGATIVE_INFINITY;
		for (let j = from; j < to && j < end; j++) best = Math.max(best, values[j]!);
		out[i] = Number.isFinite(best) ? best : values[Math.min(from, end - 1)]!;
	}

	return out;
}

const blocks = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** A one-line trend of exactly `width` cells, newest on the right, padded with spaces on the left. */
export function sparkline(values: readonly number[], width: number, min = 0, max = 100): string {
	if (width <= 0) return '';
	const points = bucketMax(cleanSeries(values, min, max), width);
	const span = max - min || 1;
	const line = points.map(value => blocks[Math.min(blocks.length - 1, Math.max(0, Math.round(((value - min) / span) * (blocks.length - 1))))]).join('');
	return ' '.repeat(width - points.length) + line;
}
