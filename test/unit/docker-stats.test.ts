import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {cpuPercent, memoryUsage, type DockerStatsJson} from '../../source/core/docker-stats.js';

// cgroup-v1-*.json: recorded from the local engine (Docker 20.10.24, cgroup v1, 2 CPUs) with
// `curl --unix-socket /var/run/docker.sock 'http://localhost/containers/ID/stats?stream=false'`
// (stream-first/second: the first two lines of `?stream=true`). Containers ran va-top/busybox:1
// with --memory 256m unless named nolimit; busy ran `while :; do :; done`, shm filled 100 MB of
// /dev/shm, cache wrote a 60 MB file (page cache). At the same time `docker stats` showed
// shm 100.5MiB / 256MiB 39.27 %, cache 1.949MiB / 256MiB 0.76 %, nolimit 308KiB / 23.54GiB.
//
// cgroup-v2-first.json: a real cgroup v2 first reading (empty precpu_stats) published in
// github.com/DockWizard/DockWizard_agent, agent/pkg/dockerstats/dockerstats_test.go
// (commit c2cbd417600f4da780b9157bd37c7781b14e09eb).
// cgroup-v2-delta.json: the cgroup v2 fixture of github.com/home-assistant/supervisor,
// tests/fixtures/container_stats_cgroupv2.json (commit 427b038207737e93ef27ab1c105848dd8295d8bd);
// its CPU counters and memory usage were rounded by its authors, the layout is the daemon's.
function fixture(name: string): DockerStatsJson {
	const url = new URL(`../fixtures/docker-stats/${name}.json`, import.meta.url);
	return JSON.parse(readFileSync(url, 'utf8')) as DockerStatsJson;
}

function withoutKey<T extends object>(value: T, key: keyof T): T {
	const copy = {...value};
	delete copy[key];
	return copy;
}

describe('cpuPercent (docker CLI calculateCPUPercentUnix)', () => {
	it('is 0 for an idle container on cgroup v1', () => {
		// cpu delta 0 ns over 1.99e9 ns of host time.
		expect(cpuPercent(fixture('cgroup-v1-idle'))).toBe(0);
	});

	it('is about one core for a busy loop on cgroup v1', () => {
		// (23653227182 - 22648710084) / (722050000000 - 720050000000) * 2 * 100
		expect(cpuPercent(fixture('cgroup-v1-busy'))).toBeCloseTo(100.4517098, 6);
	});

	it('is null for the first message of a stream (empty precpu_stats)', () => {
		const first = fixture('cgroup-v1-stream-first');
		expect(first.precpu_stats?.system_cpu_usage).toBeUndefined();
		expect(cpuPercent(first)).toBeNull();
		// The CLI would show 8.3 % here (usage since the container started): not a rate.
	});

	it('has a value from the second message of a stream', () => {
		expect(cpuPercent(fixture('cgroup-v1-stream-second'))).toBeCloseTo(99.07649015, 6);
	});

	it('is null for a cgroup v2 first reading', () => {
		expect(cpuPercent(fixture('cgroup-v2-first'))).toBeNull();
	});

	it('uses online_cpus on cgroup v2 (no percpu_usage there)', () => {
		const stats = fixture('cgroup-v2-delta');
		expect(stats.cpu_stats?.cpu_usage?.percpu_usage).toBeUndefined();
		// (190 - 100) / (200 - 100) * 6 * 100
		expect(cpuPercent(stats)).toBeCloseTo(540, 9);
	});

	it('falls back to the length of percpu_usage when online_cpus is missing', () => {
		const stats = fixture('cgroup-v1-busy');
		const cpu = withoutKey(stats.cpu_stats!, 'online_cpus');
		expect(cpu.cpu_usage?.percpu_usage).toHaveLength(2);
		expect(cpuPercent({...stats, cpu_stats: cpu})).toBeCloseTo(100.4517098, 6);
	});

	it('is null when neither online_cpus nor percpu_usage says how many CPUs', () => {
		const stats = fixture('cgroup-v2-delta');
		expect(cpuPercent({...stats, cpu_stats: withoutKey(stats.cpu_stats!, 'online_cpus')})).toBeNull();
	});

	it('is null when no host time passed between the readings', () => {
		const stats = fixture('cgroup-v1-busy');
		const precpu = {...stats.precpu_stats!, system_cpu_usage: stats.cpu_stats!.system_cpu_usage};
		expect(cpuPercent({...stats, precpu_stats: precpu})).toBeNull();
	});

	it('is null when the usage counter went backwards (container restarted)', () => {
		const stats = fixture('cgroup-v1-busy');
		const precpu = {...stats.precpu_stats!, cpu_usage: {total_usage: 9e12}};
		expect(cpuPercent({...stats, precpu_stats: precpu})).toBeNull();
	});

	it('is null for a reading without cpu_stats', () => {
		expect(cpuPercent({})).toBeNull();
	});
});

