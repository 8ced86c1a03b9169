import {afterEach, describe, expect, test} from 'vitest';
import {createDemoStack, type DemoStack, type DemoStackOptions} from '../../../source/sources/demo/demo-stack.js';
import type {InstanceSample} from '../../../source/core/types.js';

const t0 = Date.UTC(2025, 10, 27, 9, 0, 0);
const stacks: DemoStack[] = [];

function makeStack(options: Partial<DemoStackOptions> = {}): DemoStack {
	const stack = createDemoStack({
		project: 'voiceassist',
		service: 'voiceassist-server',
		intervalMs: 1_000,
		now: () => t0,
		seed: 7,
		...options,
	});
	stacks.push(stack);
	return stack;
}

function startAll(stack: DemoStack): void {
	stack.docker.start();
	stack.sources.postgres.start();
	stack.sources.redis.start();
}

async function stopAll(stack: DemoStack): Promise<void> {
	await Promise.all([stack.docker.stop(), stack.sources.postgres.stop(), stack.sources.redis.stop()]);
}

afterEach(async () => {
	await Promise.all(stacks.splice(0).map(stopAll));
});

function byNumber(stack: DemoStack, number: number): InstanceSample {
	const instance = stack.docker.view().instances.find((candidate) => candidate.number === number);
	if (!instance) throw new Error(`instance ${number} not listed`);
	return instance;
}

function maxCpu(stack: DemoStack): number {
	return Math.max(...stack.docker.view().instances.map((instance) => instance.cpuPercent ?? 0));
}

function timeouts(): number {
	return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}

