// Bounded waits: no source ever waits on a server for longer than its timeout, and no timer outlives a stop().

/** An error that describeError words as `timed out after 2s at HOST:PORT`. */
export function timeoutError(what = 'connect'): Error {
	return Object.assign(new Error(`${what} ETIMEDOUT`), {code: 'ETIMEDOUT'});
}

/** Waits for the promise, at most ms, never rejecting; clears its timer so nothing is left running after stop(). */
export async function atMost(promise: Promise<unknown>, ms: number): Promise<void> {
	let timer: NodeJS.Timeout | undefined;
	try {
		await Promise.race([
			promise.catch(() => undefined),
			new Promise<void>(resolve => {
				timer = setTimeout(resolve, ms);
			}),
		]);
	} finally {
		clearTimeout(timer);
	}
}

/** The promise's value, or a timeoutError after ms (the promise is left to settle on its own). */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what?: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	try {
		return await Promise.race([
			promise,
			new Promise<never>((_, reject) => {
				timer = setTimeout(() => reject(timeoutError(what)), ms);
			}),
		]);
	} finally {
		clearTimeout(timer);
	}
}
