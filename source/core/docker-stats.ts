// CPU and memory numbers from one Docker stats message, computed the way the docker CLI does
// (docker/cli cli/command/container/stats_helpers.go: calculateCPUPercentUnix,
// calculateMemUsageUnixNoCache, calculateMemPercentUnixNoCache), so va-top and `docker stats` agree.
// Where the CLI prints a silent 0 for "cannot know" (no previous reading, no limit), these return null.

/** The part of GET /containers/{id}/stats that the formulas read. Everything is optional: the
 * daemon leaves fields out for stopped containers, first readings and other cgroup versions. */
export interface DockerCpuStats {
	cpu_usage?: {
		total_usage?: number;
		/** cgroup v1 only; also absent on API >= 1.44 hosts. */
		percpu_usage?: number[] | null;
	};
	/** Host CPU time in ns; absent in precpu_stats of the first reading. */
	system_cpu_usage?: number;
	online_cpus?: number;
}

export interface DockerStatsJson {
	/** RFC 3339 time of this reading. */
	read?: string;
	cpu_stats?: DockerCpuStats;
	precpu_stats?: DockerCpuStats;
	memory_stats?: {
		usage?: number;
		limit?: number;
		/** cgroup v1 has total_inactive_file; cgroup v2 has inactive_file (v1 has it too, per cgroup). */
		stats?: Record<string, number | undefined>;
	};
}

export interface MemoryUsage {
	/** Usage without inactive file cache, as `docker stats` MEM USAGE shows it. */
	usageBytes: number;
	/** The container's limit; the host's memory when none is set (that is what the daemon reports). */
	limitBytes: number | null;
	/** usageBytes / limitBytes * 100; null when the daemon gave no limit. */
	percent: number | null;
}

/**
 * CPU % over the interval between precpu_stats and cpu_stats; 100 % is one full core, so a
 * container can reach online_cpus * 100. null when there is no previous reading yet (the first
 * message of a stream), no time passed, the CPU count is unknown, or the counters went backwards.
 */
export function cpuPercent(stats: DockerStatsJson): number | null {
	const current = stats.cpu_stats;
	const previous = stats.precpu_stats;
	const currentSystem = current?.system_cpu_usage;
	const previousSystem = previous?.system_cpu_usage;
	const currentTotal = current?.cpu_usage?.total_usage;
	if (!currentSystem || !previousSystem || currentTotal === undefined) return null;
	const systemDelta = currentSystem - previousSystem;
	if (systemDelta <= 0) return null;
	const cpuDelta = currentTotal - (previous?.cpu_usage?.total_usage ?? 0);
	// A restarted container's counter starts again from 0: that delta means nothing.
	if (cpuDelta < 0) return null;
	let onlineCpus = current.online_cpus ?? 0;
	if (onlineCpus === 0) onlineCpus = current.cpu_usage?.percpu_usage?.length ?? 0;
	if (onlineCpus === 0) return null;
	return (cpuDelta / systemDelta) * onlineCpus * 100;
}

/** Memory in use without reclaimable file cache. null when the reading has no usage (stopped container). */
export function memoryUsage(stats: DockerStatsJson): MemoryUsage | null {
	const memory = stats.memory_stats;
	const usage = memory?.usage;
	if (usage === undefined) return null;
	const counters = memory?.stats;
	let usageBytes = usage;
	// Same order as the CLI: cgroup v1's hierarchical counter first, then cgroup v2's.
	const v1Inactive = counters?.total_inactive_file;
	const v2Inactive = counters?.inactive_file;
	if (v1Inactive !== undefined && v1Inactive < usage) usageBytes = usage - v1Inactive;
	else if (v2Inactive !== undefined && v2Inactive < usage) usageBytes = usage - v2Inactive;
	const limit = memory?.limit;
	if (!limit) return {usageBytes, limitBytes: null, percent: null};
	return {usageBytes, limitBytes: limit, percent: (usageBytes / limit) * 100};
}
