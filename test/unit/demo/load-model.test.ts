import fc from 'fast-check';
import {describe, expect, test} from 'vitest';
import {
	cycleMs,
	drainRemaining,
	fakeContainerId,
	instanceConnections,
	loadPeak,
	loadQuiet,
	loadShape,
	postgresMaxConnections,
	readInstance,
	readPostgres,
	readRedis,
	redisFill,
	smoothNoise,
	totalLoad,
	type ModelInstance,
} from '../../../source/sources/demo/load-model.js';

function serving(count: number): ModelInstance[] {
	return Array.from({length: count}, (_, index) => ({
		serial: index + 1,
		number: index + 1,
		phase: 'serving' as const,
		runningSinceMs: -3_600_000,
		drain: null,
	}));
}

function cpus(seed: number, instances: ModelInstance[], elapsedMs: number): number[] {
	return instances.map((instance) => readInstance(seed, instance, instances, elapsedMs).cpuPercent ?? Number.NaN);
}

describe('load', () => {
	test('starts quiet, peaks, falls back and repeats every cycle', () => {
		expect(totalLoad(0)).toBe(loadQuiet);
		expect(Math.max(...Array.from({length: 180}, (_, s) => totalLoad(s * 1_000)))).toBeCloseTo(loadPeak, 5);
		expect(totalLoad(150_000)).toBe(loadQuiet);
		expect(totalLoad(cycleMs + 20_000)).toBeCloseTo(totalLoad(20_000), 9);
		// Rising through the first 20 seconds.
		expect(totalLoad(10_000)).toBeGreaterThan(totalLoad(5_000));
		expect(totalLoad(20_000)).toBeGreaterThan(totalLoad(10_000));
	});

	test('shape stays within 0..1 at any time', () => {
		fc.assert(
			fc.property(fc.integer({min: 0, max: 10 * cycleMs}), (t) => {
				const s = loadShape(t);
				return s >= 0 && s <= 1;
			}),
		);
	});
});

describe('instances', () => {
	test('instance 1 takes the uneven share; more replicas spread the load thinner', () => {
		const three = serving(3);
		const atThree = cpus(7, three, 60_000);
		expect(atThree[0]).toBeGreaterThan(atThree[1] + 20);
		const atSix = cpus(7, serving(6), 60_000);
		expect(Math.max(...atSix)).toBeLessThan(Math.max(...atThree) - 20);
		const atTwo = cpus(7, serving(2), 60_000);
		expect(Math.max(...atTwo)).toBeGreaterThan(Math.max(...atThree) + 10);
	});

	test('CPU and memory stay in their ranges for any time, seed and replica count', () => {
		fc.assert(
			fc.property(
				fc.integer({min: 0, max: 2 ** 31}),
				fc.integer({min: 0, max: 3 * cycleMs}),
				fc.integer({min: 1, max: 12}),
				(seed, t, count) => {
					const instances = serving(count);
					for (const instance of instances) {
						const reading = readInstance(seed, instance, instances, t);
						if (reading.cpuPercent === null || reading.cpuPercent <= 0 || reading.cpuPercent > 198) return false;
						if (reading.memPercent === null || reading.memPercent < 38 || reading.memPercent > 65) return false;
						if (reading.connections < 0) return false;
					}

					return true;
				},
			),
		);
	});

	test('a draining instance takes no new load and its connections fall to zero', () => {
		const instances = serving(3);
		const before = instanceConnections(instances[1], instances, 20_000);
		expect(before).toBeGreaterThan(5);
		const cpuBefore = readInstance(3, instances[1], instances, 20_000).cpuPercent!;
		instances[1] = {...instances[1], phase: 'draining', drain: {sinceMs: 20_000, connections: before, cpuPercent: cpuBefore}};
		const others = cpus(3, serving(3), 21_000);
		const withDrain = cpus(3, instances, 21_000);
		expect(withDrain[0]).toBeGreaterThan(others[0]);
		expect(withDrain[2]).toBeGreaterThan(others[2]);
		const series = [20_000, 21_000, 22_000, 24_000, 28_000].map((t) => instanceConnections(instances[1], instances, t));
		expect(series[0]).toBe(before);
		for (let i = 1; i < series.length; i++) expect(series[i]).toBeLessThanOrEqual(series[i - 1]);
		expect(series.at(-1)).toBe(0);
		expect(readInstance(3, instances[1], instances, 30_000).cpuPercent).toBeLessThan(3);
		expect(drainRemaining(0)).toBe(1);
	});

	test('a new instance has no CPU figure in its first second, as docker stats has none', () => {
		const instances = serving(3);
		instances.push({serial: 9, number: 4, phase: 'booting', runningSinceMs: 10_000, drain: null});
		expect(readInstance(1, instances[3], instances, 10_500).cpuPercent).toBeNull();
		expect(readInstance(1, instances[3], instances, 11_000).cpuPercent).toBeGreaterThan(10);
		// Booting takes no share of the load.
		expect(instanceConnections(instances[3], instances, 11_000)).toBe(0);
	});
});

describe('postgres and redis', () => {
	test('connections grow with the pool per replica and never pass max_connections minus the reserved ones', () => {
		const three = readPostgres(5, 5_000, 3);
		const six = readPostgres(5, 5_000, 6);
		expect(six.connections - three.connections).toBe(9);
		for (let t = 0; t < cycleMs; t += 1_000) {
			const reading = readPostgres(5, t, 20);
			expect(reading.connections).toBeLessThanOrEqual(postgresMaxConnections - 3);
			expect(reading.active).toBeLessThanOrEqual(reading.connections);
		}
	});

	test('redis passes 70 % of maxmemory in the second minute, stays under 85 %, comes back down', () => {
		const fills = Array.from({length: cycleMs / 1_000}, (_, s) => redisFill(11, s * 1_000));
		const first70 = fills.findIndex((fill) => fill > 0.7);
		expect(first70).toBeGreaterThanOrEqual(60);
		expect(first70).toBeLessThan(120);
		expect(Math.max(...fills)).toBeLessThan(0.85);
		expect(fills.at(-1)).toBeLessThan(0.55);
		const reading = readRedis(11, 90_000);
		expect(reading.usedMemoryRssBytes).toBeGreaterThan(reading.usedMemoryBytes);
		expect(reading.maxMemoryBytes).toBe(1024 ** 3);
	});
});

describe('noise and ids', () => {
	test('noise is bounded, continuous and the same for the same inputs', () => {
		for (let t = 0; t < 20_000; t += 137) {
			const value = smoothNoise(1, 2, t);
			expect(Math.abs(value)).toBeLessThanOrEqual(1);
			expect(Math.abs(smoothNoise(1, 2, t + 10) - value)).toBeLessThan(0.05);
			expect(smoothNoise(1, 2, t)).toBe(value);
		}

		expect(smoothNoise(1, 2, 3_333)).not.toBe(smoothNoise(2, 2, 3_333));
	});

	test('container ids look like docker ids and differ per serial and seed', () => {
		const ids = new Set([fakeContainerId(1, 1), fakeContainerId(1, 2), fakeContainerId(2, 1)]);
		expect(ids.size).toBe(3);
		for (const id of ids) expect(id).toMatch(/^[\da-f]{64}$/);
	});
});
