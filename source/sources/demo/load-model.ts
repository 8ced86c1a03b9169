// The simulated VoiceAssist stack's numbers, as pure functions of seed, elapsed time and the instances present.
// No clock, no timers, no state: the demo stack feeds in its own time and lifecycle, so tests can ask for any moment.

export const gib = 1024 ** 3;
export const mib = 1024 ** 2;

/** The runbook's per-replica limit: `deploy.resources.limits.memory: 2G`. */
export const instanceMemLimitBytes = 2 * gib;
/** The runbook's per-replica CPU limit is `cpus: "2"`, so docker stats can read up to 200 %. */
export const instanceCpuCeiling = 198;
export const postgresMaxConnections = 100;
/** PostgreSQL keeps superuser_reserved_connections (default 3) out of the clients' reach. */
export const postgresReservedConnections = 3;
export const redisMaxMemoryBytes = 1 * gib;
export const redisSystemMemoryBytes = 8 * gib;

/** One load cycle: rise, busy plateau, fall, quiet, again. */
export const cycleMs = 180_000;
const riseMs = 40_000;
const plateauEndMs = 95_000;
const fallEndMs = 140_000;

/** Total request load in "% of one instance": 120 when quiet, 210 at the peak. */
export const loadQuiet = 120;
export const loadPeak = 210;

/** The hot instance (number 1) gets this much more new traffic than the others (sticky sessions, long calls). */
export const hotInstanceWeight = 1.8;

const cpuNoise = 1.2;
/** Idle CPU of an instance that serves nothing (health checks, timers). */
const idleCpu = 1.5;
/** CPU while the app boots, before its health check passes. */
const bootCpu = 22;
/** Established HTTP connections per % of CPU load an instance serves. */
const connectionsPerLoad = 0.35;
/** How quickly a draining instance's connections finish (exponential, time constant). */
export const drainTimeConstantMs = 1_500;

const dbBase = 4; // the monitor, migrations runner, an admin session
const dbPoolPerInstance = 3; // idle connections each replica's pool keeps open
const dbLoadAtQuiet = 48;
const dbLoadPerLoad = 0.36;
const dbActiveShare = 0.4;

// ---------------------------------------------------------------------------------------------------------------
// Deterministic noise

/** A 32-bit integer hash of the arguments (splitmix/murmur finaliser style); same inputs, same output. */
export function hash32(...parts: number[]): number {
	let h = 0x9e3779b9;
	for (const part of parts) {
		// Fold in fractional and large values too, 32 bits at a time.
		const low = part >>> 0;
		const high = Math.floor(part / 0x1_0000_0000) >>> 0;
		for (const word of [low, high]) {
			h = Math.imul(h ^ word, 0x85ebca6b);
			h ^= h >>> 13;
			h = Math.imul(h, 0xc2b2ae35);
			h ^= h >>> 16;
		}
	}

	return h >>> 0;
}

/** A fake 64-hex container id, stable for a seed and serial. */
export function fakeContainerId(seed: number, serial: number): string {
	let id = '';
	for (let word = 0; word < 8; word++) id += hash32(seed, serial, word, 0x1d).toString(16).padStart(8, '0');
	return id;
}

function unit(seed: number, key: number, knot: number): number {
	return (hash32(seed, key, knot) / 0xffff_ffff) * 2 - 1;
}

/** Smooth value noise in -1..1: random values at every `knotMs`, eased between them, so lines wiggle instead of jumping. */
export function smoothNoise(seed: number, key: number, elapsedMs: number, knotMs = 2_000): number {
	const position = elapsedMs / knotMs;
	const knot = Math.floor(position);
	const fraction = position - knot;
	const eased = fraction * fraction * (3 - 2 * fraction);
	const a = unit(seed, key, knot);
	const b = unit(seed, key, knot + 1);
	return a + (b - a) * eased;
}

// ---------------------------------------------------------------------------------------------------------------
// Load

