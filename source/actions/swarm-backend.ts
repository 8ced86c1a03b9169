// Scale and drain a Swarm service. Every change goes through the manager against the version just read (the Swarm
// equivalent of the count re-check): POST /services/{id}/update?version=V with the whole spec, replicas changed; a
// version that moved on is refused with both numbers. A drain is the runbook's graceful shutdown for one chosen task,
// since Swarm cannot be told which task a scale-down removes (moby 33392): out of the balancer, its connections
// counted inside its container on its node, its container stopped on its node with the service's stop grace period,
// and at once the replicas N → N-1 (Swarm prefers removing a slot whose task does not run). Then va-top checks which
// task went, and says plainly when Swarm removed a different one. Only the configured service and its task
// containers are ever touched; nodes only by availability (D), against the node's version.
import type Dockerode from 'dockerode';
import {checkRemoval, currentTasks, parseList, parseNode, parseService, parseTask, runningTasks, taskContainerState, taskName, type SwarmNode, type SwarmService, type SwarmTask} from '../core/swarm.js';
import {readConnections, findBalancer} from './engine-backend.js';
import {noBalancer, PreconditionFailed, type ActionBackend, type Balancer, type BalancerHandle, type BackendInstance, type Precondition, type RemovalReport} from './backend.js';
import {boundDocker, type RequestBounds} from './bounded-docker.js';
import {engineMessage, httpStatus} from './docker-io.js';
import {createHookBalancer, type HookCommands} from './hook-balancer.js';
import {createNginxBalancer} from './nginx-balancer.js';
import type {SwarmCollector} from '../sources/workload/swarm/collector.js';

export interface SwarmBackendOptions {
	/** The workload's collector: the manager's engine, and each node's engine (the same clients the screen reads with). */
	collector: Pick<SwarmCollector, 'manager' | 'nodeEngine' | 'refresh' | 'serviceName'>;
	/** The project: its nginx (a Compose service on the manager's engine, or the stack's PROJECT_nginx service). */
	project: string;
	appPort: number;
	hooks?: HookCommands;
	/** Why the service cannot be scaled or drained (a global one), read at each call. */
	cannot?: () => Partial<Record<'scale' | 'drain', string>>;
	secrets?: readonly string[];
	closing?: AbortSignal;
	bounds?: RequestBounds;
	execTimeoutMs?: number;
	/** How long Swarm is given to converge after an update before va-top says how far it got. */
	settleMs?: number;
	/** Between readings while waiting for it. */
	pollMs?: number;
}

interface Reading {
	service: SwarmService;
	tasks: SwarmTask[];
	nodes: SwarmNode[];
}