describe('memoryUsage (docker CLI calculateMemUsageUnixNoCache / calculateMemPercentUnixNoCache)', () => {
	it('subtracts total_inactive_file on cgroup v1 (page cache does not count)', () => {
		// usage 64958464 - total_inactive_file 62914560 = 2043904 B = 1.949 MiB, as docker stats showed.
		const memory = memoryUsage(fixture('cgroup-v1-cache'))!;
		expect(memory.usageBytes).toBe(2043904);
		expect(memory.limitBytes).toBe(268435456);
		expect(memory.percent).toBeCloseTo(0.7614135742, 8);
	});

	it('counts tmpfs (shmem) pages: they are not inactive file cache', () => {
		const memory = memoryUsage(fixture('cgroup-v1-shm'))!;
		expect(memory.usageBytes).toBe(105414656);
		expect(memory.percent).toBeCloseTo(39.27, 2);
	});

	it('uses inactive_file on cgroup v2', () => {
		// 4194304 - 1253376 = 2940928; / 12544401408
		const memory = memoryUsage(fixture('cgroup-v2-first'))!;
		expect(memory.usageBytes).toBe(2940928);
		expect(memory.percent).toBeCloseTo(0.02344414, 7);
		const delta = memoryUsage(fixture('cgroup-v2-delta'))!;
		expect(delta.usageBytes).toBe(59700000);
		expect(delta.percent).toBeCloseTo(1.4925, 9);
	});

	it('takes the host memory as the limit when the container has none (the daemon reports it so)', () => {
		const memory = memoryUsage(fixture('cgroup-v1-nolimit'))!;
		expect(memory.limitBytes).toBe(25276502016);
		expect(memory.usageBytes).toBe(315392);
		expect(memory.percent).toBeCloseTo(0.00124777, 7);
	});

	it('gives no percent when the daemon reported no limit at all', () => {
		const stats = fixture('cgroup-v1-cache');
		const memory = memoryUsage({...stats, memory_stats: withoutKey(stats.memory_stats!, 'limit')})!;
		expect(memory.usageBytes).toBe(2043904);
		expect(memory.limitBytes).toBeNull();
		expect(memory.percent).toBeNull();
	});

	it('keeps the whole usage when inactive_file is larger than usage', () => {
		const v2 = memoryUsage({memory_stats: {usage: 1000, limit: 4000, stats: {inactive_file: 5000}}})!;
		expect(v2.usageBytes).toBe(1000);
		expect(v2.percent).toBe(25);
		// cgroup v1: a too large hierarchical counter falls through to the per-cgroup inactive_file, like the CLI.
		const v1 = memoryUsage({
			memory_stats: {usage: 1000, limit: 4000, stats: {total_inactive_file: 1000, inactive_file: 200}},
		})!;
		expect(v1.usageBytes).toBe(800);
	});

	it('is null for a stopped container (empty memory_stats)', () => {
		expect(memoryUsage({memory_stats: {}})).toBeNull();
		expect(memoryUsage({})).toBeNull();
	});
});