/** Where in the cycle the load is, 0 (quiet) .. 1 (peak). Starts quiet and rising fast, so the demo shows action early. */
export function loadShape(elapsedMs: number): number {
	const t = ((elapsedMs % cycleMs) + cycleMs) % cycleMs;
	if (t < riseMs) return Math.sin((Math.PI / 2) * (t / riseMs));
	if (t < plateauEndMs) return 1 - 0.06 * Math.sin((Math.PI * (t - riseMs)) / (plateauEndMs - riseMs)) ** 2;
	if (t < fallEndMs) return (1 + Math.cos((Math.PI * (t - plateauEndMs)) / (fallEndMs - plateauEndMs))) / 2;
	return 0;
}

/** Total request load, in % of one instance's CPU. */
export function totalLoad(elapsedMs: number): number {
	return loadQuiet + (loadPeak - loadQuiet) * loadShape(elapsedMs);
}

// ---------------------------------------------------------------------------------------------------------------
// Instances

/**
 * What an instance is doing at a moment, as the demo stack's lifecycle decides it.
 * - created: container exists, not started; booting: running, health check not passed yet, no traffic;
 * - serving: takes its share of new load; draining: takes no new load, its connections finish;
 * - exited: stopped, about to be removed.
 */
export type InstancePhase = 'created' | 'booting' | 'serving' | 'draining' | 'exited';

export interface ModelInstance {
	/** Unique per container ever created in this stack; keys the noise so a re-created number looks different. */
	serial: number;
	number: number;
	phase: InstancePhase;
	/** When it started running (elapsed ms), null while created. */
	runningSinceMs: number | null;
	/** For draining instances: when the drain began and the connections/CPU it had then. */
	drain: {sinceMs: number; connections: number; cpuPercent: number} | null;
}

export interface InstanceReading {
	/** null while created or exited, and for the first second of running (docker stats needs two readings). */
	cpuPercent: number | null;
	memPercent: number | null;
	memUsageBytes: number | null;
	/** Established HTTP connections on the app port. */
	connections: number;
}

export function instanceWeight(instance: ModelInstance): number {
	if (instance.phase !== 'serving') return 0;
	return instance.number === 1 ? hotInstanceWeight : 1;
}

/** Fraction of the remaining connections a drain keeps after `ms` (1 at the start, towards 0). */
export function drainRemaining(ms: number): number {
	return Math.exp(-Math.max(0, ms) / drainTimeConstantMs);
}

function clamp(value: number, low: number, high: number): number {
	return Math.min(high, Math.max(low, value));
}

function round1(value: number): number {
	return Math.round(value * 10) / 10;
}

/** CPU and connections of one serving instance, before noise: its weighted share of the total load. */
function servingLoad(instance: ModelInstance, instances: readonly ModelInstance[], elapsedMs: number): number {
	const total = instances.reduce((sum, other) => sum + instanceWeight(other), 0);
	if (total === 0) return 0;
	return (totalLoad(elapsedMs) * instanceWeight(instance)) / total;
}

/** Established connections of an instance at a moment, without noise (the drain countdown reads this). */
export function instanceConnections(
	instance: ModelInstance,
	instances: readonly ModelInstance[],
	elapsedMs: number,
): number {
	if (instance.phase === 'serving') return Math.round(servingLoad(instance, instances, elapsedMs) * connectionsPerLoad);
	if (instance.phase === 'draining' && instance.drain) {
		return Math.round(instance.drain.connections * drainRemaining(elapsedMs - instance.drain.sinceMs));
	}

	return 0;
}

