// What the Swarm manager says about the service: the service itself (mode, replicas, version), its tasks and the
// nodes, read over the manager's engine link at every connect, then kept current by the manager's events (services
// and nodes; the engine has no task events) and by re-reading the tasks every few seconds and whenever a node's
// engine reports a change in the service's containers. A re-read that times out leaves the data as it was (the
// screen shows it stale, as for a hung daemon); one that fails otherwise is a lost connection (the link retries).
import type Dockerode from 'dockerode';
import {parseList, parseNode, parseService, parseTask, type SwarmNode, type SwarmService, type SwarmTask} from '../../../core/swarm.js';
import {RequestTimeout, type EngineLink} from '../../docker/engine-link.js';
import {splitLines} from '../../docker/stats-reader.js';

/** Tasks (and nodes) are re-read this often while nothing else asks for it. */
export const taskPollMs = 2000;
/** Events replayed from before the listing, so none is lost between the listing and the subscription. */
const eventReplayMs = 2000;
/** Re-reads asked for within this are one. */
const refreshDebounceMs = 150;

export interface ManagerState {
	service: SwarmService | null;
	tasks: readonly SwarmTask[];
	nodes: readonly SwarmNode[];
	/** The node the manager's own engine runs on (GET /info Swarm.NodeID): its tasks are read on the manager's engine. */
	selfNodeId: string | null;
	/** Bumped on every change of the above. */
	version: number;
}

export interface SwarmManager {
	state(): ManagerState;
	/** One connect attempt's reading: throws when the manager cannot be read or has no such service. */
	load(epoch: number): Promise<void>;
	/** After a successful load: events and the task re-reads. */
	follow(): void;
	unfollow(): void;
	/** Re-read the tasks (and nodes) soon: a node's engine saw the service's containers change, or an action ran. */
	refresh(): void;
}

/** The manager answers but has no service by that name: the one line the header shows. */
export class ServiceMissing extends Error {}

interface SwarmEvent {
	Type?: string;
	Action?: string;
	Actor?: {ID?: string; Attributes?: Record<string, string>};
}

type Listing = (options: Record<string, unknown>) => Promise<unknown>;

