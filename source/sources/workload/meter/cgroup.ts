// The local-engine transport: every cgroup-read instance in one round per interval (one view change for all), its
// first CPU figure a quarter of a second after the first reading, and a ping per round, since the rounds ask the engine
// nothing and the status must still show when it stops answering.
import {cgroupStatsJson, type CgroupFiles} from '../../../core/cgroup-stats.js';
import type {CgroupReader, HostCpu} from '../../docker/cgroup-reader.js';
import type {MeterContext} from './context.js';
import {applyStats, type MeteredEntry} from './slot.js';

/** A new instance's second cgroup reading comes this soon, so its first CPU figure is not a whole interval away. */
export const firstCpuReadingMs = 250;

export interface CgroupRounds {
	/** The entry's cgroup files, looked up once per pid; null when they are not ours to read. */
	filesOf(entry: MeteredEntry): CgroupFiles | null;
	/** Moves the entry to the rounds (call once filesOf found its files). */
	start(entry: MeteredEntry): void;
	/** Stops the timers (the connection is gone, or va-top stops). */
	stop(): void;
}

export function createCgroupRounds(context: MeterContext, cgroups: CgroupReader, intervalMs: number): CgroupRounds {
	const {entries, link, now} = context;
	let sampleTimer: NodeJS.Timeout | undefined;
	let quickTimer: NodeJS.Timeout | undefined;

	/** One reading into the row; a file gone means the cgroup is (the die event follows, or a stream takes over). */
	function read(entry: MeteredEntry, host: HostCpu, at: number): boolean {
		const slot = entry.meter;
		const reading = slot.cgroup ? cgroups.read(slot.cgroup, host, at) : null;
		if (!reading) {
			slot.viaCgroup = false;
			slot.cgroupLast = null;
			slot.cgroup = null;
			return false;
		}

		applyStats(entry, cgroupStatsJson(reading, slot.cgroupLast), now());
		slot.cgroupLast = reading;
		return true;
	}

	/** Every cgroup-read instance in one go, one view change for all; firstOnly: those still without a CPU figure. */
	function round(firstOnly: boolean): void {
		if (!link.isUp()) return;
		const host = cgroups.host();
		if (!host) return;
		const at = now();
		let count = 0;
		for (const [id, entry] of entries) {
			if (!entry.meter.viaCgroup) continue;
			if (firstOnly && entry.sample.cpuPercent !== null) continue;
			if (read(entry, host, at)) count++;
			else context.resync(id);
		}

		// A full round visits every cgroup-read instance: none read means none left.
		if (!firstOnly && count === 0) {
			clearInterval(sampleTimer);
			sampleTimer = undefined;
		}

		if (count > 0) context.changed();
		if (!firstOnly) link.ping();
	}

	return {
		filesOf(entry) {
			const slot = entry.meter;
			if (entry.pid <= 0) return null;
			if (slot.cgroupPid !== entry.pid) {
				slot.cgroupPid = entry.pid;
				slot.cgroup = cgroups.locate(entry.pid, entry.sample.id);
			}

			return slot.cgroup;
		},
		start(entry) {
			entry.meter.viaCgroup = true;
			entry.meter.cgroupLast = null;
			// The first reading gives memory at once; CPU needs the second, which comes soon rather than in a second.
			const host = cgroups.host();
			if (host) read(entry, host, now());
			quickTimer ??= setTimeout(() => {
				quickTimer = undefined;
				round(true);
			}, firstCpuReadingMs);
			sampleTimer ??= setInterval(() => round(false), intervalMs);
		},
		stop() {
			clearInterval(sampleTimer);
			sampleTimer = undefined;
			clearTimeout(quickTimer);
			quickTimer = undefined;
			cgroups.close();
		},
	};
}