export function readInstance(
	seed: number,
	instance: ModelInstance,
	instances: readonly ModelInstance[],
	elapsedMs: number,
): InstanceReading {
	const connections = instanceConnections(instance, instances, elapsedMs);
	if (instance.phase === 'created' || instance.phase === 'exited' || instance.runningSinceMs === null) {
		return {cpuPercent: null, memPercent: null, memUsageBytes: null, connections};
	}

	const wiggle = smoothNoise(seed, instance.serial, elapsedMs);
	let cpu: number;
	if (instance.phase === 'booting') cpu = bootCpu + 4 * wiggle;
	else if (instance.phase === 'draining' && instance.drain) {
		const left = drainRemaining(elapsedMs - instance.drain.sinceMs);
		cpu = idleCpu + (instance.drain.cpuPercent - idleCpu) * left + 0.3 * wiggle;
	} else cpu = servingLoad(instance, instances, elapsedMs) + idleCpu + cpuNoise * wiggle;
	cpu = round1(clamp(cpu, 0.1, instanceCpuCeiling));

	// Memory follows work a little: 40 % at rest, about 62 % when one instance runs flat out.
	const offset = (hash32(seed, instance.serial, 0x3e3) / 0xffff_ffff) * 2;
	const memWiggle = 0.4 * smoothNoise(seed, instance.serial + 0x10000, elapsedMs, 5_000);
	const memPercent = round1(clamp(40 + offset + 20 * clamp(cpu / 100, 0, 1) + memWiggle, 38, 65));
	const memUsageBytes = Math.round((memPercent / 100) * instanceMemLimitBytes);

	// docker stats has no CPU figure until it has two readings one interval apart.
	const cpuPercent = elapsedMs - instance.runningSinceMs < 1_000 ? null : cpu;
	return {cpuPercent, memPercent, memUsageBytes, connections};
}

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL and Redis

export interface PostgresReading {
	connections: number;
	active: number;
	maxConnections: number;
}

/**
 * Client backends: a fixed few, an idle pool per replica whose container is up, and connections held by requests
 * in flight (they follow the total load, not the replica count: spreading load doesn't shrink it).
 */
export function readPostgres(seed: number, elapsedMs: number, replicasHoldingPools: number): PostgresReading {
	const inFlight = dbLoadAtQuiet + dbLoadPerLoad * (totalLoad(elapsedMs) - loadQuiet);
	const wiggle = 1.2 * smoothNoise(seed, 0xdb, elapsedMs, 3_000);
	const ceiling = postgresMaxConnections - postgresReservedConnections;
	const connections = Math.round(clamp(dbBase + dbPoolPerInstance * replicasHoldingPools + inFlight + wiggle, 1, ceiling));
	const active = Math.round(clamp(dbActiveShare * inFlight + 1.5 * smoothNoise(seed, 0xdc, elapsedMs), 1, connections));
	return {connections, active, maxConnections: postgresMaxConnections};
}

export interface RedisReading {
	usedMemoryBytes: number;
	usedMemoryRssBytes: number;
	maxMemoryBytes: number;
	totalSystemMemoryBytes: number;
	fragmentationRatio: number;
}

/**
 * used_memory drifts over the cycle: the cache fills through the busy part (passing 70 % of maxmemory in the second
 * minute) and session keys follow the load; it empties again as keys expire in the quiet part.
 */
export function redisFill(seed: number, elapsedMs: number): number {
	const cache = (1 - Math.cos((2 * Math.PI * elapsedMs) / cycleMs)) / 2;
	return 0.5 + 0.18 * cache + 0.06 * loadShape(elapsedMs) + 0.003 * smoothNoise(seed, 0x4ed, elapsedMs, 4_000);
}

export function readRedis(seed: number, elapsedMs: number): RedisReading {
	const usedMemoryBytes = Math.round(redisFill(seed, elapsedMs) * redisMaxMemoryBytes);
	const fragmentationRatio = Math.round((1.08 + 0.02 * smoothNoise(seed, 0x4ee, elapsedMs, 10_000)) * 100) / 100;
	return {
		usedMemoryBytes,
		usedMemoryRssBytes: Math.round(usedMemoryBytes * fragmentationRatio),
		maxMemoryBytes: redisMaxMemoryBytes,
		totalSystemMemoryBytes: redisSystemMemoryBytes,
		fragmentationRatio,
	};
}
