// A Swarm service across its nodes, with no agent: the manager says which tasks there are and where (manager.ts);
// each node's own engine, reached as the operator reaches it (node-engines.ts), meters the task containers on it
// with the same parts as a Compose engine (engine link, members, meter: one Docker collector per node, whose members
// are the service's task containers). The join (core/swarm.ts) makes one row per task: the manager's state, the
// node's numbers, or not assessed with the reason when the node's engine cannot be read.
import type {DockerEngineSpec} from '../../../config/docker-engines.js';
import type {NodeHostSpec} from '../../../config/node-hosts.js';
import {joinSwarm, type NodeEngineState} from '../../../core/swarm.js';
import type {DockerView, EngineView, InstanceSample} from '../../../core/types.js';
import {createDockerCollector, type DockerCollector, type DockerStatsSource} from '../../docker/docker-collector.js';
import {createEngineLink} from '../../docker/engine-link.js';
import {createListeners} from '../../listeners.js';
import type {WorkloadEngine} from '../backend.js';
import {swarmSelector} from '../selector.js';
import {createSwarmManager, type SwarmManager} from './manager.js';
import {chooseNodeEngine, choiceKey, type NodeEngineChoice} from './node-engines.js';
import {compareText} from '../../../core/compare.js';

export interface SwarmCollectorOptions {
	manager: WorkloadEngine;
	serviceName: string;
	nodeHosts?: readonly NodeHostSpec[];
	/** A Docker context named like a node, or null (default: none). */
	contextFor?: (name: string) => DockerEngineSpec | null;
	/** A client for a node's engine (default: the workload's connectEngine). */
	connect: (spec: DockerEngineSpec) => {docker: WorkloadEngine['docker']; endpoint: string};
	statsSource?: DockerStatsSource;
	intervalMs?: number;
	/** Between task re-reads on the manager. */
	pollMs?: number;
	now?: () => number;
}

/** One node's reader: its engine and the Docker collector metering the service's containers there. */
interface NodeReader {
	key: string;
	nodeId: string;
	hostname: string;
	/** The manager's own engine (its node): not listed again in engines[]. */
	self: boolean;
	engine: WorkloadEngine;
	collector: DockerCollector;
	unsubscribe(): void;
	/** The containers and their states last seen, to tell the manager's task list may have changed. */
	signature: string;
}

export interface SwarmCollector extends DockerCollector {
	readonly serviceName: string;
	readonly manager: WorkloadEngine;
	/** The engine a node's tasks are read and acted on with (by node ID or hostname), or why there is none. */
	nodeEngine(node: string): WorkloadEngine | {reason: string};
	/** Re-read the tasks now (an action changed them). */
	refresh(): void;
}

function signatureOf(view: DockerView): string {
	return view.instances.map((instance) => `${instance.id}:${instance.state}`).join(',');
}

