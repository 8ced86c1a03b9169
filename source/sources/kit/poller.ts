// One reading per interval that never overlaps the last: a slow reading makes the next tick skip.

export interface Poller {
	/** Reads at once, then every interval. */
	start(): void;
	/** Stops the ticks and resolves when the reading in flight (if any) has ended. */
	stop(): Promise<void>;
	/** Reads now unless a reading is in flight. */
	tick(): void;
}

export function createPoller(intervalMs: number, read: () => Promise<void>): Poller {
	let timer: NodeJS.Timeout | undefined;
	let reading: Promise<void> | null = null;
	let running = false;
	const tick = () => {
		if (!running || reading) return;
		reading = read()
			.catch(() => undefined)
			.finally(() => {
				reading = null;
			});
	};

	return {
		start() {
			if (running) return;
			running = true;
			tick();
			timer = setInterval(tick, intervalMs);
		},
		async stop() {
			running = false;
			clearInterval(timer);
			timer = undefined;
			await reading;
		},
		tick,
	};
}
