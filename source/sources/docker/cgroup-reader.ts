// Reads containers' cgroup files on this machine: the local-engine stats transport. A stats stream costs the engine
// about 0.2 % of a core per container (containerd's shim reads these same files, containerd and dockerd pass the
// JSON on); reading them here costs it nothing and gives a first CPU figure in a quarter of a second.
import {closeSync, openSync, readSync} from 'node:fs';
import {totalmem} from 'node:os';
import {
	cgroupFilePaths,
	cgroupFilesFor,
	parseProcStat,
	toCgroupReading,
	type CgroupFiles,
	type CgroupReading,
} from '../../core/cgroup-stats.js';

export interface HostCpu {
	systemNs: number;
	onlineCpus: number;
	memoryBytes: number;
}

export interface CgroupReader {
	/** The container's cgroup files, or null when they are not this machine's to read. Never throws. */
	locate(pid: number, containerId: string): CgroupFiles | null;
	/** /proc/stat once per round of readings; null when unreadable. */
	host(): HostCpu | null;
	/** One reading; null when a file is gone or unreadable (the container stopped). Never throws. */
	read(files: CgroupFiles, host: HostCpu, at: number): CgroupReading | null;
	/** Closes the files kept open between readings. */
	close(): void;
}

// One buffer for every read: the files are small (memory.stat is the largest, ~1.5 KB) and reads are synchronous.
const buffer = Buffer.allocUnsafe(64 * 1024);

/** open + one pread + close: for files read once (where a container's cgroup is). */
function readText(path: string): string {
	const fd = openSync(path, 'r');
	try {
		const length = readSync(fd, buffer, 0, buffer.length, 0);
		return buffer.toString('latin1', 0, length);
	} finally {
		closeSync(fd);
	}
}

/**
 * The memory limit and memory.stat (only its inactive_file is used: page cache the kernel can drop) change slowly
 * and cost the most to make (cgroup v1's memory.stat walks every counter): read this often, the usage every second.
 * docker stats reads all four each second; its figure and va-top's differ by the page cache's change in this time.
 */
export const slowFilesEveryMs = 5000;

/** A kept file not read for this many reads of others is closed: its container went away. */
const idleReads = 2000;

/**
 * The files read every second, kept open: a pread at offset 0 makes cgroup and proc files afresh, so one syscall a
 * file instead of three (open, read, close), measured at a third of the recorder's CPU at 50 instances. A file whose
 * cgroup was removed (the container stopped or was restarted) fails its read: it is closed and opened again once.
 */
export function keptFiles(): {read(path: string): string; size(): number; close(): void} {
	const open = new Map<string, {fd: number; used: number}>();
	let reads = 0;
	const sweep = () => {
		for (const [path, entry] of open) {
			if (reads - entry.used < idleReads) continue;
			open.delete(path);
			closeSync(entry.fd);
		}
	};

	return {
		read(path) {
			reads++;
			if (reads % idleReads === 0) sweep();
			const kept = open.get(path);
			if (kept !== undefined) {
				try {
					const length = readSync(kept.fd, buffer, 0, buffer.length, 0);
					kept.used = reads;
					return buffer.toString('latin1', 0, length);
				} catch {
					open.delete(path);
					closeSync(kept.fd);
				}
			}

			const fd = openSync(path, 'r');
			let length: number;
			try {
				length = readSync(fd, buffer, 0, buffer.length, 0);
			} catch (error) {
				closeSync(fd);
				throw error;
			}

			open.set(path, {fd, used: reads});
			return buffer.toString('latin1', 0, length);
		},
		size: () => open.size,
		close() {
			for (const entry of open.values()) closeSync(entry.fd);
			open.clear();
		},
	};
}

export function createCgroupReader({procRoot = '/proc'}: {procRoot?: string} = {}): CgroupReader {
	const memoryBytes = totalmem();
	const kept = keptFiles();
	// Per container (its files' object, made once where it is located): the slow files' last text and when read.
	const slow = new WeakMap<CgroupFiles, {memoryLimit: string; memoryStat: string; at: number}>();
	let mountinfo: {text: string; at: number} | null = null;
	const reader: CgroupReader = {
		locate(pid, containerId) {
			if (!Number.isInteger(pid) || pid <= 0) return null;
			try {
				// The mount table is long (a mount per container) and the same for every container located at once (at a
				// start, 50 of them): read again only when it is older than a second or does not know this cgroup.
				const cgroup = readText(`${procRoot}/${pid}/cgroup`);
				const fresh = mountinfo === null || Date.now() - mountinfo.at > 1000;
				if (fresh) mountinfo = {text: readText(`${procRoot}/self/mountinfo`), at: Date.now()};
				let files = cgroupFilesFor(cgroup, mountinfo!.text, containerId);
				if (!files && !fresh) {
					mountinfo = {text: readText(`${procRoot}/self/mountinfo`), at: Date.now()};
					files = cgroupFilesFor(cgroup, mountinfo.text, containerId);
				}

				if (!files) return null;
				// Proves the files are there and readable by us (permissions, another mount namespace).
				const host = reader.host();
				return host && reader.read(files, host, Date.now()) ? files : null;
			} catch {
				return null;
			}
		},
		host() {
			try {
				const stat = parseProcStat(kept.read(`${procRoot}/stat`));
				return stat ? {...stat, memoryBytes} : null;
			} catch {
				return null;
			}
		},
		read(files, host, at) {
			try {
				const paths = cgroupFilePaths(files);
				let slowTexts = slow.get(files);
				if (slowTexts === undefined || at - slowTexts.at >= slowFilesEveryMs || at < slowTexts.at) {
					slowTexts = {memoryLimit: kept.read(paths.memoryLimit), memoryStat: kept.read(paths.memoryStat), at};
					slow.set(files, slowTexts);
				}

				const texts = {cpu: kept.read(paths.cpu), memoryUsage: kept.read(paths.memoryUsage), memoryLimit: slowTexts.memoryLimit, memoryStat: slowTexts.memoryStat};
				return toCgroupReading(files.version, texts, host, at);
			} catch {
				return null;
			}
		},
		close: () => kept.close(),
	};
	return reader;
}
