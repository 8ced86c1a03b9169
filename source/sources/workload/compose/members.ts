// Who the members of a Compose service are on one engine, and what state each is in: one listing (by the project
// label, then each container inspected) at every connect, then the events API, no polling. Events for lifecycle and
// health are applied in order: an inspect answer older than the newest event for its container is dropped.
// The project's other services (postgres, redis, nginx, …) come with the same listing and events: their containers
// are entries too, marked with their `service`, metered like the instances and shown apart (DockerView.others).
import type Dockerode from 'dockerode';
import type {ContainerState, HealthStatus, InstanceSample} from '../../../core/types.js';
import {statusCode, type EngineLink} from '../../docker/engine-link.js';
import {splitLines} from '../../docker/stats-reader.js';
import type {Meter} from '../meter/meter.js';
import {emptySlot, isRunning, type MeteredEntry} from '../meter/slot.js';
import type {MemberSelector} from '../selector.js';

/** Events replayed from before the listing, so none is lost between the listing and the subscription. */
const eventReplayMs = 2000;

// Only these reach us; exec_* events (one per health check run) stay on the daemon.
const followedEvents = ['create', 'start', 'restart', 'die', 'stop', 'kill', 'pause', 'unpause', 'destroy', 'rename', 'health_status'];

const containerStates: ReadonlySet<string> = new Set<ContainerState>(['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead']);

interface DockerEvent {
	Type?: string;
	Action?: string;
	status?: string;
	id?: string;
	Actor?: {ID?: string};
}

