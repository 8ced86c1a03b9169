// A container's CPU and memory read from its cgroup files instead of the Engine API's stats stream. Pure: it parses
// the text of /proc/PID/cgroup, /proc/self/mountinfo, /proc/stat and the cgroup files and builds the same
// DockerStatsJson the daemon would send, so one set of formulas (docker-stats.ts) serves both and the figures
// equal `docker stats`. The daemon builds its stats from these very files (moby daemon/stats_unix.go,
// daemon/stats/collector_unix.go); reading them ourselves costs the engine nothing.
import type {DockerStatsJson} from './docker-stats.js';

/** Where one container's counters live. */
export type CgroupFiles =
	| {version: 1; cpuacctDir: string; memoryDir: string}
	| {version: 2; dir: string};

interface CgroupMount {
	mountPoint: string;
	/** The cgroup path that is mounted there ("/" on the host). */
	root: string;
	/** cgroup v1: its controllers (cpu, cpuacct, memory, name=systemd, ...); v2: null. */
	controllers: string[] | null;
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescapeMount(text: string): string {
	return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/** The cgroup file systems of /proc/self/mountinfo (man 5 proc: fields, " - ", fstype, source, super options). */
/** The last mount table parsed: at a start every container is located against the same one. */
let lastMounts: {text: string; mounts: CgroupMount[]} | null = null;

function mountsOf(mountinfo: string): CgroupMount[] {
	if (lastMounts?.text !== mountinfo) lastMounts = {text: mountinfo, mounts: parseCgroupMounts(mountinfo)};
	return lastMounts.mounts;
}

export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
	const mounts: CgroupMount[] = [];
	for (const line of mountinfo.split('\n')) {
		const separator = line.indexOf(' - ');
		if (separator === -1) continue;
		const fields = line.slice(0, separator).split(' ');
		const [fsType, , superOptions = ''] = line.slice(separator + 3).split(' ');
		if (fields.length < 5 || (fsType !== 'cgroup' && fsType !== 'cgroup2')) continue;
		mounts.push({
			root: unescapeMount(fields[3]!),
			mountPoint: unescapeMount(fields[4]!),
			controllers: fsType === 'cgroup2' ? null : superOptions.split(',').filter(option => option !== 'rw' && option !== 'ro'),
		});
	}

	return mounts;
}

/** /proc/PID/cgroup: "hierarchy-ID:controller-list:path" lines; v2's line is "0::path". */
export function parseProcCgroup(text: string): {v1: Map<string, string>; v2: string | null} {
	const v1 = new Map<string, string>();
	let v2: string | null = null;
	for (const line of text.split('\n')) {
		const first = line.indexOf(':');
		const second = line.indexOf(':', first + 1);
		if (first === -1 || second === -1) continue;
		const controllers = line.slice(first + 1, second);
		const path = line.slice(second + 1);
		if (controllers === '') v2 = path;
		else for (const controller of controllers.split(',')) v1.set(controller, path);
	}

	return {v1, v2};
}

function join(mount: CgroupMount, path: string): string | null {
	const root = mount.root === '/' ? '' : mount.root;
	if (root !== '' && path !== root && !path.startsWith(`${root}/`)) return null;
	return mount.mountPoint.replace(/\/$/, '') + path.slice(root.length);
}

/**
 * The directories holding a container's counters, from its main process's /proc/PID/cgroup and our mountinfo.
 * null when they cannot be ours to read: the path does not name the container (another cgroup namespace, a
 * reused PID), or the controllers are not mounted where we can see them. Then the API's stats are used.
 */
export function cgroupFilesFor(procCgroup: string, mountinfo: string, containerId: string): CgroupFiles | null {
	const {v1, v2} = parseProcCgroup(procCgroup);
	const mounts = mountsOf(mountinfo);
	const names = (path: string) => path.includes(containerId);
	const cpuacct = v1.get('cpuacct');
	const memory = v1.get('memory');
	if (cpuacct !== undefined && memory !== undefined) {
		if (!names(cpuacct) || !names(memory)) return null;
		const cpuacctMount = mounts.find(mount => mount.controllers?.includes('cpuacct'));
		const memoryMount = mounts.find(mount => mount.controllers?.includes('memory'));
		const cpuacctDir = cpuacctMount ? join(cpuacctMount, cpuacct) : null;
		const memoryDir = memoryMount ? join(memoryMount, memory) : null;
		return cpuacctDir && memoryDir ? {version: 1, cpuacctDir, memoryDir} : null;
	}

	if (v2 !== null && v1.size === 0 && names(v2)) {
		const unified = mounts.find(mount => mount.controllers === null);
		const dir = unified ? join(unified, v2) : null;
		return dir ? {version: 2, dir} : null;
	}

	return null;
}

/** One counter of a "key value" file (memory.stat, cpu.stat), without building all ~40 of memory.stat: this runs per instance per second. */
export function counterOf(text: string, key: string): number | undefined {
	const line = text.startsWith(`${key} `) ? 0 : text.indexOf(`\n${key} `) + 1;
	if (line === 0 && !text.startsWith(`${key} `)) return undefined;
	const from = line + key.length + 1;
	const to = text.indexOf('\n', from);
	const value = text.slice(from, to === -1 ? undefined : to).trim();
	return /^\d+$/.test(value) ? Number(value) : undefined;
}

/** Linux's USER_HZ: /proc/stat counts in 1/100 s on every architecture Docker runs on (moby assumes it too). */
const clockTicksPerSecond = 100;

/**
 * The host's CPU time and CPU count from /proc/stat, as the daemon computes system_cpu_usage: the first seven
 * fields of the "cpu" line (user, nice, system, idle, iowait, irq, softirq) in ns; online CPUs are the cpuN lines.
 */
export function parseProcStat(text: string): {systemNs: number; onlineCpus: number} | null {
	let systemNs: number | null = null;
	let onlineCpus = 0;
	for (const line of text.split('\n')) {
		if (!line.startsWith('cpu')) continue;
		if (line.startsWith('cpu ')) {
			const fields = line.trim().split(/\s+/).slice(1, 8).map(Number);
			if (fields.length < 7 || fields.some(field => !Number.isFinite(field))) return null;
			const ticks = fields.reduce((sum, field) => sum + field, 0);
			systemNs = (ticks * 1e9) / clockTicksPerSecond;
		} else if (/^cpu\d/.test(line)) {
			onlineCpus++;
		}
	}

	return systemNs === null || onlineCpus === 0 ? null : {systemNs, onlineCpus};
}

/** The raw text of one reading of a container's files. */
export interface CgroupTexts {
	/** v1 cpuacct.usage (ns); v2 cpu.stat. */
	cpu: string;
	/** v1 memory.usage_in_bytes; v2 memory.current. */
	memoryUsage: string;
	/** v1 memory.limit_in_bytes; v2 memory.max ("max" when unlimited). */
	memoryLimit: string;
	memoryStat: string;
}

export interface CgroupReading {
	/** Epoch ms. */
	at: number;
	cpuTotalNs: number;
	systemNs: number;
	onlineCpus: number;
	usageBytes: number;
	/** Unlimited containers report the host's memory, as the daemon does. */
	limitBytes: number;
	inactiveFile: number | undefined;
	version: 1 | 2;
}

/** The four files of one reading, by cgroup version. */
export function cgroupFilePaths(files: CgroupFiles): Record<keyof CgroupTexts, string> {
	if (files.version === 1) {
		return {
			cpu: `${files.cpuacctDir}/cpuacct.usage`,
			memoryUsage: `${files.memoryDir}/memory.usage_in_bytes`,
			memoryLimit: `${files.memoryDir}/memory.limit_in_bytes`,
			memoryStat: `${files.memoryDir}/memory.stat`,
		};
	}

	return {cpu: `${files.dir}/cpu.stat`, memoryUsage: `${files.dir}/memory.current`, memoryLimit: `${files.dir}/memory.max`, memoryStat: `${files.dir}/memory.stat`};
}

/** A file holding one number; NaN for anything else (an empty file is not a zero). */
function wholeNumber(text: string): number {
	const trimmed = text.trim();
	return /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
}

/** One reading from the files' texts; null when a file did not hold a number (the cgroup is going away). */
export function toCgroupReading(
	version: 1 | 2,
	texts: CgroupTexts,
	host: {systemNs: number; onlineCpus: number; memoryBytes: number},
	at: number,
): CgroupReading | null {
	const cpuTotalNs = version === 1 ? wholeNumber(texts.cpu) : (counterOf(texts.cpu, 'usage_usec') ?? Number.NaN) * 1000;
	const usageBytes = wholeNumber(texts.memoryUsage);
	const limit = texts.memoryLimit.trim() === 'max' ? Number.POSITIVE_INFINITY : wholeNumber(texts.memoryLimit);
	if (!Number.isFinite(cpuTotalNs) || !Number.isFinite(usageBytes) || Number.isNaN(limit)) return null;
	return {
		at,
		cpuTotalNs,
		systemNs: host.systemNs,
		onlineCpus: host.onlineCpus,
		usageBytes,
		// v1 says "no limit" with a page-rounded 2^63; the daemon then reports the machine's memory.
		limitBytes: limit > host.memoryBytes && host.memoryBytes > 0 ? host.memoryBytes : limit,
		inactiveFile: counterOf(texts.memoryStat, version === 1 ? 'total_inactive_file' : 'inactive_file'),
		version,
	};
}

/** The stats message the daemon would have sent for this reading after the previous one. */
export function cgroupStatsJson(reading: CgroupReading, previous: CgroupReading | null): DockerStatsJson {
	const inactive = reading.inactiveFile;
	return {
		read: new Date(reading.at).toISOString(),
		cpu_stats: {cpu_usage: {total_usage: reading.cpuTotalNs}, system_cpu_usage: reading.systemNs, online_cpus: reading.onlineCpus},
		precpu_stats: previous ? {cpu_usage: {total_usage: previous.cpuTotalNs}, system_cpu_usage: previous.systemNs, online_cpus: previous.onlineCpus} : {},
		memory_stats: {
			usage: reading.usageBytes,
			limit: reading.limitBytes,
			stats: inactive === undefined ? {} : reading.version === 1 ? {total_inactive_file: inactive} : {inactive_file: inactive},
		},
	};
}
