// Follows the instances of one Compose service: one listing at connect, then the events API (no
// polling) for lifecycle and health. CPU and memory come from the containers' cgroup files when the engine is on
// this machine (one round of reads per interval, nothing asked of the engine but a ping), else from the API: a
// stats stream per running container up to streamLimit of them, and past that streams for the instances in focus
// (those on screen) and spaced one-shot readings for the rest.
import type Dockerode from 'dockerode';
import {cgroupStatsJson, type CgroupFiles, type CgroupReading} from '../../core/cgroup-stats.js';
import {cpuPercent, memoryUsage, type DockerCpuStats, type DockerStatsJson} from '../../core/docker-stats.js';
import type {ContainerState, DockerView, HealthStatus, InstanceSample, SourceStatus} from '../../core/types.js';
import type {Collector} from '../collector.js';
import {describeError} from '../describe-error.js';
import {createCgroupReader, type CgroupReader, type HostCpu} from './cgroup-reader.js';
import {openStatsStream, splitLines, type StatsReader} from './stats-reader.js';
import {createListeners} from '../listeners.js';

export interface DockerCollectorOptions {
	docker: Dockerode;
	/** From connectDocker: shown in the view and in reasons. */
	endpoint: string;
	project: string;
	service: string;
	/**
	 * auto: the cgroup files for containers of a local engine whose files we can read, the API's stats streams for
	 * the rest; api: always the streams.
	 */
	statsSource?: DockerStatsSource;
	/** Between rounds of cgroup reads (the streams come at the daemon's pace, about 1 s). */
	intervalMs?: number;
	/** Where cgroup files are read; tests point it elsewhere. */
	cgroupReader?: CgroupReader;
	/** Most stats streams held open; past it the instances out of focus get spaced one-shot readings. */
	streamLimit?: number;
	/** How often an instance out of focus is read once it has its first CPU figure. */
	spacedEveryMs?: number;
	now?: () => number;
}

/** The docker collector can also be told which instances the operator is looking at. */
export interface DockerCollector extends Collector<DockerView> {
	/** The instances on screen, streamed first when there are more than streamLimit; null: the lowest numbers. */
	focus(ids: readonly string[] | null): void;
}

export type DockerStatsSource = 'auto' | 'api';

/** Waits between reconnect attempts: 1 s, 2 s, then 5 s for as long as it takes. */
export const dockerRetryDelaysMs = [1000, 2000, 5000] as const;
/** Bounds each list or inspect request (not the streams, which are idle by nature). */
export const dockerRequestTimeoutMs = 5000;
/** A stats stream that ended while its container still runs is reopened after this. */
const streamReopenMs = 1000;
/** Events replayed from before the listing, so none is lost between the listing and the subscription. */
const eventReplayMs = 2000;
/** A new instance's second cgroup reading comes this soon, so its first CPU figure is not a whole interval away. */
export const firstCpuReadingMs = 250;
/** 20 streams cost an engine about 4 % of a core; a screen of 120x40 shows about that many rows. */
export const defaultStreamLimit = 20;
export const defaultSpacedEveryMs = 10_000;
/** The spaced readings' clock, and the wait between a new instance's first two one-shot readings. */
const spacedTickMs = 500;
/** One-shot readings in flight at once, so a big service does not open hundreds of requests together. */
const spacedConcurrency = 4;

const projectLabel = 'com.docker.compose.project';
const serviceLabel = 'com.docker.compose.service';
const numberLabel = 'com.docker.compose.container-number';
const oneoffLabel = 'com.docker.compose.oneoff';

// Only these reach us; exec_* events (one per health check run) stay on the daemon.
const followedEvents = [
	'create',
	'start',
	'restart',
	'die',
	'stop',
	'kill',
	'pause',
	'unpause',
	'destroy',
	'rename',
	'health_status',
];