export function createSwarmCollector(options: SwarmCollectorOptions): SwarmCollector {
	const {manager: managerEngine, serviceName} = options;
	const now = options.now ?? Date.now;
	const listeners = createListeners();
	const readers = new Map<string, NodeReader>();
	const none = new Map<string, {key: string; reason: string}>();
	const selector = swarmSelector(serviceName);
	let started = false;
	let stopped = false;
	let cached: {key: unknown[]; view: DockerView} | null = null;
	let lastInstances: readonly InstanceSample[] = [];
	let focused: readonly string[] | null = null;
	const samplesCache = new WeakMap<DockerView, Map<string, InstanceSample>>();

	function changed(): void {
		if (stopped) return;
		listeners.notify();
	}

	const link = createEngineLink({
		docker: managerEngine.docker,
		endpoint: managerEngine.endpoint,
		now,
		hooks: {
			load: (epoch) => manager.load(epoch),
			up: () => {
				manager.follow();
				reconcile();
			},
			down: () => manager.unfollow(),
			changed,
		},
	});
	const manager: SwarmManager = createSwarmManager({
		link,
		serviceName,
		now,
		pollMs: options.pollMs,
		changed() {
			reconcile();
			changed();
		},
	});

	function choose(nodeId: string): NodeEngineChoice | null {
		const state = manager.state();
		const node = state.nodes.find((entry) => entry.id === nodeId);
		if (node === undefined) return null;
		return chooseNodeEngine(node, {
			manager: managerEngine.spec,
			selfNodeId: state.selfNodeId,
			nodeHosts: options.nodeHosts ?? [],
			contextFor: options.contextFor ?? (() => null),
		});
	}

	function openReader(nodeId: string, hostname: string, choice: Exclude<NodeEngineChoice, {kind: 'none'}>, key: string): NodeReader | {reason: string} {
		let engine: WorkloadEngine;
		if (choice.kind === 'manager') {
			engine = managerEngine;
		} else {
			try {
				engine = {...options.connect(choice.spec), name: hostname, spec: choice.spec};
			} catch (error) {
				return {reason: `${hostname}'s engine (${choice.how}) cannot be used: ${error instanceof Error ? error.message : String(error)}`};
			}
		}

		const collector = createDockerCollector({
			docker: engine.docker,
			endpoint: engine.endpoint,
			project: serviceName,
			service: serviceName,
			selector,
			statsSource: options.statsSource,
			intervalMs: options.intervalMs,
			now,
		});
		const reader: NodeReader = {key, nodeId, hostname, self: choice.kind === 'manager', engine, collector, unsubscribe: () => {}, signature: ''};
		reader.unsubscribe = collector.subscribe(() => {
			// The node's engine saw the service's containers come, go or change state: the manager's tasks did too.
			const signature = signatureOf(collector.view());
			if (signature !== reader.signature) {
				reader.signature = signature;
				manager.refresh();
			}

			changed();
		});
		if (focused !== null) collector.focus(containersOn(nodeId, focused));
		collector.start();
		return reader;
	}

	function closeReader(reader: NodeReader): void {
		reader.unsubscribe();
		void reader.collector.stop();
	}

	/** A reader for every node the manager lists, on the engine chosen for it; readers of nodes gone are closed. */
	function reconcile(): void {
		if (!started || stopped) return;
		const nodes = manager.state().nodes;
		const present = new Set(nodes.map((node) => node.id));
		for (const [id, reader] of readers) {
			if (!present.has(id)) {
				readers.delete(id);
				closeReader(reader);
			}
		}

		for (const id of none.keys()) if (!present.has(id)) none.delete(id);
		for (const node of nodes) {
			const choice = choose(node.id);
			if (choice === null) continue;
			const key = choiceKey(choice);
			const reader = readers.get(node.id);
			if (reader?.key === key || none.get(node.id)?.key === key) continue;
			if (reader !== undefined) {
				readers.delete(node.id);
				closeReader(reader);
			}

			none.delete(node.id);
			if (choice.kind === 'none') {
				none.set(node.id, {key, reason: choice.reason});
				continue;
			}

			const opened = openReader(node.id, node.hostname, choice, key);
			if ('reason' in opened) none.set(node.id, {key, reason: opened.reason});
			else readers.set(node.id, opened);
		}
	}

	/** The focused tasks' containers on one node. */
	function containersOn(nodeId: string, ids: readonly string[]): string[] {
		const hostname = manager.state().nodes.find((node) => node.id === nodeId)?.hostname;
		const wanted = new Set(ids);
		return lastInstances.flatMap((instance) => (wanted.has(instance.id) && instance.node === hostname && instance.containerId !== undefined ? [instance.containerId] : []));
	}

	function samplesOf(view: DockerView): Map<string, InstanceSample> {
		let samples = samplesCache.get(view);
		if (samples === undefined) {
			samples = new Map(view.instances.map((instance) => [instance.id, instance]));
			samplesCache.set(view, samples);
		}

		return samples;
	}

	function view(): DockerView {
		const state = manager.state();
		const status = link.status();
		const nodeViews = [...readers.values()].map((reader) => reader.collector.view());
		// The join looks at the clock (a container its node never listed): at most once a second when nothing changed.
		const key: unknown[] = [state.version, status, none.size, Math.floor(now() / 1000), ...nodeViews];
		if (cached !== null && cached.key.length === key.length && cached.key.every((value, index) => value === key[index])) return cached.view;

		const engines = new Map<string, NodeEngineState>();
		const engineViews: EngineView[] = [{name: managerEngine.name, endpoint: managerEngine.endpoint, status, role: 'manager', instances: 0}];
		const statsFrom = {cgroup: 0, api: 0, spaced: 0};
		let index = 0;
		for (const reader of readers.values()) {
			const nodeView = nodeViews[index++]!;
			engines.set(reader.nodeId, {engine: reader.self ? managerEngine.name : reader.hostname, status: nodeView.status, samples: samplesOf(nodeView)});
			statsFrom.cgroup += nodeView.statsFrom?.cgroup ?? 0;
			statsFrom.api += nodeView.statsFrom?.api ?? 0;
			statsFrom.spaced += nodeView.statsFrom?.spaced ?? 0;
			if (!reader.self) {
				const role = state.nodes.find((node) => node.id === reader.nodeId)?.role ?? 'worker';
				engineViews.push({name: reader.hostname, endpoint: nodeView.endpoint, status: nodeView.status, role, instances: 0});
			}
		}

		for (const [id, entry] of none) engines.set(id, {engine: null, reason: entry.reason});
		// The manager first, then the nodes' engines by hostname: a stable order for the header and the JSON.
		engineViews.splice(1, engineViews.length - 1, ...engineViews.slice(1).sort((a, b) => compareText(a.name, b.name)));
		const joined = joinSwarm({
			serviceName,
			service: state.service,
			missing: state.service === null && status.kind !== 'ok' && status.kind !== 'connecting' ? status.reason : null,
			tasks: state.tasks,
			nodes: state.nodes,
			engines,
			now: now(),
		});
		for (const engine of engineViews) {
			const hostnames = engine.role === 'manager' && engine.name === managerEngine.name ? state.nodes.filter((node) => node.id === state.selfNodeId).map((node) => node.hostname) : [engine.name];
			engine.instances = joined.instances.filter((instance) => hostnames.includes(instance.node ?? '')).length;
		}

		lastInstances = joined.instances;
		const result: DockerView = {endpoint: managerEngine.endpoint, status, instances: joined.instances, statsFrom, engines: engineViews, swarm: joined.swarm};
		cached = {key, view: result};
		return result;
	}

	return {
		serviceName,
		manager: managerEngine,
		start() {
			if (started || stopped) return;
			started = true;
			link.start();
		},
		async stop() {
			if (stopped) return;
			stopped = true;
			const closing = [...readers.values()];
			readers.clear();
			await Promise.allSettled([link.stop(), ...closing.map(async (reader) => {
				reader.unsubscribe();
				await reader.collector.stop();
			})]);
		},
		view,
		subscribe: listeners.subscribe,
		focus(ids) {
			focused = ids;
			for (const reader of readers.values()) reader.collector.focus(ids === null ? null : containersOn(reader.nodeId, ids));
		},
		nodeEngine(node) {
			const state = manager.state();
			const found = state.nodes.find((entry) => entry.id === node || entry.hostname === node);
			if (found === undefined) return {reason: `${node} is not a node of the swarm`};
			const reader = readers.get(found.id);
			if (reader !== undefined) return reader.engine;
			return {reason: none.get(found.id)?.reason ?? `${found.hostname}'s engine is not read yet`};
		},
		refresh: () => manager.refresh(),
	};
}
