// A Swarm service as va-top follows it, pure: the manager's answers (GET /services, /tasks, /nodes) read into plain
// types, which tasks are the service's instances now, and each one's numbers from the engine of its own node (the
// only place a task's CPU and memory can be read). A node whose engine cannot be read leaves its tasks shown with
// the manager's state and their numbers not assessed, with the reason; never zeros.
import type {ContainerState, InstanceSample, SourceStatus, SwarmNodeView, SwarmView} from './types.js';
import {compareText} from './compare.js';

export interface SwarmService {
	id: string;
	name: string;
	/** Version.Index: the precondition of every update. */
	version: number;
	mode: 'replicated' | 'global';
	/** Spec.Mode.Replicated.Replicas; null for a global service. */
	replicas: number | null;
	/** ServiceStatus.DesiredTasks / RunningTasks (asked with ?status=true), when the engine sent them. */
	desiredTasks: number | null;
	/** ContainerSpec.StopGracePeriod in seconds; null: not set (Docker's 10 s). */
	stopGraceSeconds: number | null;
	/** com.docker.stack.namespace: the stack it was deployed in. */
	namespace: string | null;
}

/** A task's states only move forward: new → … → running → complete / shutdown / failed / rejected (/ orphaned). */
export type TaskState =
	| 'new'
	| 'allocated'
	| 'pending'
	| 'assigned'
	| 'accepted'
	| 'preparing'
	| 'ready'
	| 'starting'
	| 'running'
	| 'complete'
	| 'shutdown'
	| 'failed'
	| 'rejected'
	| 'remove'
	| 'orphaned';

export interface SwarmTask {
	id: string;
	serviceId: string;
	/** Replicated services: the replica's slot (1…N); null for a global service. */
	slot: number | null;
	/** null until the scheduler placed it. */
	nodeId: string | null;
	desiredState: string;
	state: string;
	/** Status.Message, and Status.Err when there is one. */
	message: string;
	/** Status.ContainerStatus.ContainerID; null before the node created its container. */
	containerId: string | null;
	/** Status.Timestamp: when it reached its state (epoch ms). */
	since: number | null;
	createdAt: number;
}

export interface SwarmNode {
	id: string;
	hostname: string;
	/** Status.Addr; for a manager whose Status.Addr is 0.0.0.0 (an old engine's quirk), ManagerStatus.Addr's host. */
	address: string;
	role: 'manager' | 'worker';
	leader: boolean;
	state: string;
	availability: string;
	/** Version.Index: the precondition of a node update (availability). */
	version: number;
}

