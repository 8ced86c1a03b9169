// The API transport past the stream limit: `stats?stream=false&one-shot=true` for instances out of focus, every
// spacedEveryMs once they have a first CPU figure, at most a few requests at once.
import type {DockerStatsJson} from '../../../core/docker-stats.js';
import type {MeterContext} from './context.js';
import type {MeteredEntry} from './slot.js';
import {takeStats} from './stream.js';

export const defaultSpacedEveryMs = 10_000;
/** The spaced readings' clock, and the wait between a new instance's first two one-shot readings. */
export const spacedTickMs = 500;
/** One-shot readings in flight at once, so a big service does not open hundreds of requests together. */
const spacedConcurrency = 4;

export interface SpacedReadings {
	/** Moves the entry to spaced readings: read at once when it has no CPU counters yet, else within spacedEveryMs. */
	begin(entry: MeteredEntry): void;
	stop(): void;
}

export function createSpacedReadings(context: MeterContext, spacedEveryMs: number): SpacedReadings {
	const {entries, link, now} = context;
	let timer: NodeJS.Timeout | undefined;

	function tick(): void {
		if (!link.isUp()) return;
		const at = now();
		let spaced = 0;
		let inFlight = 0;
		const due: MeteredEntry[] = [];
		for (const entry of entries.values()) {
			if (!entry.meter.spaced) continue;
			spaced++;
			if (entry.meter.spacedInFlight) inFlight++;
			else if (entry.meter.spacedDueAt <= at) due.push(entry);
		}

		if (spaced === 0) {
			clearInterval(timer);
			timer = undefined;
			return;
		}

		due.sort((a, b) => a.meter.spacedDueAt - b.meter.spacedDueAt);
		for (const entry of due.slice(0, Math.max(0, spacedConcurrency - inFlight))) readOnce(entry);
	}

	/** GET /containers/{id}/stats?stream=false&one-shot=true: one message at once, the daemon reads the cgroup once. */
	function readOnce(entry: MeteredEntry): void {
		const id = entry.sample.id;
		const slot = entry.meter;
		const readEpoch = link.epoch();
		slot.spacedInFlight = true;
		link
			.request((signal) => link.docker.getContainer(id).stats({stream: false, 'one-shot': true, abortSignal: signal} as unknown as {stream: false}))
			.then(
				(answer) => {
					slot.spacedInFlight = false;
					if (!link.current(readEpoch) || entries.get(id) !== entry || !slot.spaced) return;
					const stats = answer as DockerStatsJson;
					// Engines older than API 1.41 ignore one-shot and send a precpu of their own; else it is ours.
					if (!stats.precpu_stats?.system_cpu_usage && slot.lastCpu) stats.precpu_stats = slot.lastCpu;
					const first = slot.lastCpu === null;
					slot.spacedDueAt = now() + (first ? spacedTickMs : spacedEveryMs);
					takeStats(context, entry, stats);
				},
				() => {
					// Gone (its events follow) or the daemon is slow: try again at the usual spacing.
					slot.spacedInFlight = false;
					slot.spacedDueAt = now() + spacedEveryMs;
				},
			);
	}

	return {
		begin(entry) {
			const last = entry.meter.lastCpu;
			entry.meter.spaced = true;
			// Straight from a stream it has a figure and counters: the next reading can wait; a new one is read at once.
			entry.meter.spacedDueAt = last === null ? 0 : now() + spacedEveryMs * (0.5 + Math.random() / 2);
			timer ??= setInterval(tick, spacedTickMs);
		},
		stop() {
			clearInterval(timer);
			timer = undefined;
		},
	};
}
