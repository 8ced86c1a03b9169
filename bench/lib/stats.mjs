// Small numeric helpers, and the containers' own CPU (from their cgroups).
import {readFileSync} from 'node:fs';

export function percentile(sorted, fraction) {
	if (sorted.length === 0) return null;
	const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
	return sorted[index];
}

/** count, median, p95, max (and min) of a list of numbers; nulls when empty. */
export function summarize(values) {
	const sorted = [...values].sort((a, b) => a - b);
	return {
		count: sorted.length,
		median: percentile(sorted, 0.5),
		p95: percentile(sorted, 0.95),
		max: sorted.length > 0 ? sorted[sorted.length - 1] : null,
		min: sorted.length > 0 ? sorted[0] : null,
	};
}

/** Least-squares slope of y over x. */
export function slope(points) {
	const n = points.length;
	if (n < 2) return null;
	const mx = points.reduce((sum, p) => sum + p.x, 0) / n;
	const my = points.reduce((sum, p) => sum + p.y, 0) / n;
	let num = 0;
	let den = 0;
	for (const p of points) {
		num += (p.x - mx) * (p.y - my);
		den += (p.x - mx) ** 2;
	}
	return den === 0 ? null : num / den;
}

function readNumber(path) {
	try {
		return Number(readFileSync(path, 'utf8').trim().split(/\s+/)[0]);
	} catch {
		return null;
	}
}

function readCpuStatUsec(path) {
	try {
		const match = /^usage_usec (\d+)/m.exec(readFileSync(path, 'utf8'));
		return match ? Number(match[1]) : null;
	} catch {
		return null;
	}
}

/** CPU seconds used by the containers so far (cgroup v1 cpuacct, or v2 cpu.stat), summed. */
export function containersCpu(ids) {
	let total = 0;
	for (const id of ids) {
		const v1 = readNumber(`/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`);
		if (v1 !== null && Number.isFinite(v1)) {
			total += v1 / 1e9;
			continue;
		}
		const v2 = readCpuStatUsec(`/sys/fs/cgroup/system.slice/docker-${id}.scope/cpu.stat`);
		if (v2 !== null) total += v2 / 1e6;
	}
	return total;
}