/** Orders answers to events: an inspect older than the last event for its container is dropped. */
interface Versions {
	state: number;
	health: number;
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

export interface ComposeMembers {
	/** One connect attempt's listing: every member inspected and applied, those gone removed. */
	load(epoch: number): Promise<void>;
	/** After a successful load: follow events from just before the listing. */
	follow(): void;
	/** Stops following (the connection is gone, or va-top stops). */
	unfollow(): void;
}

export interface MembersContext {
	link: EngineLink;
	selector: MemberSelector;
	entries: Map<string, MeteredEntry>;
	meter: Meter;
	now(): number;
	changed(): void;
}

export function createComposeMembers(context: MembersContext): ComposeMembers {
	const {link, selector, entries, meter, now, changed} = context;
	const versions = new Map<string, Versions>();
	let listedFrom = 0;
	let events: {abort: AbortController; stream: NodeJS.ReadableStream | null} | null = null;

	function inspect(id: string): Promise<Dockerode.ContainerInspectInfo | null> {
		return link.request((signal) => link.docker.getContainer(id).inspect({abortSignal: signal})).catch((error: unknown) => {
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

	/** Whose the container is: the app service's, another service's of the project (its name), or no one's (null). */
	function ownerOf(info: Dockerode.ContainerInspectInfo): {other: string | undefined} | null {
		const labels = info.Config?.Labels;
		if (selector.matches(labels)) return {other: undefined};
		const other = selector.otherService(labels);
		return other === null ? null : {other};
	}

	/** Puts what inspect said into the row, keeping the last CPU and memory while it runs. */
	function apply(info: Dockerode.ContainerInspectInfo, applyHealth: boolean, other: string | undefined): void {
		const id = info.Id;
		const state = toState(info.State?.Status);
		const entry = entries.get(id);
		const previous = entry?.sample;
		const running = isRunning(state);
		const pid = running ? (info.State?.Pid ?? 0) : 0;
		const sample: InstanceSample = {
			id,
			name: (info.Name ?? '').replace(/^\//, '') || id.slice(0, 12),
			number: selector.number(info.Config?.Labels),
			state,
			health: applyHealth || !previous ? toHealth(info.State?.Health?.Status) : previous.health,
			restartCount: info.RestartCount ?? 0,
			startedAt: toTime(info.State?.StartedAt),
			cpuPercent: running ? (previous?.cpuPercent ?? null) : null,
			memPercent: running ? (previous?.memPercent ?? null) : null,
			memUsageBytes: running ? (previous?.memUsageBytes ?? null) : null,
			memLimitBytes: running ? (previous?.memLimitBytes ?? null) : null,
			sampledAt: running ? (previous?.sampledAt ?? null) : null,
			...(other === undefined ? {} : {service: other}),
			...(info.HostConfig?.Memory === undefined ? {} : {memoryLimited: info.HostConfig.Memory > 0}),
		};
		if (entry) {
			entry.sample = sample;
			entry.pid = pid;
		} else {
			entries.set(id, {sample, pid, meter: emptySlot()});
		}

		// While connecting nothing reads yet; the link's up() rebalances once the whole listing is in.
		if (link.status().kind === 'ok') meter.rebalance();
	}

	function remove(id: string): void {
		const entry = entries.get(id);
		versions.delete(id);
		if (!entry) return;
		entries.delete(id);
		meter.release(entry);
		meter.rebalance();
		changed();
	}

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
					entry.sample = {...entry.sample, state: 'exited', cpuPercent: null, memPercent: null, memUsageBytes: null, memLimitBytes: null, sampledAt: null};
					meter.rebalance();
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
		const refreshEpoch = link.epoch();
		inspect(id).then(
			(info) => {
				if (!link.current(refreshEpoch) || versions.get(id) !== version || version.state !== state) return;
				if (!info) return;
				const owner = ownerOf(info);
				if (!owner) {
					remove(id);
					return;
				}

				apply(info, version.health === health, owner.other);
				changed();
			},
			(error: unknown) => {
				// The daemon stopped answering: the events stream tells too, but do not wait for it.
				if (link.current(refreshEpoch)) link.lost(error);
			},
		);
	}

	function unfollow(): void {
		const subscription = events;
		events = null;
		if (!subscription) return;
		subscription.abort.abort();
		const stream = subscription.stream as (NodeJS.ReadableStream & {destroy(): void; closed?: boolean}) | null;
		if (stream && !stream.closed) {
			void link.track(
				new Promise<void>((resolve) => {
					stream.once('close', () => resolve());
					stream.destroy();
				}),
			);
		}
	}

	return {
		async load(epoch) {
			listedFrom = now();
			// One listing for the whole project: the other services' containers cost no request of their own.
			const listed = await link.request((signal) => link.docker.listContainers({all: true, filters: {label: [...selector.projectFilter]}, abortSignal: signal}));
			if (!link.current(epoch)) return;
			const infos = await Promise.all(listed.map((container) => inspect(container.Id)));
			if (!link.current(epoch)) return;
			const present = new Set<string>();
			for (const info of infos) {
				const owner = info ? ownerOf(info) : null;
				if (!info || !owner) continue;
				present.add(info.Id);
				apply(info, true, owner.other);
			}

			for (const id of [...entries.keys()]) if (!present.has(id)) remove(id);
		},
		follow() {
			const abort = new AbortController();
			const subscription: {abort: AbortController; stream: NodeJS.ReadableStream | null} = {abort, stream: null};
			events = subscription;
			const eventOptions = {
				since: Math.floor((listedFrom - eventReplayMs) / 1000),
				filters: {type: ['container'], label: [...selector.projectFilter], event: followedEvents},
				abortSignal: abort.signal,
			} as Dockerode.GetEventsOptions;
			const ended = (error: unknown) => {
				if (events !== subscription || link.isStopped()) return;
				link.lost(error);
			};

			// The daemon sends the response headers only with the first event, so this may stay pending.
			const pending = link.docker.getEvents(eventOptions).then(
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
						if (events !== subscription || link.isStopped()) return;
						try {
							handleEvent(JSON.parse(line) as DockerEvent);
						} catch {
							// A malformed line or a bug in handling must not kill the subscription.
						}
					});
				},
				(error: unknown) => ended(error),
			);
			void link.track(pending);
		},
		unfollow,
	};
}
