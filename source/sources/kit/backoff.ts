// How long to wait before the next attempt after a failure: the same for every source.

/** Grows by stepMs per failed attempt up to maxMs (500 ms, 1 s, … 5 s), and never gives up while running. */
export function backoffDelay(attempt: number, stepMs = 500, maxMs = 5000): number {
	return Math.min(Math.max(attempt, 1) * stepMs, maxMs);
}
