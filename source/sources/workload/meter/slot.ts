// What the meter keeps per instance, and how one stats reading of any transport lands in the instance's row.
import type {CgroupFiles, CgroupReading} from '../../../core/cgroup-stats.js';
import {cpuPercent, memoryUsage, type DockerCpuStats, type DockerStatsJson} from '../../../core/docker-stats.js';
import type {ContainerState, InstanceSample} from '../../../core/types.js';
import type {StatsReader} from '../../docker/stats-reader.js';

export interface MeterSlot {
	reader: StatsReader | null;
	reopenTimer: NodeJS.Timeout | undefined;
	/** The pid the cgroup files were looked up for, so a failed lookup is not repeated every time. */
	cgroupPid: number;
	cgroup: CgroupFiles | null;
	/** Read by the cgroup rounds rather than a stream. */
	viaCgroup: boolean;
	cgroupLast: CgroupReading | null;
	/** Read with spaced one-shot requests (API, out of focus). */
	spaced: boolean;
	spacedDueAt: number;
	spacedInFlight: boolean;
	/**
	 * The CPU counters of the newest reading of any kind: one-shot answers carry no precpu_stats, and an instance moved
	 * from a stream to spaced readings needs no new pair.
	 */
	lastCpu: DockerCpuStats | null;
}

/** A member as the meter sees it: its row (numbers written here) and where its cgroup is found. */
export interface MeteredEntry {
	sample: InstanceSample;
	/** The container's main process, from inspect: where its cgroup is found; 0 when not running. */
	pid: number;
	meter: MeterSlot;
}

export function emptySlot(): MeterSlot {
	return {
		reader: null,
		reopenTimer: undefined,
		cgroupPid: 0,
		cgroup: null,
		viaCgroup: false,
		cgroupLast: null,
		spaced: false,
		spacedDueAt: 0,
		spacedInFlight: false,
		lastCpu: null,
	};
}

/** A container of the project's other services: metered like the instances, but never streamed nor in focus. */
export function isOther(entry: MeteredEntry): boolean {
	return entry.sample.service !== undefined;
}

export function isRunning(state: ContainerState): boolean {
	return state === 'running' || state === 'paused';
}

/** One reading into the row. */
export function applyStats(entry: MeteredEntry, stats: DockerStatsJson, now: number): void {
	const cpu = cpuPercent(stats);
	entry.meter.lastCpu = stats.cpu_stats ?? null;
	const memory = memoryUsage(stats);
	const previous = entry.sample;
	const read = stats.read === undefined ? Number.NaN : Date.parse(stats.read);
	entry.sample = {
		...previous,
		// The first message of a stream has no delta yet: keep the last value instead of a blank.
		cpuPercent: cpu ?? previous.cpuPercent,
		memPercent: memory ? memory.percent : previous.memPercent,
		memUsageBytes: memory ? memory.usageBytes : previous.memUsageBytes,
		memLimitBytes: memory ? memory.limitBytes : previous.memLimitBytes,
		sampledAt: read > 0 ? read : now,
	};
}
