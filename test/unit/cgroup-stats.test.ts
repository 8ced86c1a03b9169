// The cgroup parsing on the text shapes Linux gives (v1 as on this machine, v2 and the systemd driver as on
// others), and the stats message it builds going through the same formulas as the API's.
import {describe, expect, it} from 'vitest';
import {cgroupFilePaths, cgroupFilesFor, cgroupStatsJson, counterOf, parseProcStat, toCgroupReading, type CgroupReading} from '../../source/core/cgroup-stats.js';
import {cpuPercent, memoryUsage} from '../../source/core/docker-stats.js';

const id = 'f9de823dbf2c4cd72e43dcd04cc29ecf0e4f172a728c7665164392514c152685';

const v1Cgroup = [
	`9:name=systemd:/docker/${id}`,
	`4:memory:/docker/${id}`,
	`2:cpuacct:/docker/${id}`,
	`1:cpu:/docker/${id}`,
	`0::/docker/${id}`,
	'',
].join('\n');

const v1Mounts = [
	'24 1 0:22 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
	'25 24 0:23 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
	'26 24 0:24 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct',
	'28 24 0:26 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
	'',
].join('\n');

describe('finding a container’s cgroup files', () => {
	it('joins cgroup v1 paths to where each controller is mounted', () => {
		expect(cgroupFilesFor(v1Cgroup, v1Mounts, id)).toEqual({
			version: 1,
			cpuacctDir: `/sys/fs/cgroup/cpuacct/docker/${id}`,
			memoryDir: `/sys/fs/cgroup/memory/docker/${id}`,
		});
	});

	it('finds co-mounted controllers (cpu,cpuacct) and the systemd driver’s scope', () => {
		const systemd = `5:memory:/system.slice/docker-${id}.scope\n3:cpu,cpuacct:/system.slice/docker-${id}.scope\n`;
		const mounts = '30 24 0:27 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n31 24 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n';
		expect(cgroupFilesFor(systemd, mounts, id)).toEqual({
			version: 1,
			cpuacctDir: `/sys/fs/cgroup/cpu,cpuacct/system.slice/docker-${id}.scope`,
			memoryDir: `/sys/fs/cgroup/memory/system.slice/docker-${id}.scope`,
		});
	});

	it('uses the unified hierarchy on cgroup v2', () => {
		const mounts = '35 24 0:30 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n';
		expect(cgroupFilesFor(`0::/system.slice/docker-${id}.scope\n`, mounts, id)).toEqual({
			version: 2,
			dir: `/sys/fs/cgroup/system.slice/docker-${id}.scope`,
		});
	});

	it('reads v1’s and v2’s own file names', () => {
		expect(cgroupFilePaths({version: 1, cpuacctDir: '/c', memoryDir: '/m'})).toEqual({
			cpu: '/c/cpuacct.usage',
			memoryUsage: '/m/memory.usage_in_bytes',
			memoryLimit: '/m/memory.limit_in_bytes',
			memoryStat: '/m/memory.stat',
		});
		expect(cgroupFilePaths({version: 2, dir: '/u'})).toEqual({cpu: '/u/cpu.stat', memoryUsage: '/u/memory.current', memoryLimit: '/u/memory.max', memoryStat: '/u/memory.stat'});
	});

	it('refuses a process whose cgroup does not name the container (a reused PID, another namespace)', () => {
		expect(cgroupFilesFor(v1Cgroup.replaceAll(id, 'a'.repeat(64)), v1Mounts, id)).toBeNull();
		// Inside a container with its own cgroup namespace the path is "/" and names nothing.
		expect(cgroupFilesFor('0::/\n', '35 24 0:30 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n', id)).toBeNull();
	});

	it('refuses when the controllers are not mounted where we can see them', () => {
		expect(cgroupFilesFor(v1Cgroup, '24 1 0:22 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n', id)).toBeNull();
	});

	it('handles a mount of a sub-tree and escaped mount points', () => {
		const mounts = '40 24 0:31 /docker /mnt/my\\040cgroups/memory rw - cgroup cgroup rw,memory\n41 24 0:32 / /c rw - cgroup cgroup rw,cpuacct\n';
		expect(cgroupFilesFor(v1Cgroup, mounts, id)).toEqual({version: 1, cpuacctDir: `/c/docker/${id}`, memoryDir: `/mnt/my cgroups/memory/${id}`});
	});
});

