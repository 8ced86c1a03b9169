// Readings from /proc: CPU time and resident memory of process trees, the Docker engine's processes,
// the whole machine's CPU. Cheap synchronous reads, so sampling does not disturb what it measures.
import {execFileSync} from 'node:child_process';
import {readFileSync, readdirSync} from 'node:fs';

export const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).trim()) || 100;

function read(path) {
	try {
		return readFileSync(path, 'utf8');
	} catch {
		return null; // the process is gone
	}
}

/** {pid, comm, ppid, cpuSeconds} from /proc/PID/stat, or null when the process is gone. */
export function procStat(pid) {
	const text = read(`/proc/${pid}/stat`);
	if (text === null) return null;
	// comm may hold spaces and parentheses: split after the last ')'.
	const close = text.lastIndexOf(')');
	const comm = text.slice(text.indexOf('(') + 1, close);
	const fields = text.slice(close + 2).split(' ');
	// fields[0] is state (field 3); utime is field 14, stime field 15.
	return {pid, comm, ppid: Number(fields[1]), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / clockTicks};
}

/** VmRSS and VmHWM in bytes, or null when the process is gone. */
export function procMemory(pid) {
	const text = read(`/proc/${pid}/status`);
	if (text === null) return null;
	const kb = name => {
		const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
		return match ? Number(match[1]) * 1024 : 0;
	};
	return {rss: kb('VmRSS'), hwm: kb('VmHWM')};
}

export function allPids() {
	return readdirSync('/proc').filter(name => /^\d+$/.test(name)).map(Number);
}

/** pid and every descendant, from a fresh scan of /proc. */
export function processTree(root) {
	const children = new Map();
	for (const pid of allPids()) {
		const stat = procStat(pid);
		if (!stat) continue;
		if (!children.has(stat.ppid)) children.set(stat.ppid, []);
		children.get(stat.ppid).push(pid);
	}
	const tree = [];
	const queue = [root];
	while (queue.length > 0) {
		const pid = queue.shift();
		tree.push(pid);
		queue.push(...(children.get(pid) ?? []));
	}
	return tree;
}

/** Summed CPU seconds of a set of pids. A pid that exited is counted as 0 (its time is lost). */
export function cpuSeconds(pids) {
	let total = 0;
	for (const pid of pids) total += procStat(pid)?.cpuSeconds ?? 0;
	return total;
}

export function rssBytes(pids) {
	let total = 0;
	for (const pid of pids) total += procMemory(pid)?.rss ?? 0;
	return total;
}

/**
 * The engine's processes: dockerd (from its pid file), its containerd, and the containerd shims of its
 * containers. Stats cost all three: dockerd asks containerd for each container's metrics, the shim reads
 * the cgroup. pidFile and execRoot tell one engine from another on the same machine.
 */
export function enginePids({pidFile = '/var/run/docker.pid', execRoot = '/var/run/docker'} = {}) {
	let dockerd = null;
	const fromFile = Number(read(pidFile)?.trim());
	if (fromFile && procStat(fromFile)?.comm === 'dockerd') dockerd = fromFile;
	const containerdAddress = `${execRoot}/containerd/containerd.sock`;
	const containerd = [];
	const shims = [];
	for (const pid of allPids()) {
		const stat = procStat(pid);
		if (!stat || !stat.comm.startsWith('containerd')) continue;
		const cmdline = (read(`/proc/${pid}/cmdline`) ?? '').split('\0');
		if (stat.comm === 'containerd' && (stat.ppid === dockerd || cmdline.includes(`${execRoot}/containerd/containerd.toml`))) containerd.push(pid);
		else if (stat.comm.startsWith('containerd-shim') && cmdline.includes(containerdAddress)) shims.push(pid);
	}
	return {dockerd: dockerd === null ? [] : [dockerd], containerd, shims};
}

/** CPU seconds of each engine part; shims that appear later are not in the set (containers are made before). */
export function engineCpu(pids) {
	return {dockerd: cpuSeconds(pids.dockerd), containerd: cpuSeconds(pids.containerd), shims: cpuSeconds(pids.shims)};
}

/** Whole machine: busy and total CPU seconds summed over all cores (from /proc/stat's cpu line). */
export function machineCpu() {
	const line = read('/proc/stat').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
	const [user, nice, system, idle, iowait, irq, softirq, steal] = line;
	const busy = user + nice + system + irq + softirq + steal;
	return {busy: busy / clockTicks, total: (busy + idle + iowait) / clockTicks};
}