type RawService = {ID: string; Version: {Index: number}; Spec: Record<string, unknown> & {Mode?: {Replicated?: Record<string, unknown>}}};
type RawNode = {ID: string; Version: {Index: number}; Spec: Record<string, unknown>};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createSwarmBackend(options: SwarmBackendOptions): ActionBackend {
	const {collector, appPort} = options;
	const serviceName = collector.serviceName;
	const closing = options.closing ?? new AbortController().signal;
	const manager = boundDocker(collector.manager.docker, closing, options.bounds).docker;
	const nodeClients = new WeakMap<Dockerode, Dockerode>();
	const settleMs = options.settleMs ?? 30_000;
	const pollMs = options.pollMs ?? 500;
	const execTimeoutMs = options.execTimeoutMs ?? 15_000;
	/** How long the manager is given to hear that a stopped task no longer runs. */
	const stopSeenMs = 10_000;

	/** A bounded client for the engine of the node a task runs on; throws with the reason when there is none. */
	function nodeDocker(task: SwarmTask, name: string): Dockerode {
		const engine = task.nodeId === null ? {reason: `${name} is not placed on a node`} : collector.nodeEngine(task.nodeId);
		if ('reason' in engine) throw new Error(`${name}: ${engine.reason}`);
		let bounded = nodeClients.get(engine.docker);
		if (bounded === undefined) {
			bounded = boundDocker(engine.docker, closing, options.bounds).docker;
			nodeClients.set(engine.docker, bounded);
		}

		return bounded;
	}

	async function read(): Promise<Reading> {
		const listed = parseList(await manager.listServices({filters: {name: [serviceName]}, status: true} as never), parseService);
		const service = listed.find((entry) => entry.name === serviceName);
		if (service === undefined) throw new Error(`no service named ${serviceName} on the Swarm manager at ${collector.manager.endpoint}`);
		const [tasks, nodes] = await Promise.all([manager.listTasks({filters: {service: [service.id]}} as never), manager.listNodes()]);
		return {service, tasks: parseList(tasks, parseTask), nodes: parseList(nodes, parseNode)};
	}

	function hostnameOf(reading: Reading, task: SwarmTask): string {
		return reading.nodes.find((node) => node.id === task.nodeId)?.hostname ?? task.nodeId?.slice(0, 12) ?? 'unplaced';
	}

	function instanceOf(reading: Reading, task: SwarmTask): BackendInstance {
		const node = reading.nodes.find((entry) => entry.id === task.nodeId);
		const name = taskName(serviceName, task);
		const aliases = [name, ...(task.slot === null ? [] : [`${serviceName}.${task.slot}`]), ...(task.containerId === null ? [] : [task.containerId.slice(0, 12)]), ...(node === undefined ? [] : [node.hostname, node.address])];
		const address = node !== undefined && node.address !== '' ? node.address : name;
		return {
			id: task.id,
			name,
			number: task.slot,
			state: taskContainerState(task),
			health: 'none',
			createdAt: task.createdAt,
			aliases: [...new Set(aliases.filter((alias) => alias !== ''))],
			// Host-network services (the runbook's) serve on the node's address; hooks get it.
			address: `${address.includes(':') ? `[${address}]` : address}:${appPort}`,
			host: hostnameOf(reading, task),
		};
	}

	/** The service's whole object as the manager has it now, for an update. */
	async function inspectService(id: string): Promise<RawService> {
		return (await manager.getService(id).inspect()) as RawService;
	}

	/** POST /services/{id}/update?version=V with the spec, replicas set; a version that moved on is refused with both numbers. */
	async function setReplicas(service: SwarmService, target: number, expected: number): Promise<void> {
		const raw = await inspectService(service.id);
		if (raw.Version.Index !== expected) throw changed(expected, raw.Version.Index, service, raw);
		const spec = {...raw.Spec, Mode: {Replicated: {...raw.Spec.Mode?.Replicated, Replicas: target}}};
		try {
			await manager.getService(service.id).update({_query: {version: expected}, _body: spec} as never);
		} catch (error) {
			// Another update came between our read and ours: "update out of sequence".
			if (/out of sequence/i.test(engineMessage(error))) {
				let now = expected;
				try {
					now = (await inspectService(service.id)).Version.Index;
				} catch {
					// The refusal is the news; the current number is a courtesy.
				}

				throw changed(expected, now, service);
			}

			throw new Error(`the service update was not accepted: ${engineMessage(error)}`);
		}
	}

	function changed(expected: number, actual: number, service: SwarmService, raw?: RawService): PreconditionFailed {
		const replicas = raw?.Spec.Mode?.Replicated?.Replicas;
		const note = typeof replicas === 'number' && service.replicas !== null && replicas !== service.replicas ? `, replicas ${service.replicas} → ${replicas}` : '';
		return new PreconditionFailed(
			`${serviceName} changed since it was read (version ${expected} → ${actual}${note}: another update came in between); nothing was changed, look again and retry`,
			expected,
			actual,
		);
	}

	/** Waits until `target` tasks run and are meant to, or settleMs; the last reading either way. */
	async function converge(target: number): Promise<{reading: Reading; done: boolean}> {
		const deadline = Date.now() + settleMs;
		for (;;) {
			const reading = await read();
			const meant = reading.tasks.filter((task) => task.desiredState === 'running');
			const done = runningTasks(reading.tasks).length === target && meant.length === target;
			if (done || Date.now() >= deadline || closing.aborted) return {reading, done};
			await sleep(pollMs);
		}
	}

	/** Waits (up to stopSeenMs) until the manager no longer says any of the tasks runs. */
	async function untilStopped(ids: readonly string[]): Promise<void> {
		const deadline = Date.now() + stopSeenMs;
		while (Date.now() < deadline && !closing.aborted) {
			const tasks = parseList(await manager.listTasks({filters: {id: [...ids]}} as never), parseTask);
			if (tasks.every((task) => task.state !== 'running')) return;
			await sleep(100);
		}
	}

	function progressNote(reading: Reading, target: number): string {
		const running = runningTasks(reading.tasks).length;
		const waiting = reading.tasks.filter((task) => task.desiredState === 'running' && task.state !== 'running');
		const why = [...new Set(waiting.map((task) => `${task.state}${task.message === '' ? '' : `: ${task.message}`}`))].join('; ');
		return `after ${Math.round(settleMs / 1000)} s ${running} of ${target} tasks run${why === '' ? '' : ` (the others ${why})`}`;
	}

	/** The stack's nginx service (PROJECT_nginx) tasks, each on its node's engine: one balancer over all of them. */
	async function stackNginx(): Promise<Balancer | null> {
		const name = `${options.project}_nginx`;
		const service = parseList(await manager.listServices({filters: {name: [name]}} as never), parseService).find((entry) => entry.name === name);
		if (service === undefined) return null;
		const tasks = runningTasks(parseList(await manager.listTasks({filters: {service: [service.id]}} as never), parseTask));
		const byNode = new Map<Dockerode, Array<{id: string; name: string}>>();
		for (const task of tasks) {
			if (task.containerId === null) continue;
			const docker = nodeDocker(task, taskName(name, task));
			byNode.set(docker, [...(byNode.get(docker) ?? []), {id: task.containerId, name: taskName(name, task)}]);
		}

		const parts = [...byNode].map(([docker, containers]) => createNginxBalancer({docker, containers, port: appPort, execTimeoutMs}));
		if (parts.length === 0) return null;
		return parts.length === 1 ? {...parts[0]!, description: `${parts[0]!.description} (service ${name})`} : combineBalancers(parts, name);
	}

	return {
		kind: 'swarm',
		description: `Swarm service update on the manager at ${collector.manager.endpoint}`,
		hosts: [collector.manager.name],
		get cannot() {
			return options.cannot?.() ?? {};
		},
		async list() {
			const reading = await read();
			return currentTasks(reading.tasks.filter((task) => task.serviceId === reading.service.id)).map((task) => instanceOf(reading, task));
		},
		versioned: {
			async read() {
				const {service} = await read();
				return {version: service.version, replicas: service.replicas ?? service.desiredTasks ?? 0, mode: service.mode};
			},
		},
		describeScaleUp(from, to) {
			return `update ${serviceName} to ${to} replicas on the Swarm manager (the service's version is the precondition: an update by anyone else in between refuses it); Swarm places the new task${to - from === 1 ? '' : 's'}`;
		},
		describeRemoval(names, to) {
			return `stop ${names.join(', ')} on ${names.length === 1 ? 'its node' : 'their nodes'} (SIGTERM, then the service's stop grace period), and at once update ${serviceName} to ${to} replicas: Swarm prefers the slot whose task no longer runs; va-top then checks which task went`;
		},
		async scaleUp(instances, target, _host, precondition) {
			const before = new Set(instances.map((instance) => instance.id));
			const {service} = await read();
			await setReplicas(service, target, precondition?.version ?? service.version);
			collector.refresh();
			const {reading, done} = await converge(target);
			const created = runningTasks(reading.tasks)
				.filter((task) => !before.has(task.id))
				.map((task) => `${taskName(serviceName, task)} on ${hostnameOf(reading, task)}`);
			return {created, notes: done ? [] : [progressNote(reading, target)]};
		},
		async remove(victims, target, precondition): Promise<RemovalReport> {
			const before = await read();
			const version = precondition?.version ?? before.service.version;
			if (before.service.version !== version) throw changed(version, before.service.version, before.service);
			const expected = target + victims.length;
			if (before.service.replicas !== expected) {
				throw new PreconditionFailed(
					`${serviceName} now has ${before.service.replicas ?? '?'} replicas, not the ${expected} this was planned from; nothing was changed, look again and retry`,
					expected,
					before.service.replicas ?? 0,
				);
			}

			const tasks = victims.map((victim) => {
				const task = before.tasks.find((entry) => entry.id === victim.id);
				if (task === undefined || task.containerId === null) throw new Error(`${victim.name} is no longer a task of ${serviceName} with a container`);
				return task;
			});
			// Every victim's engine first: nothing is stopped unless all of them can be.
			const clients = tasks.map((task, index) => nodeDocker(task, victims[index]!.name));
			const grace = Math.ceil(before.service.stopGraceSeconds ?? 10);
			const notes: string[] = [];
			for (const [index, task] of tasks.entries()) {
				try {
					await clients[index]!.getContainer(task.containerId!).stop({t: grace});
				} catch (error) {
					if (httpStatus(error) !== 304) throw new Error(`stopping ${victims[index]!.name} on ${hostnameOf(before, task)}: ${engineMessage(error)}`);
				}

				notes.push(`${victims[index]!.name}: container ${task.containerId!.slice(0, 12)} stopped on ${hostnameOf(before, task)} (grace ${grace} s)`);
			}

			// Swarm prefers removing a slot whose task does not run, but only once it knows: the node reports the stop to
			// the manager a moment later. Scaling before that lets Swarm pick among running tasks.
			await untilStopped(tasks.map((task) => task.id));
			try {
				await setReplicas(before.service, target, version);
			} catch (error) {
				const why = error instanceof Error ? error.message : String(error);
				return {notes, failure: `stopped ${victims.map((victim) => victim.name).join(', ')}, but the scale to ${target} was not made (${why}); Swarm starts the stopped slot again`, restore: true};
			}

			collector.refresh();
			const {reading, done} = await converge(target);
			const check = checkRemoval({service: serviceName, before: before.tasks, after: reading.tasks, victims: tasks, nodes: reading.nodes});
			if (!done) notes.push(progressNote(reading, target));
			if (!check.asked) return {notes, failure: check.text, restore: true};
			notes.push(check.text);
			return {notes};
		},
		async connections(instance, port) {
			const reading = await read();
			const task = reading.tasks.find((entry) => entry.id === instance.id);
			if (task === undefined || task.containerId === null) throw new Error(`cannot read connections in ${instance.name}: it has no container`);
			return readConnections(nodeDocker(task, instance.name), {...instance, id: task.containerId}, port, execTimeoutMs);
		},
		async balancer() {
			if (options.hooks !== undefined) return createHookBalancer(options.hooks, {secrets: options.secrets});
			// A Compose nginx beside the manager (the runbook's), else the stack's own nginx service.
			const compose = await findBalancer({docker: manager, endpoint: collector.manager.endpoint, project: options.project, service: serviceName, appPort, execTimeoutMs});
			if (compose !== noBalancer) return compose;
			return (await stackNginx()) ?? noBalancer;
		},
		async setNodeAvailability(node, availability, precondition: Precondition) {
			const raw = (await manager.getNode(node.id).inspect()) as RawNode;
			if (raw.Version.Index !== precondition.version) {
				throw new PreconditionFailed(
					`node ${node.hostname} changed since it was read (version ${precondition.version} → ${raw.Version.Index}); nothing was changed, look again and retry`,
					precondition.version,
					raw.Version.Index,
				);
			}

			try {
				await manager.getNode(node.id).update({_query: {version: precondition.version}, _body: {...raw.Spec, Availability: availability}} as never);
			} catch (error) {
				if (/out of sequence/i.test(engineMessage(error))) {
					throw new PreconditionFailed(`node ${node.hostname} changed while it was being updated (version ${precondition.version}); nothing was changed, look again and retry`, precondition.version, precondition.version);
				}

				throw new Error(`the node update was not accepted: ${engineMessage(error)}`);
			}

			collector.refresh();
		},
	};
}

/** Several nginx containers (one per node) as one balancer: out of all of them, or of none. */
function combineBalancers(parts: readonly Balancer[], service: string): Balancer {
	return {
		description: `nginx (service ${service}, ${parts.length} nodes)`,
		async remove(instance) {
			const handles: BalancerHandle[] = [];
			try {
				for (const part of parts) handles.push(await part.remove(instance));
			} catch (error) {
				for (const handle of handles.reverse()) await handle.restore().catch(() => undefined);
				throw error;
			}

			return {
				description: handles.map((handle) => handle.description).join('; '),
				async restore() {
					const said: string[] = [];
					for (const handle of handles) said.push(await handle.restore());
					return said.join('; ');
				},
				async retire() {
					const said: string[] = [];
					for (const handle of handles) if (handle.retire) said.push(await handle.retire());
					return said.join('; ');
				},
			};
		},
	};
}