const containerStates: ReadonlySet<string> = new Set<ContainerState>([
	'created',
	'running',
	'paused',
	'restarting',
	'removing',
	'exited',
	'dead',
]);

interface DockerEvent {
	Type?: string;
	Action?: string;
	status?: string;
	id?: string;
	Actor?: {ID?: string};
}

interface Entry {
	sample: InstanceSample;
	reader: StatsReader | null;
	reopenTimer: NodeJS.Timeout | undefined;
	/** The container's main process, from inspect: where its cgroup is found. */
	pid: number;
	/** The pid the cgroup files were looked up for, so a failed lookup is not repeated every time. */
	cgroupPid: number;
	cgroup: CgroupFiles | null;
	/** Read by the cgroup rounds rather than a stream. */
	viaCgroup: boolean;
	cgroupLast: CgroupReading | null;
	/** Read with spaced one-shot requests (API, out of focus). */
	spaced: boolean;
	spacedDueAt: number;
	spacedInFlight: boolean;
	/**
	 * The CPU counters of the newest reading of any kind: one-shot answers carry no precpu_stats, and an instance moved
	 * from a stream to spaced readings needs no new pair.
	 */
	lastCpu: DockerCpuStats | null;
}

/** Orders answers to events: an inspect older than the last event for its container is dropped. */
interface Versions {
	state: number;
	health: number;
}

class RequestTimeout extends Error {
	readonly code = 'ETIMEDOUT';
	constructor() {
		super(`timed out after ${dockerRequestTimeoutMs / 1000}s`);
	}
}

function toState(status: string | undefined): ContainerState {
	return status !== undefined && containerStates.has(status) ? (status as ContainerState) : 'dead';
}

function toHealth(status: string | undefined): HealthStatus {
	return status === 'healthy' || status === 'unhealthy' || status === 'starting' ? status : 'none';
}

function toTime(text: string | undefined): number | null {
	if (!text) return null;
	const ms = Date.parse(text);
	// Docker's zero time (0001-01-01T00:00:00Z) means "never".
	return Number.isFinite(ms) && ms > 0 ? ms : null;
}

function errorCode(error: unknown): string | undefined {
	const code = (error as {code?: unknown} | null)?.code;
	return typeof code === 'string' ? code : undefined;
}

function statusCode(error: unknown): number | undefined {
	const code = (error as {statusCode?: unknown} | null)?.statusCode;
	return typeof code === 'number' ? code : undefined;
}

function byNumberThenName(a: InstanceSample, b: InstanceSample): number {
	const an = a.number ?? Number.MAX_SAFE_INTEGER;
	const bn = b.number ?? Number.MAX_SAFE_INTEGER;
	return an - bn || a.name.localeCompare(b.name);
}

function isRunning(state: ContainerState): boolean {
	return state === 'running' || state === 'paused';
}

