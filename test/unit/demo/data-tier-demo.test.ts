// The demo's data tier: a primary with two replicas, one of which falls behind in every cycle, and a Sentinel-managed
// Redis that fails over in every cycle, seen through the same monitor and rules as a real stack.
import {afterEach, describe, expect, test} from 'vitest';
import {createMonitor} from '../../../source/core/monitor.js';
import {reportJson} from '../../../source/core/report.js';
import {createDemoStack, type DemoStack} from '../../../source/sources/demo/demo-stack.js';
import {defaultThresholds, sources} from '../../../source/sources/registry.js';
import {demoReplicaLag} from '../../../source/sources/postgres/demo.js';
import {demoFailovers} from '../../../source/sources/redis/demo.js';

const t0 = Date.UTC(2025, 10, 27, 9, 0, 0);
const MiB = 1024 * 1024;
let stack: DemoStack | undefined;

afterEach(async () => {
	if (stack) await Promise.all([stack.docker.stop(), ...Object.values(stack.sources).map(async source => source.stop())]);
	stack = undefined;
});

/** Runs the demo for `seconds`, one monitor tick a second, and returns every event logged and the last frame. */
function run(seconds: number) {
	stack = createDemoStack({project: 'voiceassist', service: 'voiceassist-server', intervalMs: 1000, now: () => t0, seed: 7});
	stack.docker.start();
	for (const source of Object.values(stack.sources)) source.start();
	const monitor = createMonitor({sources, thresholds: defaultThresholds});
	const snapshot = () => ({at: stack!.now(), project: 'voiceassist', service: 'voiceassist-server', docker: stack!.docker.view(), sources: Object.fromEntries(Object.entries(stack!.sources).map(([id, source]) => [id, source.view()]))});
	const concernsSeen = new Set<string>();
	let frame = monitor.tick(snapshot());
	for (let second = 0; second < seconds; second++) {
		stack.advance(1000);
		frame = monitor.tick(snapshot());
		for (const concern of frame.assessment.concerns) concernsSeen.add(`${concern.level} ${concern.key}`);
	}

	return {frame, events: frame.events.map(event => event.text), concernsSeen};
}

describe("the demo's data tier", () => {
	test('replica 2 passes 16 MB, then 256 MB, and catches up again within each cycle', () => {
		expect(demoReplicaLag(60_000).bytes).toBe(0);
		expect(demoReplicaLag(75_000).bytes).toBeGreaterThan(16 * MiB);
		expect(demoReplicaLag(104_000).bytes).toBeGreaterThan(256 * MiB);
		expect(demoReplicaLag(130_000).bytes).toBe(0);
		expect(demoReplicaLag(180_000 + 104_000).bytes).toBe(demoReplicaLag(104_000).bytes);
	});

	test('the sentinels fail over at 150 s into each cycle, alternating the master', () => {
		expect([0, 149_000, 150_000, 329_000, 330_000].map(demoFailovers)).toEqual([0, 0, 1, 1, 2]);
	});

	test('one cycle of the monitor shows the lagging replica SOON then IMMEDIATE, and logs the failover', () => {
		const {frame, events, concernsSeen} = run(170);
		expect(concernsSeen).toContain('SOON database.replica-lag:db-replica-2:5432');
		expect(concernsSeen).toContain('IMMEDIATE database.replica-lag:db-replica-2:5432');
		expect(events).toContain('redis master moved cache-a:6379 → cache-b:6379');
		expect(events.some(text => /breach ended: .*db-replica-2:5432/.test(text))).toBe(true);
		const json = reportJson(frame.snapshot, frame.assessment, 0, sources) as unknown as {postgres: {nodes: Array<{endpoint: string; role: string}>; tier: string}; redis: {mode: string; sentinel: {master: string; failovers: unknown[]}}};
		expect(json.postgres.nodes.map(node => node.role)).toEqual(['primary', 'replica', 'replica']);
		expect(json.postgres.tier).toBe("1 primary + 2 replicas of the runbook's max 1 + 5");
		expect(json.redis.mode).toBe('sentinel');
		expect(json.redis.sentinel.master).toBe('cache-b:6379');
		expect(json.redis.sentinel.failovers).toHaveLength(1);
	});
});