describe('readings as the daemon would report them', () => {
	const host = {systemNs: 0, onlineCpus: 2, memoryBytes: 24 * 2 ** 30};

	it('takes the system CPU time as the daemon does: the first seven fields of the cpu line, in ns', () => {
		const stat = 'cpu  100 5 50 1000 10 1 2 7 0 0\ncpu0 50 2 25 500 5 0 1 3 0 0\ncpu1 50 3 25 500 5 1 1 4 0 0\nintr 1\n';
		// (100+5+50+1000+10+1+2) ticks of 1/100 s, steal (7) left out as moby leaves it out.
		expect(parseProcStat(stat)).toEqual({systemNs: 1168 * 1e7, onlineCpus: 2});
		expect(parseProcStat('intr 1\n')).toBeNull();
	});

	it('gives CPU % over the interval between two readings, as `docker stats` computes it', () => {
		const v1 = (cpu: number, systemNs: number) =>
			toCgroupReading(1, {cpu: `${cpu}\n`, memoryUsage: '1000\n', memoryLimit: '4096\n', memoryStat: 'cache 0\n'}, {...host, systemNs}, systemNs / 1e6)!;
		const first = v1(1e9, 100e9);
		const second = v1(1.5e9, 102e9);
		// 0.5 s of CPU while the host's 2 CPUs counted 2 s (1 s of wall time): half a core, 50 %.
		expect(cpuPercent(cgroupStatsJson(second, first))).toBeCloseTo(50, 6);
		// The first reading alone has no previous one: no figure rather than a zero.
		expect(cpuPercent(cgroupStatsJson(first, null))).toBeNull();
	});

	it('takes inactive file cache out of memory and reports the host’s memory when there is no limit (v1)', () => {
		const reading = toCgroupReading(
			1,
			{cpu: '5\n', memoryUsage: `${300 * 2 ** 20}\n`, memoryLimit: '9223372036854771712\n', memoryStat: `cache 10\ntotal_inactive_file ${100 * 2 ** 20}\ninactive_file 7\n`},
			host,
			0,
		)!;
		const memory = memoryUsage(cgroupStatsJson(reading, null))!;
		expect(memory.usageBytes).toBe(200 * 2 ** 20);
		expect(memory.limitBytes).toBe(host.memoryBytes);
	});

	it('reads v2’s cpu.stat in µs, memory.max "max" and inactive_file', () => {
		const at = (usec: number, systemNs: number): CgroupReading =>
			toCgroupReading(
				2,
				{cpu: `usage_usec ${usec}\nuser_usec 1\nsystem_usec 1\n`, memoryUsage: '52428800\n', memoryLimit: 'max\n', memoryStat: 'anon 1\ninactive_file 10485760\n'},
				{...host, systemNs},
				0,
			)!;
		const stats = cgroupStatsJson(at(2_000_000, 10e9), at(1_000_000, 8e9));
		expect(cpuPercent(stats)).toBeCloseTo(100, 6);
		expect(memoryUsage(stats)).toEqual({usageBytes: 40 * 2 ** 20, limitBytes: host.memoryBytes, percent: ((40 * 2 ** 20) / host.memoryBytes) * 100});
	});

	it('picks one counter out of memory.stat by its whole name', () => {
		const stat = 'inactive_file 7\nactive_file 9\ntotal_inactive_file 1024\nempty \n';
		expect(counterOf(stat, 'inactive_file')).toBe(7);
		expect(counterOf(stat, 'total_inactive_file')).toBe(1024);
		expect(counterOf(stat, 'active_file')).toBe(9);
		expect(counterOf(stat, 'file')).toBeUndefined();
		expect(counterOf(stat, 'empty')).toBeUndefined();
		expect(counterOf('total_inactive_file 5', 'total_inactive_file')).toBe(5);
	});

	it('gives no reading when a file is empty or not a number (the cgroup is being removed)', () => {
		expect(toCgroupReading(1, {cpu: '', memoryUsage: '1\n', memoryLimit: '1\n', memoryStat: ''}, host, 0)).toBeNull();
		expect(toCgroupReading(1, {cpu: '1\n', memoryUsage: '', memoryLimit: '1\n', memoryStat: ''}, host, 0)).toBeNull();
		expect(toCgroupReading(2, {cpu: 'user_usec 1\n', memoryUsage: '1\n', memoryLimit: 'max\n', memoryStat: ''}, host, 0)).toBeNull();
	});
});
