// The access log in --demo: a pure function of the simulation's clock and instances. Within each 60 s cycle:
// 0-6 s quiet, 6-28 s the second instance answers slowly (its p95 near 3 s while the others stay near 150 ms: the
// instance is named, IMMEDIATE), 28-32 s quiet again, 32-50 s an error burst on every instance (5xx near 12 %:
// scale out, IMMEDIATE), then quiet. So `npm run demo` shows both within about 20 s.
import type {DemoHook, DemoWorld} from '../../core/source-model.js';
import type {HttpSample} from './sample.js';
import type {HttpInstanceFigures} from './summary.js';

const cycleMs = 60_000;
const windowSeconds = 60;

/** A small deterministic wobble in [-1, 1) from the seed and the second, so numbers move as live ones do. */
function wobble(seed: number, second: number, salt: number): number {
	let x = (seed ^ (second * 2_654_435_761) ^ (salt * 40_503)) >>> 0;
	x = Math.imul(x ^ (x >>> 16), 0x45d9f3b) >>> 0;
	x = Math.imul(x ^ (x >>> 16), 0x45d9f3b) >>> 0;
	return ((x ^ (x >>> 16)) >>> 0) / 2 ** 31 - 1;
}

export function demoHttpSample(world: DemoWorld, at: number): HttpSample | null {
	const serving = world.instances.filter((instance) => instance.phase === 'serving');
	const phase = world.elapsedMs % cycleMs;
	const slowPhase = phase >= 6000 && phase < 28_000;
	const errorPhase = phase >= 32_000 && phase < 50_000;
	const second = Math.floor(world.elapsedMs / 1000);
	const perInstance = 14;
	const instances: HttpInstanceFigures[] = serving.map((instance, index) => {
		const requests = Math.round(perInstance * windowSeconds * (1 + 0.05 * wobble(world.seed, second, index)));
		const slow = slowPhase && index === 1;
		const p95Ms = (slow ? 2900 : 150) * (1 + 0.1 * wobble(world.seed, second, index + 10));
		const errorRatio = errorPhase ? 0.12 + 0.02 * wobble(world.seed, second, index + 20) : 0.002;
		return {name: instance.name, id: `demo-${instance.number}`, addresses: [`172.18.0.${10 + instance.number}:8000`], requests, errors: Math.round(requests * errorRatio), errorRatio, p95Ms};
	});
	const requests = instances.reduce((sum, row) => sum + row.requests, 0);
	const errors = instances.reduce((sum, row) => sum + row.errors, 0);
	const slowShare = slowPhase && instances.length > 1 ? instances[1]!.requests / Math.max(1, requests) : 0;
	// With one instance in three slow, more than 5 % of requests are slow: the service's p95 is the slow one's.
	const p95Ms = slowShare > 0.05 ? instances[1]!.p95Ms : 160 * (1 + 0.1 * wobble(world.seed, second, 99));
	return {
		at,
		source: `demo://${world.project}/nginx`,
		found: true,
		windowSeconds,
		coveredSeconds: windowSeconds,
		requests,
		requestsPerSecond: requests / windowSeconds,
		errors,
		errorRatio: requests > 0 ? errors / requests : null,
		p50Ms: p95Ms === null ? null : Math.min(p95Ms, 80 + 10 * wobble(world.seed, second, 98)),
		p95Ms,
		p99Ms: p95Ms === null ? null : p95Ms * 1.3,
		latencyAssessed: true,
		instances,
		notUnderstood: 0,
		format: 'json',
		backfilled: true,
	};
}

export const httpDemo: DemoHook<HttpSample> = {
	endpoint: 'demo://nginx',
	sample: demoHttpSample,
};
