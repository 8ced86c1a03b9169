// The demo's job queues: Celery's `celery` backs up once a cycle (from 4 s into each 180 s cycle, about 65 jobs a
// second more than the workers take: past 700 at ~15 s, past 1000 at ~19 s), then drains; BullMQ's `emails` stays
// shallow. A pure function of the simulated time; the trend is the slope of the same curve.
import type {DemoHook, DemoWorld} from '../../core/source-model.js';
import type {QueuesSample} from './parse.js';
import {keysFor} from './spec.js';

const cycleMs = 180_000;

/** celery's depth at t ms into the cycle: a base, a rise from 4 s to 50 s, a drain after. */
function celeryDepth(t: number): number {
	const base = 40;
	const rise = Math.max(0, Math.min(t, 50_000) - 4000) * 0.065;
	const drain = Math.max(0, t - 50_000) * 0.04;
	return Math.round(Math.max(base, base + rise - drain));
}

function emailsDepth(t: number, seed: number): number {
	return Math.round(25 + 15 * Math.sin(t / 7000 + seed));
}

export function demoQueues(world: DemoWorld, at: number): QueuesSample {
	const t = world.elapsedMs % cycleMs;
	const queues: Array<{name: string; kind: 'celery' | 'bullmq'; depth: (t: number) => number}> = [
		{name: 'celery', kind: 'celery', depth: celeryDepth},
		{name: 'emails', kind: 'bullmq', depth: time => emailsDepth(time, world.seed)},
	];
	return {
		at,
		queues: queues.map(queue => {
			const depth = queue.depth(t);
			const keys = keysFor(queue.name, queue.kind);
			return {
				name: queue.name,
				kind: queue.kind,
				key: keys[0]!,
				depth,
				keys: keys.map((key, index) => ({key, type: index === 0 ? 'list' : 'none', depth: index === 0 ? depth : 0, error: null})),
				error: null,
				ratePerSecond: t >= 1000 ? depth - queue.depth(t - 1000) : null,
			};
		}),
	};
}

export const queuesDemo: DemoHook<QueuesSample> = {endpoint: 'demo://redis', sample: demoQueues};