describe('collector contract', () => {
	test('connecting before start, then ok with three running healthy instances', () => {
		const stack = makeStack();
		expect(stack.docker.view().status).toEqual({kind: 'connecting', since: t0});
		expect(stack.docker.view().instances).toEqual([]);
		expect(stack.sources.postgres.view().sample).toBeNull();
		startAll(stack);

		const docker = stack.docker.view();
		expect(docker.endpoint).toBe('demo://docker');
		expect(stack.sources.postgres.view().endpoint).toBe('demo://postgres');
		expect(stack.sources.redis.view().endpoint).toBe('demo://redis');
		expect(docker.status).toEqual({kind: 'ok', at: t0});
		expect(docker.instances.map((instance) => instance.name)).toEqual([
			'voiceassist-voiceassist-server-1',
			'voiceassist-voiceassist-server-2',
			'voiceassist-voiceassist-server-3',
		]);
		expect(new Set(docker.instances.map((instance) => instance.id)).size).toBe(3);
		for (const instance of docker.instances) {
			expect(instance.id).toMatch(/^[\da-f]{64}$/);
			expect(instance).toMatchObject({state: 'running', health: 'healthy', restartCount: 0, sampledAt: t0});
			expect(instance.memLimitBytes).toBe(2 * 1024 ** 3);
			expect(instance.startedAt).toBeLessThan(t0 - 3_600_000);
			expect(instance.cpuPercent).toBeGreaterThan(20);
			expect(instance.memPercent).toBeGreaterThanOrEqual(40);
			expect(instance.memPercent).toBeLessThanOrEqual(65);
			expect(instance.memUsageBytes).toBe(Math.round((instance.memPercent! / 100) * 2 * 1024 ** 3));
		}

		const postgres = stack.sources.postgres.view().sample!;
		expect(postgres.maxConnections).toBe(100);
		expect(postgres.ratio).toBe(postgres.connections / 100);
		expect(postgres.at).toBe(t0);
		const redis = stack.sources.redis.view().sample!;
		expect(redis).toMatchObject({limitSource: 'maxmemory', limitBytes: 1024 ** 3, maxMemoryBytes: 1024 ** 3});
		expect(redis.ratio).toBe(redis.usedMemoryBytes / redis.limitBytes);
	});

	test('views are new objects only when they change; listeners hear changes until they unsubscribe', () => {
		const stack = makeStack();
		startAll(stack);
		let heard = 0;
		const unsubscribe = stack.docker.subscribe(() => heard++);
		const first = stack.docker.view();
		expect(stack.docker.view()).toBe(first);
		stack.advance(0);
		expect(stack.docker.view()).toBe(first);
		expect(heard).toBe(0);

		stack.advance(1_000);
		const second = stack.docker.view();
		expect(second).not.toBe(first);
		expect(second.status).toEqual({kind: 'ok', at: t0 + 1_000});
		expect(heard).toBe(1);

		unsubscribe();
		stack.advance(3_000);
		expect(heard).toBe(1);
		expect(stack.docker.view().status).toEqual({kind: 'ok', at: t0 + 4_000});
	});

	test('the interval timer drives the views with a real clock', async () => {
		const stack = makeStack({now: undefined, intervalMs: 40});
		stack.sources.redis.start();
		const first = stack.sources.redis.view();
		let heard = 0;
		stack.sources.redis.subscribe(() => heard++);
		const deadline = Date.now() + 5_000;
		while (heard < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
		expect(heard).toBeGreaterThanOrEqual(2);
		expect(stack.sources.redis.view()).not.toBe(first);
		expect(stack.sources.redis.view().status.kind).toBe('ok');
	});

	test('one timer for the stack, cleared when the last collector stops', async () => {
		const before = timeouts();
		const stack = makeStack();
		startAll(stack);
		expect(timeouts()).toBe(before + 1);
		await stack.docker.stop();
		await stack.sources.postgres.stop();
		expect(timeouts()).toBe(before + 1);
		await stack.sources.redis.stop();
		expect(timeouts()).toBe(before);
		// A stopped collector keeps its last view and hears nothing more.
		const last = stack.docker.view();
		stack.advance(5_000);
		expect(stack.docker.view()).toBe(last);
		// And it can start again.
		stack.docker.start();
		expect(timeouts()).toBe(before + 1);
		expect(stack.docker.view().status).toEqual({kind: 'ok', at: t0 + 5_000});
	});
});

describe('timeline', () => {
	test('within 20 s instance 1 crosses 70 % then 80 % CPU, the DB passes 0.8 and Redis moves', () => {
		const stack = makeStack();
		startAll(stack);
		const redisStart = stack.sources.redis.view().sample!.ratio;
		expect(maxCpu(stack)).toBeLessThan(70);
		expect(stack.sources.postgres.view().sample!.ratio).toBeLessThan(0.7);

		let cpu70: number | null = null;
		let cpu80: number | null = null;
		let db80: number | null = null;
		for (let second = 1; second <= 20; second++) {
			stack.advance(1_000);
			const hot = byNumber(stack, 1).cpuPercent!;
			// Instance 1 is the hot one throughout.
			expect(hot).toBe(maxCpu(stack));
			if (cpu70 === null && hot > 70) cpu70 = second;
			if (cpu80 === null && hot > 80) cpu80 = second;
			if (db80 === null && stack.sources.postgres.view().sample!.ratio > 0.8) db80 = second;
		}

		expect(cpu70).not.toBeNull();
		expect(cpu80).not.toBeNull();
		expect(cpu70!).toBeLessThan(cpu80!);
		expect(cpu70!).toBeGreaterThanOrEqual(3);
		expect(db80).not.toBeNull();
		expect(stack.sources.redis.view().sample!.ratio - redisStart).toBeGreaterThan(0.03);
	});

	test('the same seed gives the same numbers; another seed does not', () => {
		const record = (seed: number) => {
			const stack = makeStack({seed});
			startAll(stack);
			const views: string[] = [];
			for (let i = 0; i < 10; i++) {
				stack.advance(1_500);
				views.push(JSON.stringify([stack.docker.view(), stack.sources.postgres.view(), stack.sources.redis.view()]));
			}

			return views;
		};

		expect(record(99)).toEqual(record(99));
		expect(record(99)).not.toEqual(record(100));
	});
});

describe('scale', () => {
	test('scaling to 6 adds instances 4..6 that start, then take load and lower the hottest CPU', async () => {
		const scaled = makeStack();
		const control = makeStack();
		startAll(scaled);
		startAll(control);
		scaled.advance(20_000);
		control.advance(20_000);
		const poolBefore = scaled.sources.postgres.view().sample!.connections;

		await scaled.scaleTo(6);
		const created = scaled.docker.view().instances.filter((instance) => instance.number! > 3);
		expect(created.map((instance) => instance.name)).toEqual([
			'voiceassist-voiceassist-server-4',
			'voiceassist-voiceassist-server-5',
			'voiceassist-voiceassist-server-6',
		]);
		for (const instance of created) {
			expect(instance).toMatchObject({state: 'created', startedAt: null, cpuPercent: null, memPercent: null});
		}

		scaled.advance(1_000);
		control.advance(1_000);
		expect(byNumber(scaled, 5)).toMatchObject({state: 'running', health: 'starting', startedAt: t0 + 21_000});
		scaled.advance(4_000);
		control.advance(4_000);
		expect(byNumber(scaled, 5)).toMatchObject({state: 'running', health: 'healthy'});
		expect(maxCpu(scaled)).toBeLessThan(maxCpu(control) - 25);
		expect(maxCpu(scaled)).toBeLessThan(70);
		// Each new replica opens its own idle pool to PostgreSQL.
		expect(scaled.sources.postgres.view().sample!.connections).toBeGreaterThan(control.sources.postgres.view().sample!.connections);
		expect(scaled.sources.postgres.view().sample!.connections).toBeGreaterThan(poolBefore);
	});

	test('scaling down stops the highest numbers: exited briefly, then gone; the rest run hotter', async () => {
		const stack = makeStack();
		startAll(stack);
		stack.advance(10_000);
		const before = byNumber(stack, 1).cpuPercent!;
		await stack.scaleTo(2);
		expect(byNumber(stack, 3).state).toBe('exited');
		stack.advance(1_000);
		expect(byNumber(stack, 1).cpuPercent!).toBeGreaterThan(before + 10);
		stack.advance(2_000);
		expect(stack.docker.view().instances.map((instance) => instance.number)).toEqual([1, 2]);
		// Scaling up again reuses the freed number, as compose does.
		await stack.scaleTo(3);
		expect(byNumber(stack, 3).state).toBe('created');
		await expect(stack.scaleTo(2.5)).rejects.toThrow(/whole number/);
		await expect(stack.scaleTo(-1)).rejects.toThrow(RangeError);
	});
});

describe('drain', () => {
	test('a drained instance loses its connections, the others take its load, then it is removed', async () => {
		const stack = makeStack();
		const control = makeStack();
		startAll(stack);
		startAll(control);
		stack.advance(20_000);
		control.advance(20_000);
		const target = byNumber(stack, 3);
		const start = stack.connections(target.id);
		expect(start).toBeGreaterThan(5);
		expect(stack.connections(target.name)).toBe(start);

		await stack.beginDrain(target.id);
		const seen = [start];
		const deadline = stack.now() + 30_000;
		while (stack.connections(target.id) > 0 && stack.now() < deadline) {
			stack.advance(1_000);
			control.advance(1_000);
			seen.push(stack.connections(target.id));
		}

		expect(stack.connections(target.id)).toBe(0);
		// "Over a few seconds": not at once, not forever.
		expect(seen.length).toBeGreaterThan(3);
		expect(seen.length).toBeLessThan(12);
		for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeLessThanOrEqual(seen[i - 1]);
		expect(byNumber(stack, 3).cpuPercent!).toBeLessThan(5);
		expect(byNumber(stack, 2).cpuPercent!).toBeGreaterThan(byNumber(control, 2).cpuPercent! + 5);
		expect(byNumber(stack, 3)).toMatchObject({state: 'running', health: 'healthy'});

		await stack.removeInstance(target.id);
		expect(byNumber(stack, 3).state).toBe('exited');
		stack.advance(3_000);
		expect(stack.docker.view().instances.map((instance) => instance.number)).toEqual([1, 2]);
		expect(() => stack.connections(target.id)).toThrow(/no demo instance/);
	});

	test('restoring a drained instance gives it load again', async () => {
		const stack = makeStack();
		startAll(stack);
		stack.advance(20_000);
		const target = byNumber(stack, 2);
		await stack.beginDrain(target.name);
		stack.advance(10_000);
		expect(stack.connections(target.id)).toBe(0);
		await stack.restoreInstance(target.id);
		stack.advance(1_000);
		expect(stack.connections(target.id)).toBeGreaterThan(5);
		expect(byNumber(stack, 2).cpuPercent!).toBeGreaterThan(30);
	});

	test('only a serving instance can drain; unknown ids are refused', async () => {
		const stack = makeStack();
		startAll(stack);
		await stack.scaleTo(4);
		const fresh = byNumber(stack, 4);
		await expect(stack.beginDrain(fresh.id)).rejects.toThrow(/is created/);
		await expect(stack.beginDrain('nope')).rejects.toThrow(/no demo instance nope/);
		await stack.removeInstance(fresh.id);
		await expect(stack.restoreInstance(fresh.id)).rejects.toThrow(/has exited/);
	});
});