export function createSwarmManager(options: {link: EngineLink; serviceName: string; now(): number; changed(): void; pollMs?: number}): SwarmManager {
	const {link, serviceName, now, changed} = options;
	const pollMs = options.pollMs ?? taskPollMs;
	let state: ManagerState = {service: null, tasks: [], nodes: [], selfNodeId: null, version: 0};
	let listedFrom = 0;
	let events: {abort: AbortController; stream: NodeJS.ReadableStream | null} | null = null;
	let pollTimer: NodeJS.Timeout | undefined;
	let refreshTimer: NodeJS.Timeout | undefined;
	let reading = false;
	let again = false;
	let serviceStale = false;

	const call = (method: keyof Dockerode, query: Record<string, unknown>) =>
		link.request((signal) => (link.docker[method] as unknown as Listing).call(link.docker, {...query, abortSignal: signal}));

	async function readService(): Promise<SwarmService> {
		// The name filter matches prefixes: the exact name is picked from what comes back.
		const services = parseList(await call('listServices', {filters: {name: [serviceName]}, status: true}), parseService);
		const service = services.find((entry) => entry.name === serviceName);
		if (service === undefined) throw new ServiceMissing(`no service named ${serviceName} on the Swarm manager at ${link.endpoint}`);
		return service;
	}

	// Sorted: the engine's order is not stable, and an unchanged reading must compare equal.
	const byId = (a: {id: string}, b: {id: string}) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
	const readTasks = async (serviceId: string) => parseList(await call('listTasks', {filters: {service: [serviceId]}}), parseTask).sort(byId);
	const readNodes = async () => parseList(await call('listNodes', {}), parseNode).sort(byId);

	function set(next: Partial<ManagerState>): void {
		const merged = {...state, ...next};
		if (same(state, merged)) return;
		state = {...merged, version: state.version + 1};
		changed();
	}

	/** One re-read of what may have changed; the service too when an event said so. */
	async function reread(): Promise<void> {
		if (reading) {
			again = true;
			return;
		}

		reading = true;
		const epoch = link.epoch();
		try {
			do {
				again = false;
				const withService = serviceStale || state.service === null;
				serviceStale = false;
				const service = withService ? await readService() : state.service!;
				const [tasks, nodes] = await Promise.all([readTasks(service.id), readNodes()]);
				if (!link.current(epoch)) return;
				link.fresh();
				set({service, tasks, nodes});
			} while (again && link.current(epoch));
		} catch (error) {
			if (!link.current(epoch)) return;
			// A hung manager: the data age on screen, the events stream tells when it is gone for good.
			if (error instanceof RequestTimeout) return;
			// Gone from the manager: no tasks of it are shown any more (the link retries, and finds it when redeployed).
			if (error instanceof ServiceMissing) set({service: null, tasks: []});
			link.lost(error);
		} finally {
			reading = false;
		}
	}

	function refresh(): void {
		if (!link.isUp()) return;
		clearTimeout(refreshTimer);
		refreshTimer = setTimeout(() => {
			refreshTimer = undefined;
			void link.track(reread());
		}, refreshDebounceMs);
	}

	function handleEvent(event: SwarmEvent): void {
		if (event.Type === 'service') {
			const id = event.Actor?.ID;
			if (id !== state.service?.id && event.Actor?.Attributes?.name !== serviceName) return;
			serviceStale = true;
			refresh();
		} else if (event.Type === 'node') {
			refresh();
		}
	}

	function unfollow(): void {
		clearInterval(pollTimer);
		pollTimer = undefined;
		clearTimeout(refreshTimer);
		refreshTimer = undefined;
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
		state: () => state,
		async load(epoch) {
			listedFrom = now();
			const [info, service, nodes] = await Promise.all([
				link.request((signal) => (link.docker.info as (options: {abortSignal: AbortSignal}) => Promise<unknown>).call(link.docker, {abortSignal: signal})),
				readService().catch((error: unknown) => {
					if (error instanceof ServiceMissing && link.current(epoch)) set({service: null, tasks: []});
					throw error;
				}),
				readNodes(),
			]);
			const tasks = await readTasks(service.id);
			if (!link.current(epoch)) return;
			const selfNodeId = (info as {Swarm?: {NodeID?: unknown}} | null)?.Swarm?.NodeID;
			set({service, tasks, nodes, selfNodeId: typeof selfNodeId === 'string' && selfNodeId !== '' ? selfNodeId : null});
		},
		follow() {
			const abort = new AbortController();
			const subscription: {abort: AbortController; stream: NodeJS.ReadableStream | null} = {abort, stream: null};
			events = subscription;
			const ended = (error: unknown) => {
				if (events !== subscription || link.isStopped()) return;
				link.lost(error);
			};

			const eventOptions = {
				since: Math.floor((listedFrom - eventReplayMs) / 1000),
				filters: {type: ['service', 'node']},
				abortSignal: abort.signal,
			} as Dockerode.GetEventsOptions;
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
							handleEvent(JSON.parse(line) as SwarmEvent);
						} catch {
							// A malformed line must not end the subscription.
						}
					});
				},
				(error: unknown) => ended(error),
			);
			void link.track(pending);
			pollTimer = setInterval(() => {
				if (link.isUp()) void link.track(reread());
			}, pollMs);
		},
		unfollow,
		refresh,
	};
}

/** Whether two readings show the same (task and node states, the service's version): an unchanged poll is no change. */
function same(a: ManagerState, b: ManagerState): boolean {
	if (a.selfNodeId !== b.selfNodeId || a.service?.version !== b.service?.version || a.service?.id !== b.service?.id) return false;
	if (a.service?.desiredTasks !== b.service?.desiredTasks) return false;
	if (a.tasks.length !== b.tasks.length || a.nodes.length !== b.nodes.length) return false;
	for (let index = 0; index < a.tasks.length; index++) {
		const x = a.tasks[index]!;
		const y = b.tasks[index]!;
		if (x.id !== y.id || x.state !== y.state || x.desiredState !== y.desiredState || x.containerId !== y.containerId || x.nodeId !== y.nodeId || x.message !== y.message) return false;
	}

	for (let index = 0; index < a.nodes.length; index++) {
		const x = a.nodes[index]!;
		const y = b.nodes[index]!;
		if (x.id !== y.id || x.state !== y.state || x.availability !== y.availability || x.address !== y.address || x.version !== y.version || x.leader !== y.leader) return false;
	}

	return true;
}
