// The demo's PgBouncer: a session pool of 20 that runs out once a cycle. From 6 s into each 180 s cycle clients
// queue for a server connection for about 40 s (the oldest passes 1 s within seconds: IMMEDIATE by ~10 s), then
// the queue drains. A pure function of the simulated time.
import type {DemoHook, DemoWorld} from '../../core/source-model.js';
import type {PgbouncerSample} from './parse.js';

const cycleMs = 180_000;
const beginsMs = 6000;
const lastsMs = 40_000;
const poolSize = 20;

export function demoPgbouncer(world: DemoWorld, at: number): PgbouncerSample {
	const t = world.elapsedMs % cycleMs;
	const into = t - beginsMs;
	const busy = into >= 0 && into < lastsMs;
	// Up to 6 waiting, fewer as it drains; the oldest has waited since the crunch began, capped at a few seconds.
	const waiting = busy ? Math.max(1, Math.round(6 * Math.sin((Math.PI * into) / lastsMs))) : 0;
	const maxWaitMs = busy ? Math.min(into + 400, 4200 + (into % 700)) : 0;
	const active = busy ? poolSize : 8 + Math.round(4 * Math.sin(t / 9000));
	return {
		at,
		pools: [
			{
				database: 'voiceassist',
				user: 'voiceassist',
				clientsActive: active + 6,
				clientsWaiting: waiting,
				serversActive: active,
				serversIdle: poolSize - active,
				maxWaitMs,
				mode: 'transaction',
				avgWaitMs: busy ? 350 : 0.2,
			},
		],
	};
}

export const pgbouncerDemo: DemoHook<PgbouncerSample> = {endpoint: 'demo://pgbouncer', sample: demoPgbouncer};