function record(value: unknown): Record<string, unknown> | null {
	return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function text(value: unknown): string | null {
	return typeof value === 'string' && value !== '' ? value : null;
}

function count(value: unknown): number | null {
	return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

function time(value: unknown): number | null {
	const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
	// Docker's zero time (0001-01-01T00:00:00Z) means "never".
	return Number.isFinite(ms) && ms > 0 ? ms : null;
}

/** One entry of GET /services; null when it is not a service object. */
export function parseService(json: unknown): SwarmService | null {
	const service = record(json);
	const spec = record(service?.Spec);
	const id = text(service?.ID);
	const name = text(spec?.Name);
	const version = count(record(service?.Version)?.Index);
	if (!service || !spec || id === null || name === null || version === null) return null;
	const mode = record(spec.Mode);
	const replicated = record(mode?.Replicated);
	const global = mode !== null && 'Global' in mode;
	const container = record(record(spec.TaskTemplate)?.ContainerSpec);
	const grace = count(container?.StopGracePeriod);
	const status = record(service.ServiceStatus);
	return {
		id,
		name,
		version,
		mode: global ? 'global' : 'replicated',
		replicas: global ? null : (count(replicated?.Replicas) ?? 1),
		desiredTasks: count(status?.DesiredTasks),
		stopGraceSeconds: grace === null ? null : grace / 1e9,
		namespace: text(record(spec.Labels)?.['com.docker.stack.namespace']),
	};
}

/** One entry of GET /tasks; null when it is not a task object. */
export function parseTask(json: unknown): SwarmTask | null {
	const task = record(json);
	const id = text(task?.ID);
	const serviceId = text(task?.ServiceID);
	if (!task || id === null || serviceId === null) return null;
	const status = record(task.Status);
	const slot = count(task.Slot);
	const message = [text(status?.Message), text(status?.Err)].filter((part): part is string => part !== null).join(': ');
	return {
		id,
		serviceId,
		slot: slot !== null && slot > 0 ? slot : null,
		nodeId: text(task.NodeID),
		desiredState: text(task.DesiredState) ?? 'unknown',
		state: text(status?.State) ?? 'unknown',
		message,
		containerId: text(record(status?.ContainerStatus)?.ContainerID),
		since: time(status?.Timestamp),
		createdAt: time(task.CreatedAt) ?? 0,
	};
}

/** One entry of GET /nodes; null when it is not a node object. */
export function parseNode(json: unknown): SwarmNode | null {
	const node = record(json);
	const id = text(node?.ID);
	const version = count(record(node?.Version)?.Index);
	if (!node || id === null || version === null) return null;
	const status = record(node.Status);
	const spec = record(node.Spec);
	const manager = record(node.ManagerStatus);
	let address = text(status?.Addr) ?? '';
	const managerAddr = text(manager?.Addr);
	if ((address === '' || address === '0.0.0.0') && managerAddr !== null) address = managerAddr.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
	return {
		id,
		hostname: text(record(node.Description)?.Hostname) ?? id.slice(0, 12),
		address,
		role: spec?.Role === 'manager' ? 'manager' : 'worker',
		leader: manager?.Leader === true,
		state: text(status?.State) ?? 'unknown',
		availability: text(spec?.Availability) ?? 'unknown',
		version,
	};
}

/** Every object of a list answer that parses; the rest are dropped. */
export function parseList<T>(json: unknown, parse: (entry: unknown) => T | null): T[] {
	return Array.isArray(json) ? json.flatMap((entry) => parse(entry) ?? []) : [];
}

const aliveStates: ReadonlySet<string> = new Set(['new', 'allocated', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting', 'running']);
const desiredAlive: ReadonlySet<string> = new Set(['running', 'ready', 'accepted', 'assigned', 'pending', 'new']);

/**
 * The tasks that are the service's instances now: those meant to run (desired running or ready), and those meant to
 * stop that still run (being shut down, or left on a node that went down until it comes back). Older tasks of a
 * slot (a failed one Swarm replaced) are history, as in `docker service ps`'s indented lines.
 */
export function currentTasks(tasks: readonly SwarmTask[]): SwarmTask[] {
	return tasks.filter((task) => desiredAlive.has(task.desiredState) || aliveStates.has(task.state));
}

/** What a task's row says, in the table's container states: only a task that runs and is meant to counts as running. */
export function taskContainerState(task: Pick<SwarmTask, 'state' | 'desiredState'>): ContainerState {
	const going = !desiredAlive.has(task.desiredState);
	switch (task.state) {
		case 'running':
			return going ? 'removing' : 'running';
		case 'complete':
		case 'shutdown':
			return 'exited';
		case 'failed':
		case 'rejected':
		case 'orphaned':
		case 'remove':
			return 'dead';
		default:
			// new … starting: not running yet (or being stopped before it did).
			return going ? 'removing' : 'created';
	}
}

/** A task's name: like its container's (`SERVICE.SLOT.TASKID`, the node's ID for a global service's slot), the ID cut to 12. */
export function taskName(service: string, task: Pick<SwarmTask, 'id' | 'slot' | 'nodeId'>): string {
	const slot = task.slot === null ? (task.nodeId ?? 'unplaced').slice(0, 12) : String(task.slot);
	return `${service}.${slot}.${task.id.slice(0, 12)}`;
}

/** How the numbers of a node's tasks can be read. */
export type NodeEngineState =
	/** Its engine: its name, status, and the service's containers on it by container ID (the collector's rows). */
	| {engine: string; status: SourceStatus; samples: ReadonlyMap<string, InstanceSample>}
	/** No engine to read it by (unix:// manager and no --node-host or context for it): why. */
	| {engine: null; reason: string};

export interface SwarmJoin {
	/** The service's name as followed. */
	serviceName: string;
	/** null: not read yet, or not found (missing says why). */
	service: SwarmService | null;
	missing: string | null;
	tasks: readonly SwarmTask[];
	nodes: readonly SwarmNode[];
	/** Per node ID. A node absent here is not read yet. */
	engines: ReadonlyMap<string, NodeEngineState>;
	now: number;
}

/** A running task whose container its node's engine has not listed after this long is not its engine's. */
export const unlistedGraceMs = 5000;

function isDown(status: SourceStatus): status is Extract<SourceStatus, {reason: string}> {
	return status.kind === 'unreachable' || status.kind === 'reconnecting';
}

/** Why a task of this node has no numbers now, or null when its engine can give them. */
function nodeReason(node: SwarmNode | undefined, hostname: string, engine: NodeEngineState | undefined): string | null {
	const down = node !== undefined && node.state !== 'ready' ? `node ${hostname} ${node.state}` : null;
	if (engine === undefined) return null;
	if (engine.engine === null) return down === null ? engine.reason : `${down}; ${engine.reason}`;
	if (!isDown(engine.status)) return null;
	const why = `engine ${engine.status.kind === 'reconnecting' ? 'reconnecting' : 'unreachable'}: ${engine.status.reason}`;
	return down === null ? `node ${hostname} ${why}` : `${down}, ${why}`;
}

/** Older failed tasks of the same slot (or node, for a global service): Swarm's restarts of this replica. */
function restartsOf(task: SwarmTask, tasks: readonly SwarmTask[]): number {
	return tasks.filter(
		(other) =>
			other.id !== task.id &&
			other.createdAt < task.createdAt &&
			(task.slot === null ? other.slot === null && other.nodeId === task.nodeId : other.slot === task.slot) &&
			(other.state === 'failed' || other.state === 'rejected'),
	).length;
}

/** The service's current tasks as instance rows, in slot order, and what the header, table and JSON say about it. */
export function joinSwarm(input: SwarmJoin): {instances: InstanceSample[]; swarm: SwarmView} {
	const {serviceName, service, tasks, nodes, engines, now} = input;
	const nodeById = new Map(nodes.map((node) => [node.id, node]));
	const ours = service === null ? [] : tasks.filter((task) => task.serviceId === service.id);
	const current = currentTasks(ours);
	const perNode = new Map<string, number>();
	const instances = current.map((task): InstanceSample => {
		const node = task.nodeId === null ? undefined : nodeById.get(task.nodeId);
		const hostname = node?.hostname ?? (task.nodeId === null ? 'unplaced' : task.nodeId.slice(0, 12));
		if (task.nodeId !== null) perNode.set(task.nodeId, (perNode.get(task.nodeId) ?? 0) + 1);
		const engine = task.nodeId === null ? undefined : engines.get(task.nodeId);
		const sample = engine?.engine != null && task.containerId !== null ? engine.samples.get(task.containerId) : undefined;
		let state = taskContainerState(task);
		// The node's engine is fresher than the manager about a container that stopped or was paused.
		if (sample !== undefined && state === 'running' && sample.state !== 'running' && engine?.engine != null && engine.status.kind === 'ok') state = sample.state;
		let reason = task.nodeId === null ? null : nodeReason(node, hostname, engine);
		const running = state === 'running' || state === 'paused';
		if (reason === null && running && sample === undefined && engine?.engine != null && engine.status.kind === 'ok' && task.containerId !== null && task.since !== null && now - task.since > unlistedGraceMs) {
			reason = `its container ${task.containerId.slice(0, 12)} is not on the engine read for ${hostname} (${engine.engine}): is that ${hostname}'s engine?`;
		}

		const numbers = running && reason === null && sample !== undefined;
		return {
			id: task.id,
			name: taskName(serviceName, task),
			number: task.slot,
			state,
			health: sample?.health ?? 'none',
			restartCount: restartsOf(task, ours),
			startedAt: sample?.startedAt ?? (task.state === 'running' ? task.since : null),
			cpuPercent: numbers ? sample.cpuPercent : null,
			memPercent: numbers ? sample.memPercent : null,
			memUsageBytes: numbers ? sample.memUsageBytes : null,
			memLimitBytes: numbers ? sample.memLimitBytes : null,
			sampledAt: numbers ? sample.sampledAt : null,
			host: hostname,
			node: hostname,
			...(task.containerId === null ? {} : {containerId: task.containerId}),
			...(reason === null || !(running || state === 'removing') ? {} : {notAssessed: reason}),
			task: {slot: task.slot, state: task.state, desiredState: task.desiredState, message: task.message},
		};
	});
	instances.sort((a, b) => (a.number ?? Number.MAX_SAFE_INTEGER) - (b.number ?? Number.MAX_SAFE_INTEGER) || compareText(a.name, b.name));

	// Managers first, then by hostname: the order `docker node ls` readers expect, stable between readings.
	const ordered = [...nodes].sort((a, b) => (a.role === b.role ? compareText(a.hostname, b.hostname) : a.role === 'manager' ? -1 : 1));
	const nodeViews = ordered.map((node): SwarmNodeView => {
		const engine = engines.get(node.id);
		const reachable = engine !== undefined && engine.engine !== null && engine.status.kind === 'ok';
		return {
			id: node.id,
			hostname: node.hostname,
			address: node.address,
			role: node.role,
			leader: node.leader,
			state: node.state,
			availability: node.availability,
			version: node.version,
			engine: engine?.engine ?? null,
			reachable,
			reason: engine === undefined ? null : engine.engine === null ? engine.reason : isDown(engine.status) ? engine.status.reason : null,
			tasks: perNode.get(node.id) ?? 0,
		};
	});
	const runningTasks = ours.filter((task) => task.state === 'running' && task.desiredState === 'running').length;
	return {
		instances,
		swarm: {
			service: serviceName,
			serviceId: service?.id ?? null,
			mode: service?.mode ?? null,
			version: service?.version ?? null,
			desiredReplicas: service === null ? null : (service.replicas ?? service.desiredTasks),
			runningTasks,
			stopGraceSeconds: service?.stopGraceSeconds ?? null,
			nodes: nodeViews,
			missing: input.missing,
		},
	};
}

/** Tasks that run and are meant to: Swarm's RunningTasks. */
export function runningTasks(tasks: readonly SwarmTask[]): SwarmTask[] {
	return tasks.filter((task) => task.state === 'running' && task.desiredState === 'running');
}

export interface RemovalCheck {
	/** Every drained task's slot is gone, and no other slot went. */
	asked: boolean;
	/** One line: what went, in plain words. */
	text: string;
}

/**
 * Which replicas a scale-down removed, from the tasks before (the drained ones already stopped) and after Swarm
 * converged: Swarm cannot be told which task to remove (moby 33392); it prefers slots whose task does not run, which
 * the drain's stop makes true of the drained one. When it removed another slot instead, that task went without a
 * drain and the drained slot runs again: say so plainly.
 */
export function checkRemoval(input: {service: string; before: readonly SwarmTask[]; after: readonly SwarmTask[]; victims: readonly SwarmTask[]; nodes: readonly SwarmNode[]}): RemovalCheck {
	const {service, before, after, victims, nodes} = input;
	const where = (task: SwarmTask) => nodes.find((node) => node.id === task.nodeId)?.hostname ?? task.nodeId?.slice(0, 12) ?? 'no node';
	const meant = (tasks: readonly SwarmTask[]) => new Set(tasks.filter((task) => task.desiredState === 'running' && task.slot !== null).map((task) => task.slot!));
	const slotsBefore = meant(before);
	for (const victim of victims) if (victim.slot !== null) slotsBefore.add(victim.slot);
	const slotsAfter = meant(after);
	const removed = [...slotsBefore].filter((slot) => !slotsAfter.has(slot)).sort((a, b) => a - b);
	const drained = victims.map((victim) => victim.slot).filter((slot): slot is number => slot !== null);
	const kept = drained.filter((slot) => slotsAfter.has(slot));
	const others = removed.filter((slot) => !drained.includes(slot));
	const names = victims.map((victim) => taskName(service, victim)).join(', ');
	if (kept.length === 0 && others.length === 0) {
		return {asked: true, text: `Swarm removed slot ${drained.join(', ')} (${names}, drained and stopped), as asked`};
	}

	// The slot's task that runs (else the newest meant to, else the newest at all).
	const taskOf = (slot: number, tasks: readonly SwarmTask[]) => {
		const newest = tasks.filter((task) => task.slot === slot).sort((a, b) => b.createdAt - a.createdAt);
		return newest.find((task) => task.state === 'running' && task.desiredState === 'running') ?? newest.find((task) => task.desiredState === 'running') ?? newest[0];
	};
	const wentText = others
		.map((slot) => {
			const task = taskOf(slot, before);
			return task === undefined ? `slot ${slot}` : `${taskName(service, task)} (slot ${slot} on ${where(task)})`;
		})
		.join(', ');
	const keptText = kept
		.map((slot) => {
			const task = taskOf(slot, after);
			return task === undefined ? `slot ${slot}` : `slot ${slot} runs again as ${taskName(service, task)} on ${where(task)}`;
		})
		.join(', ');
	const went = others.length === 0 ? 'no other task went' : `it removed ${wentText} instead, without a drain`;
	return {asked: false, text: `Swarm replaced a different task: the drained ${names} stopped, but ${keptText === '' ? 'its slot was kept' : keptText}, and ${went}`};
}

/**
 * Swarm removes by node balance first (the task that is the nth copy on its node, n highest, goes), and prefers a
 * task that does not run only among those: a drained task on a node with fewer copies than another node is likely
 * not the one removed. A warning for the confirmation, or null.
 */
export function removalWarning(victim: {host?: string; node?: string | null}, instances: ReadonlyArray<{host?: string; node?: string | null; state: string}>): string | null {
	const node = victim.node ?? victim.host;
	if (node === undefined || node === null) return null;
	const copies = new Map<string, number>();
	for (const instance of instances) {
		const where = instance.node ?? instance.host;
		// Swarm counts every task meant to run on the node, started or not.
		if (where === undefined || where === null || !['running', 'paused', 'created', 'restarting'].includes(instance.state)) continue;
		copies.set(where, (copies.get(where) ?? 0) + 1);
	}

	const mine = copies.get(node) ?? 0;
	const busiest = [...copies].filter(([, count]) => count > mine).sort((a, b) => b[1] - a[1]);
	if (busiest.length === 0) return null;
	const [other, count] = busiest[0]!;
	return `Swarm balances nodes first: ${other} runs ${count} tasks and ${node} ${mine}, so Swarm may remove one of ${other}'s tasks instead of this one (va-top checks and says so; drain a task on ${other}, or drain the node with D)`;
}
