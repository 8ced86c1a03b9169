// How each running member is metered, chosen again whenever membership, focus or the connection changes: its cgroup
// files when they are ours to read (local engine), else a stats stream while it is in the stream set (all up to the
// limit, those on screen first past it), else spaced one-shot readings. A member that does not run, or an engine that
// is not connected, has no reader at all. The project's other services' containers are read by the same cgroup
// rounds locally and by spaced one-shot readings over the API: they never take a stream from the app's instances.
import type {CgroupReader} from '../../docker/cgroup-reader.js';
import {createCgroupRounds, type CgroupRounds} from './cgroup.js';
import type {MeterContext} from './context.js';
import {defaultStreamLimit, streamSet} from './plan.js';
import {isOther, isRunning, type MeteredEntry} from './slot.js';
import {createSpacedReadings, defaultSpacedEveryMs, spacedTickMs} from './spaced.js';
import {closeStream, openStream} from './stream.js';

export interface MeterOptions {
	/** null: no cgroup files (a remote engine, or --docker-stats api). */
	cgroups: CgroupReader | null;
	/** Between rounds of cgroup reads (the streams come at the daemon's pace, about 1 s). */
	intervalMs: number;
	streamLimit?: number;
	spacedEveryMs?: number;
}

export interface Meter {
	/** A reader exactly while the member runs and the engine is connected. */
	sync(id: string): void;
	/** Chooses the stream set again, then syncs every member. */
	rebalance(): void;
	/** The instances on screen; null: the lowest numbers. */
	focus(ids: readonly string[] | null): void;
	/** The member is gone or stopped: its reader closes and its counters are forgotten. */
	release(entry: MeteredEntry): void;
	/** The connection is gone or va-top stops: every timer and reader closes (the rows keep their numbers). */
	pause(): void;
	/** How running members are read now: the app's instances (others: false) or the other services' containers. */
	counts(others?: boolean): {cgroup: number; api: number; spaced: number};
}

export function createMeter(context: Omit<MeterContext, 'resync'>, options: MeterOptions): Meter {
	const {entries, link} = context;
	const streamLimit = Math.max(1, options.streamLimit ?? defaultStreamLimit);
	const spacedEveryMs = Math.max(spacedTickMs, options.spacedEveryMs ?? defaultSpacedEveryMs);
	let focused: Set<string> | null = null;
	// null: every API-read member streams (there are no more than streamLimit of them).
	let streaming: Set<string> | null = null;
	const full: MeterContext = {...context, resync: (id) => sync(id)};
	const rounds: CgroupRounds | null = options.cgroups ? createCgroupRounds(full, options.cgroups, Math.max(100, options.intervalMs)) : null;
	const spaced = createSpacedReadings(full, spacedEveryMs);

	function release(entry: MeteredEntry): void {
		entry.meter.viaCgroup = false;
		entry.meter.cgroupLast = null;
		entry.meter.spaced = false;
		entry.meter.lastCpu = null;
		closeStream(full, entry);
	}

	function sync(id: string): void {
		const entry = entries.get(id);
		if (!entry) return;
		const slot = entry.meter;
		if (!link.isUp() || !isRunning(entry.sample.state)) {
			if (slot.reader || slot.reopenTimer || slot.viaCgroup || slot.spaced) release(entry);
			return;
		}

		if (slot.viaCgroup) return;
		if (rounds?.filesOf(entry)) {
			closeStream(full, entry);
			slot.spaced = false;
			rounds.start(entry);
			return;
		}

		if (!isOther(entry) && (streaming === null || streaming.has(id))) {
			slot.spaced = false;
			if (!slot.reader && !slot.reopenTimer) openStream(full, id, entry);
			return;
		}

		if (slot.spaced) return;
		const last = entry.sample.cpuPercent === null ? null : slot.lastCpu;
		release(entry);
		slot.lastCpu = last;
		spaced.begin(entry);
	}

	function rebalance(): void {
		const viaApi = [...entries.values()].filter((entry) => !isOther(entry) && isRunning(entry.sample.state) && !entry.meter.viaCgroup && !rounds?.filesOf(entry));
		streaming = streamSet(
			viaApi.map((entry) => entry.sample),
			streamLimit,
			focused,
		);
		for (const id of entries.keys()) sync(id);
	}

	return {
		sync,
		rebalance,
		focus(ids) {
			const next = ids === null ? null : new Set(ids);
			if (next === focused || (next && focused && next.size === focused.size && [...next].every((id) => focused!.has(id)))) return;
			focused = next;
			if (link.isUp()) rebalance();
		},
		release,
		pause() {
			spaced.stop();
			rounds?.stop();
			for (const entry of entries.values()) release(entry);
		},
		counts(others = false) {
			const counts = {cgroup: 0, api: 0, spaced: 0};
			for (const entry of entries.values()) {
				if (isOther(entry) !== others) continue;
				if (entry.meter.viaCgroup) counts.cgroup++;
				else if (entry.meter.reader || entry.meter.reopenTimer) counts.api++;
				else if (entry.meter.spaced) counts.spaced++;
			}

			return counts;
		},
	};
}