export function createDockerCollector(options: DockerCollectorOptions): DockerCollector {
	const {docker, endpoint} = options;
	const now = options.now ?? Date.now;
	const labels = [`${projectLabel}=${options.project}`, `${serviceLabel}=${options.service}`];
	const socketPath = endpoint.startsWith('unix://') ? endpoint.slice('unix://'.length) : null;
	const intervalMs = Math.max(100, options.intervalMs ?? 1000);
	// A unix socket is this machine's engine (or one in a VM whose cgroups we cannot see: the lookup then fails).
	const cgroups = (options.statsSource ?? 'auto') === 'auto' && socketPath !== null ? (options.cgroupReader ?? createCgroupReader()) : null;
	let sampleTimer: NodeJS.Timeout | undefined;
	let quickTimer: NodeJS.Timeout | undefined;
	let pinging = false;
	const streamLimit = Math.max(1, options.streamLimit ?? defaultStreamLimit);
	const spacedEveryMs = Math.max(spacedTickMs, options.spacedEveryMs ?? defaultSpacedEveryMs);
	let focused: Set<string> | null = null;
	// null: every API-read instance streams (there are no more than streamLimit of them).
	let streamSet: Set<string> | null = null;
	let spacedTimer: NodeJS.Timeout | undefined;

	const listeners = createListeners();
	const entries = new Map<string, Entry>();
	const versions = new Map<string, Versions>();
	let status: SourceStatus = {kind: 'connecting', since: now()};
	let cached: DockerView | null = null;

	let started = false;
	let stopped = false;
	// Bumped on every (re)connect and on stop: answers and streams of an older connection are ignored.
	let epoch = 0;
	let failures = 0;
	let downSince: number | null = null;
	let lastReason = '';
	let retryTimer: NodeJS.Timeout | undefined;
	let events: {abort: AbortController; stream: NodeJS.ReadableStream | null; epoch: number} | null = null;
	// Everything stop() has to wait for.
	const inFlight = new Set<Promise<unknown>>();
	const requestAborts = new Set<AbortController>();

	function track<T>(promise: Promise<T>): Promise<T> {
		const settled = promise.then(
			() => undefined,
			() => undefined,
		);
		inFlight.add(settled);
		void settled.then(() => inFlight.delete(settled));
		return promise;
	}

	function changed(): void {
		cached = null;
		if (stopped) return;
		listeners.notify();
	}

	function setStatus(next: SourceStatus): void {
		status = next;
		changed();
	}

	function reasonFor(error: unknown): string {
		const code = errorCode(error);
		if (socketPath && code === 'EACCES') return `permission denied on ${socketPath}`;
		if (socketPath && code === 'ENOENT') return `no such socket ${socketPath}`;
		if (socketPath && code === 'ECONNREFUSED') return `connection refused at ${endpoint} (is dockerd running?)`;
		const http = statusCode(error);
		if (http !== undefined) {
			const message = error instanceof Error ? error.message.replace(/^\(HTTP code \d+\)\s*/, '').trim() : '';
			return `daemon at ${endpoint} answered HTTP ${http}${message ? `: ${message.split('\n', 1)[0]}` : ''}`;
		}

		if (/authentication methods failed/i.test(error instanceof Error ? error.message : '')) {
			return `ssh authentication failed at ${endpoint}`;
		}

		return describeError(error, endpoint, error instanceof RequestTimeout ? dockerRequestTimeoutMs : undefined);
	}

	/** A bounded request that stop() can cancel. */
	function request<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
		const abort = new AbortController();
		requestAborts.add(abort);
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			abort.abort();
		}, dockerRequestTimeoutMs);
		return track(
			run(abort.signal)
				.catch((error: unknown) => {
					throw timedOut ? new RequestTimeout() : error;
				})
				.finally(() => {
					clearTimeout(timer);
					requestAborts.delete(abort);
				}),
		);
	}

	function inspect(id: string): Promise<Dockerode.ContainerInspectInfo | null> {
		return request((signal) => docker.getContainer(id).inspect({abortSignal: signal})).catch((error: unknown) => {
			// Gone between the event and the answer: its destroy event follows.
			if (statusCode(error) === 404) return null;
			throw error;
		});
	}

	function versionOf(id: string): Versions {
		let version = versions.get(id);
		if (!version) {
			version = {state: 0, health: 0};
			versions.set(id, version);
		}

		return version;
	}

	function isOurs(info: Dockerode.ContainerInspectInfo): boolean {
		const containerLabels = info.Config?.Labels ?? {};
		return (
			containerLabels[projectLabel] === options.project &&
			containerLabels[serviceLabel] === options.service &&
			containerLabels[oneoffLabel] !== 'True'
		);
	}

	/** Puts what inspect said into the row, keeping the last CPU and memory while it runs. */
	function applyInspect(info: Dockerode.ContainerInspectInfo, applyHealth: boolean): void {
		const id = info.Id;
		const state = toState(info.State?.Status);
		const number = Number.parseInt(info.Config?.Labels?.[numberLabel] ?? '', 10);
		const entry = entries.get(id);
		const previous = entry?.sample;
		const running = isRunning(state);
		const pid = running ? (info.State?.Pid ?? 0) : 0;
		const sample: InstanceSample = {
			id,
			name: (info.Name ?? '').replace(/^\//, '') || id.slice(0, 12),
			number: Number.isFinite(number) ? number : null,
			state,
			health: applyHealth || !previous ? toHealth(info.State?.Health?.Status) : previous.health,
			restartCount: info.RestartCount ?? 0,
			startedAt: toTime(info.State?.StartedAt),
			cpuPercent: running ? (previous?.cpuPercent ?? null) : null,
			memPercent: running ? (previous?.memPercent ?? null) : null,
			memUsageBytes: running ? (previous?.memUsageBytes ?? null) : null,
			memLimitBytes: running ? (previous?.memLimitBytes ?? null) : null,
			sampledAt: running ? (previous?.sampledAt ?? null) : null,
		};
		if (entry) {
			entry.sample = sample;
			entry.pid = pid;
		} else {
			entries.set(id, {
				sample,
				reader: null,
				reopenTimer: undefined,
				pid,
				cgroupPid: 0,
				cgroup: null,
				viaCgroup: false,
				cgroupLast: null,
				spaced: false,
				spacedDueAt: 0,
				spacedInFlight: false,
				lastCpu: null,
			});
		}

		// While connecting nothing reads yet; connect() rebalances once the whole listing is in.
		if (status.kind === 'ok') rebalance();
	}

	function remove(id: string): void {
		const entry = entries.get(id);
		versions.delete(id);
		if (!entry) return;
		entries.delete(id);
		closeReader(entry);
		rebalance();
		changed();
	}

	// --- stats readers -------------------------------------------------------------------------

	function closeReader(entry: Entry): void {
		entry.viaCgroup = false;
		entry.cgroupLast = null;
		entry.spaced = false;
		entry.lastCpu = null;
		closeStream(entry);
	}

	function closeStream(entry: Entry): void {
		clearTimeout(entry.reopenTimer);
		entry.reopenTimer = undefined;
		const reader = entry.reader;
		entry.reader = null;
		if (reader) void track(reader.close());
	}

	/**
	 * A reader exactly while the container runs and the daemon is connected: its cgroup files if we can, else a
	 * stream if it is in the stream set, else spaced one-shot readings.
	 */
	function syncReader(id: string): void {
		const entry = entries.get(id);
		if (!entry) return;
		const wanted = status.kind === 'ok' && !stopped && isRunning(entry.sample.state);
		if (!wanted) {
			if (entry.reader || entry.reopenTimer || entry.viaCgroup || entry.spaced) closeReader(entry);
			return;
		}

		if (entry.viaCgroup) return;
		if (cgroupFilesOf(entry)) {
			closeStream(entry);
			entry.spaced = false;
			startCgroup(entry);
			return;
		}

		if (streamSet === null || streamSet.has(id)) {
			entry.spaced = false;
			if (!entry.reader && !entry.reopenTimer) openReader(id, entry);
			return;
		}

		if (entry.spaced) return;
		const last = entry.sample.cpuPercent === null ? null : entry.lastCpu;
		closeReader(entry);
		entry.spaced = true;
		// Straight from a stream it has a figure and counters: the next reading can wait; a new one is read at once.
		entry.lastCpu = last;
		entry.spacedDueAt = last === null ? 0 : now() + spacedEveryMs * (0.5 + Math.random() / 2);
		spacedTimer ??= setInterval(readSpaced, spacedTickMs);
	}

	/** Which API-read instances stream: all up to streamLimit, else those in focus first, then by number. */
	function rebalance(): void {
		const viaApi = [...entries.values()].filter((entry) => isRunning(entry.sample.state) && !entry.viaCgroup && !cgroupFilesOf(entry));
		if (viaApi.length <= streamLimit) {
			streamSet = null;
		} else {
			const rank = (entry: Entry) => (focused?.has(entry.sample.id) ? 0 : 1);
			viaApi.sort((a, b) => rank(a) - rank(b) || byNumberThenName(a.sample, b.sample));
			streamSet = new Set(viaApi.slice(0, streamLimit).map((entry) => entry.sample.id));
		}

		for (const id of entries.keys()) syncReader(id);
	}

	// --- spaced one-shot readings --------------------------------------------------------------

	function readSpaced(): void {
		if (stopped || status.kind !== 'ok') return;
		const at = now();
		let spaced = 0;
		let inFlight = 0;
		const due: Entry[] = [];
		for (const entry of entries.values()) {
			if (!entry.spaced) continue;
			spaced++;
			if (entry.spacedInFlight) inFlight++;
			else if (entry.spacedDueAt <= at) due.push(entry);
		}

		if (spaced === 0) {
			clearInterval(spacedTimer);
			spacedTimer = undefined;
			return;
		}

		due.sort((a, b) => a.spacedDueAt - b.spacedDueAt);
		for (const entry of due.slice(0, Math.max(0, spacedConcurrency - inFlight))) readOnce(entry);
	}

	/** GET /containers/{id}/stats?stream=false&one-shot=true: one message at once, the daemon reads the cgroup once. */
	function readOnce(entry: Entry): void {
		const id = entry.sample.id;
		const readEpoch = epoch;
		entry.spacedInFlight = true;
		request((signal) =>
			docker.getContainer(id).stats({stream: false, 'one-shot': true, abortSignal: signal} as unknown as {stream: false}),
		).then(
			(answer) => {
				entry.spacedInFlight = false;
				if (stopped || readEpoch !== epoch || entries.get(id) !== entry || !entry.spaced) return;
				const stats = answer as DockerStatsJson;
				// Engines older than API 1.41 ignore one-shot and send a precpu of their own; else it is ours.
				if (!stats.precpu_stats?.system_cpu_usage && entry.lastCpu) stats.precpu_stats = entry.lastCpu;
				const first = entry.lastCpu === null;
				entry.spacedDueAt = now() + (first ? spacedTickMs : spacedEveryMs);
				takeStats(entry, stats);
			},
			() => {
				// Gone (its events follow) or the daemon is slow: try again at the usual spacing.
				entry.spacedInFlight = false;
				entry.spacedDueAt = now() + spacedEveryMs;
			},
		);
	}

	// --- cgroup rounds -------------------------------------------------------------------------

	/** The entry's cgroup files, looked up once per pid. */
	function cgroupFilesOf(entry: Entry): CgroupFiles | null {
		if (!cgroups || entry.pid <= 0) return null;
		if (entry.cgroupPid !== entry.pid) {
			entry.cgroupPid = entry.pid;
			entry.cgroup = cgroups.locate(entry.pid, entry.sample.id);
		}

		return entry.cgroup;
	}

	/** Called once cgroupFilesOf found the files. */
	function startCgroup(entry: Entry): void {
		if (!cgroups) return;
		entry.viaCgroup = true;
		entry.cgroupLast = null;
		// The first reading gives memory at once; CPU needs the second, which comes soon rather than in a second.
		const host = cgroups.host();
		if (host) readCgroup(entry, host, now());
		quickTimer ??= setTimeout(() => {
			quickTimer = undefined;
			sampleCgroups(true);
		}, firstCpuReadingMs);
		sampleTimer ??= setInterval(() => sampleCgroups(false), intervalMs);
	}

	/** One reading into the row; a file gone means the cgroup is (the die event follows, or a stream takes over). */
	function readCgroup(entry: Entry, host: HostCpu, at: number): boolean {
		const reading = entry.cgroup && cgroups ? cgroups.read(entry.cgroup, host, at) : null;
		if (!reading) {
			entry.viaCgroup = false;
			entry.cgroupLast = null;
			entry.cgroup = null;
			return false;
		}

		applyStats(entry, cgroupStatsJson(reading, entry.cgroupLast));
		entry.cgroupLast = reading;
		return true;
	}

	/** Every cgroup-read instance in one go, one view change for all; firstOnly: those still without a CPU figure. */
	function sampleCgroups(firstOnly: boolean): void {
		if (stopped || status.kind !== 'ok' || !cgroups) return;
		const host = cgroups.host();
		if (!host) return;
		const at = now();
		let read = 0;
		for (const [id, entry] of entries) {
			if (!entry.viaCgroup) continue;
			if (firstOnly && entry.sample.cpuPercent !== null) continue;
			if (readCgroup(entry, host, at)) read++;
			else syncReader(id);
		}

		// A full round visits every cgroup-read instance: none read means none left.
		if (!firstOnly && read === 0) {
			clearInterval(sampleTimer);
			sampleTimer = undefined;
		}

		if (read > 0) changed();
		if (!firstOnly) ping();
	}

	/** The rounds ask the engine nothing, so this is what shows that it still answers (stale when it does not). */
	function ping(): void {
		if (pinging || stopped || status.kind !== 'ok') return;
		pinging = true;
		const pingEpoch = epoch;
		request((signal) => (docker.ping as (options: {abortSignal: AbortSignal}) => Promise<unknown>).call(docker, {abortSignal: signal})).then(
			() => {
				pinging = false;
				if (stopped || pingEpoch !== epoch || status.kind !== 'ok') return;
				status = {kind: 'ok', at: now()};
				changed();
			},
			() => {
				// A hung daemon shows as stale; a gone one ends the events stream, which reconnects.
				pinging = false;
			},
		);
	}

	function stopSampling(): void {
		clearInterval(spacedTimer);
		spacedTimer = undefined;
		clearInterval(sampleTimer);
		sampleTimer = undefined;
		clearTimeout(quickTimer);
		quickTimer = undefined;
	}

	function openReader(id: string, entry: Entry): void {
		const readerEpoch = epoch;
		const reader = openStatsStream(docker, id, {
			onStats(stats) {
				if (entries.get(id) === entry && entry.reader === reader) takeStats(entry, stats);
			},
			onEnd() {
				if (entry.reader !== reader) return;
				entry.reader = null;
				void track(reader.close());
				// Usually the container stopped and its die event is on the way; if not, read again.
				if (stopped || readerEpoch !== epoch || entries.get(id) !== entry) return;
				entry.reopenTimer = setTimeout(() => {
					entry.reopenTimer = undefined;
					if (!stopped && readerEpoch === epoch) syncReader(id);
				}, streamReopenMs);
			},
		});
		entry.reader = reader;
	}

	/** The hot path: one call per container per second. */
	function takeStats(entry: Entry, stats: DockerStatsJson): void {
		applyStats(entry, stats);
		// The status's time is when data last came in (by our clock, as for PostgreSQL and Redis): the screen marks
		// docker stale from it when the daemon stops answering. Without this it stayed at the connect time.
		const at = now();
		if (status.kind === 'ok' && at - status.at >= 250) status = {kind: 'ok', at};
		changed();
	}

	function applyStats(entry: Entry, stats: DockerStatsJson): void {
		const cpu = cpuPercent(stats);
		entry.lastCpu = stats.cpu_stats ?? null;
		const memory = memoryUsage(stats);
		const previous = entry.sample;
		const read = stats.read === undefined ? Number.NaN : Date.parse(stats.read);
		entry.sample = {
			...previous,
			// The first message of a stream has no delta yet: keep the last value instead of a blank.
			cpuPercent: cpu ?? previous.cpuPercent,
			memPercent: memory ? memory.percent : previous.memPercent,
			memUsageBytes: memory ? memory.usageBytes : previous.memUsageBytes,
			memLimitBytes: memory ? memory.limitBytes : previous.memLimitBytes,
			sampledAt: read > 0 ? read : now(),
		};
	}

	// --- events --------------------------------------------------------------------------------

	function handleEvent(event: DockerEvent): void {
		if (event.Type !== undefined && event.Type !== 'container') return;
		const id = event.Actor?.ID ?? event.id;
		const action = event.Action ?? event.status;
		if (!id || !action) return;

		if (action.startsWith('health_status')) {
			const entry = entries.get(id);
			versionOf(id).health++;
			if (!entry) return;
			const health = toHealth(action.slice(action.indexOf(':') + 1).trim());
			if (entry.sample.health !== health) {
				entry.sample = {...entry.sample, health};
				changed();
			}

			return;
		}

		switch (action) {
			case 'destroy':
				remove(id);
				return;
			case 'die': {
				// Shown at once; the inspect after it brings the restart count and a restart's new state.
				const entry = entries.get(id);
				if (entry && entry.sample.state !== 'exited') {
					entry.sample = {
						...entry.sample,
						state: 'exited',
						cpuPercent: null,
						memPercent: null,
						memUsageBytes: null,
						memLimitBytes: null,
						sampledAt: null,
					};
					rebalance();
					changed();
				}

				refresh(id);
				return;
			}

			default:
				if (followedEvents.includes(action)) refresh(id);
		}
	}

	/** Inspects one container after an event and applies the answer unless a newer event overtook it. */
	function refresh(id: string): void {
		const version = versionOf(id);
		const state = ++version.state;
		const health = version.health;
		const refreshEpoch = epoch;
		inspect(id).then(
			(info) => {
				if (stopped || refreshEpoch !== epoch || versions.get(id) !== version || version.state !== state) return;
				if (!info) return;
				if (!isOurs(info)) {
					remove(id);
					return;
				}

				applyInspect(info, version.health === health);
				changed();
			},
			(error: unknown) => {
				// The daemon stopped answering: the events stream tells too, but do not wait for it.
				if (!stopped && refreshEpoch === epoch) lost(error);
			},
		);
	}

	function subscribe(sinceMs: number): void {
		const abort = new AbortController();
		const subscription: {abort: AbortController; stream: NodeJS.ReadableStream | null; epoch: number} = {
			abort,
			stream: null,
			epoch,
		};
		events = subscription;
		const eventOptions = {
			since: Math.floor(sinceMs / 1000),
			filters: {type: ['container'], label: labels, event: followedEvents},
			abortSignal: abort.signal,
		} as Dockerode.GetEventsOptions;
		// The daemon sends the response headers only with the first event, so this may stay pending.
		const pending = docker.getEvents(eventOptions).then(
			(stream) => {
				subscription.stream = stream;
				stream.on('error', (error: unknown) => ended(error));
				stream.on('end', () => ended(null));
				stream.on('close', () => ended(null));
				if (events !== subscription) {
					(stream as NodeJS.ReadableStream & {destroy(): void}).destroy();
					return;
				}

				splitLines(stream, (line) => {
					if (events !== subscription || stopped) return;
					try {
						handleEvent(JSON.parse(line) as DockerEvent);
					} catch {
						// A malformed line or a bug in handling must not kill the subscription.
					}
				});
			},
			(error: unknown) => ended(error),
		);
		void track(pending);

		function ended(error: unknown): void {
			if (events !== subscription || stopped) return;
			lost(error);
		}
	}

	function closeEvents(): void {
		const subscription = events;
		events = null;
		if (!subscription) return;
		subscription.abort.abort();
		const stream = subscription.stream as (NodeJS.ReadableStream & {destroy(): void; closed?: boolean}) | null;
		if (stream && !stream.closed) {
			void track(
				new Promise<void>((resolve) => {
					stream.once('close', () => resolve());
					stream.destroy();
				}),
			);
		}
	}

	// --- connection ----------------------------------------------------------------------------

	async function connect(): Promise<void> {
		const attemptEpoch = ++epoch;
		const listedFrom = now();
		let infos: Array<Dockerode.ContainerInspectInfo | null>;
		try {
			const listed = await request((signal) =>
				docker.listContainers({all: true, filters: {label: labels}, abortSignal: signal}),
			);
			if (attemptEpoch !== epoch) return;
			infos = await Promise.all(listed.map((container) => inspect(container.Id)));
		} catch (error) {
			if (attemptEpoch === epoch && !stopped) fail(reasonFor(error));
			return;
		}

		if (attemptEpoch !== epoch || stopped) return;
		const present = new Set<string>();
		for (const info of infos) {
			if (!info || !isOurs(info)) continue;
			present.add(info.Id);
			applyInspect(info, true);
		}

		for (const id of [...entries.keys()]) if (!present.has(id)) remove(id);
		failures = 0;
		downSince = null;
		lastReason = '';
		setStatus({kind: 'ok', at: now()});
		subscribe(listedFrom - eventReplayMs);
		rebalance();
	}

	function fail(reason: string): void {
		lastReason = reason;
		downSince ??= now();
		// Unreachable first; once retrying it stays 'reconnecting' (with the newest reason) until a connect succeeds.
		// Going back to 'unreachable' after each failed attempt left 'reconnecting' on screen for a few milliseconds
		// only, so the header never said that va-top was reconnecting.
		const kind = status.kind === 'reconnecting' ? 'reconnecting' : 'unreachable';
		setStatus({kind, reason, since: downSince});
		scheduleRetry();
	}

	/**
	 * The connected daemon went away (error, or null when the events stream just ended): keep the rows
	 * and their last numbers, drop every stream, retry.
	 */
	function lost(error: unknown): void {
		if (stopped || status.kind !== 'ok') return;
		epoch++;
		closeEvents();
		stopSampling();
		for (const entry of entries.values()) closeReader(entry);
		fail(error === null ? `lost connection to ${endpoint} (event stream ended)` : reasonFor(error));
	}

	function scheduleRetry(): void {
		clearTimeout(retryTimer);
		const delay = dockerRetryDelaysMs[Math.min(failures, dockerRetryDelaysMs.length - 1)];
		failures++;
		retryTimer = setTimeout(() => {
			retryTimer = undefined;
			if (stopped) return;
			setStatus({kind: 'reconnecting', reason: lastReason, since: downSince ?? now()});
			void track(connect());
		}, delay);
	}

	return {
		start() {
			if (started || stopped) return;
			started = true;
			status = {kind: 'connecting', since: now()};
			changed();
			void track(connect());
		},
		async stop() {
			if (stopped) {
				await Promise.allSettled([...inFlight]);
				return;
			}

			stopped = true;
			epoch++;
			clearTimeout(retryTimer);
			retryTimer = undefined;
			stopSampling();
			closeEvents();
			for (const entry of entries.values()) closeReader(entry);
			for (const abort of requestAborts) abort.abort();
			// Settling work can add more (a reader closing after its request): wait until nothing is left.
			while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
		},
		view() {
			if (!cached) {
				const statsFrom = {cgroup: 0, api: 0, spaced: 0};
				for (const entry of entries.values()) {
					if (entry.viaCgroup) statsFrom.cgroup++;
					else if (entry.reader || entry.reopenTimer) statsFrom.api++;
					else if (entry.spaced) statsFrom.spaced++;
				}

				cached = {
					endpoint,
					status,
					instances: [...entries.values()].map((entry) => entry.sample).sort(byNumberThenName),
					statsFrom,
				};
			}

			return cached;
		},
		subscribe: listeners.subscribe,
		focus(ids) {
			const next = ids === null ? null : new Set(ids);
			if (next === focused || (next && focused && next.size === focused.size && [...next].every((id) => focused!.has(id)))) return;
			focused = next;
			if (status.kind === 'ok' && !stopped) rebalance();
		},
	};
}
