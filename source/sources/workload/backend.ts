// The workload: the replicated service va-top watches and acts on, as one object the collector and the actions share.
// It knows
//   - how to list and follow its members (compose/members.ts, through one selector: selector.ts),
//   - where each runs (its engine; a Swarm node later): Placement, and the engine's Docker client,
//   - how each is metered (meter/: cgroup files, a stream, spaced one-shot readings),
//   - which actions it supports (capabilities: keys and help follow them).
// One connection per engine: the collector and the actions use the same Dockerode client (the actions bound every
// request of theirs on top of it, see actions/bounded-docker.ts).
import type Dockerode from 'dockerode';
import type {DockerEngineSpec} from '../../config/docker-engines.js';
import type {NodeHostSpec} from '../../config/node-hosts.js';
import {connectDocker} from '../docker/connect.js';
import {createDockerCollector, type DockerCollector, type DockerStatsSource} from '../docker/docker-collector.js';
import {createFanout} from './fanout.js';
import {composeSelector, type ComposeSelector} from './selector.js';
import {createSwarmCollector, type SwarmCollector} from './swarm/collector.js';

/** Where a member runs. */
export interface Placement {
	/** The engine's name (WorkloadEngine.name). */
	engine: string;
	/** The Swarm node's hostname; null outside Swarm. */
	node: string | null;
}

export interface WorkloadEngine {
	name: string;
	/** Shown and used in reasons; never a credential. */
	endpoint: string;
	docker: Dockerode;
	spec: DockerEngineSpec;
}

export type WorkloadCapability = 'scale' | 'drain';

/** Per capability: null when the workload supports it, else why not (the key answers with it). */
export type WorkloadCapabilities = Record<WorkloadCapability, string | null>;

export interface ComposeWorkload {
	readonly kind: 'compose';
	readonly selector: ComposeSelector;
	readonly engines: readonly WorkloadEngine[];
	/** Follows and meters every member on every engine. */
	readonly collector: DockerCollector;
	readonly capabilities: WorkloadCapabilities;
}

/**
 * A Swarm service: the manager's engine says which tasks there are and where; each node's engine meters its tasks
 * and is where a task is drained. Scale goes through the manager (a service update); capabilities follow the
 * service's mode (a global service has no replica count).
 */
export interface SwarmWorkload {
	readonly kind: 'swarm';
	/** The manager's engine (the only one given). */
	readonly engines: readonly WorkloadEngine[];
	readonly collector: SwarmCollector;
	readonly capabilities: WorkloadCapabilities;
}

export type Workload = ComposeWorkload | SwarmWorkload;

export interface ComposeWorkloadOptions {
	engines: readonly DockerEngineSpec[];
	project: string;
	service: string;
	statsSource?: DockerStatsSource;
	intervalMs?: number;
}

/** A Docker client for an engine spec: a context's own TLS files, or the TLS variables for a URL. */
export function connectEngine(spec: DockerEngineSpec): {docker: Dockerode; endpoint: string} {
	// The CLI's "default" context is DOCKER_HOST's engine: the TLS variables apply to it as to a URL.
	const tls = spec.context === undefined || spec.context === 'default' ? undefined : (spec.tls ?? null);
	return connectDocker(spec.host, tls);
}

/** Compose on one engine (today's behaviour) or on several, each engine with its own connection and status. */
export function openComposeWorkload(options: ComposeWorkloadOptions): ComposeWorkload {
	const selector = composeSelector(options.project, options.service);
	const engines = options.engines.map((spec): WorkloadEngine => ({...connectEngine(spec), name: spec.name, spec}));
	const collector = createFanout(
		engines.map((engine) => ({
			name: engine.name,
			collector: createDockerCollector({
				docker: engine.docker,
				endpoint: engine.endpoint,
				project: options.project,
				service: options.service,
				statsSource: options.statsSource,
				intervalMs: options.intervalMs,
			}),
		})),
	);
	return {kind: 'compose', selector, engines, collector, capabilities: {scale: null, drain: null}};
}

export interface SwarmWorkloadOptions {
	/** The manager's engine. */
	manager: DockerEngineSpec;
	serviceName: string;
	nodeHosts?: readonly NodeHostSpec[];
	/** A Docker context named like a node (the CLI's store), or null. */
	contextFor?: (name: string) => DockerEngineSpec | null;
	statsSource?: DockerStatsSource;
	intervalMs?: number;
	pollMs?: number;
}

/** Why a global service cannot be scaled (the key says so). */
export const globalCannotScale = 'a global service runs one task on every eligible node and has no replica count to scale; drain a node instead (D)';

/** A Swarm service through its manager; each node's engine by --node-host, a context, or the manager's URL. */
export function openSwarmWorkload(options: SwarmWorkloadOptions): SwarmWorkload {
	const manager: WorkloadEngine = {...connectEngine(options.manager), name: options.manager.name, spec: options.manager};
	// Contexts do not change while va-top runs: the store is read once per node name.
	const contexts = new Map<string, DockerEngineSpec | null>();
	const contextFor = (name: string) => {
		if (!contexts.has(name)) contexts.set(name, options.contextFor?.(name) ?? null);
		return contexts.get(name)!;
	};

	const collector = createSwarmCollector({
		manager,
		serviceName: options.serviceName,
		nodeHosts: options.nodeHosts,
		contextFor,
		connect: connectEngine,
		statsSource: options.statsSource,
		intervalMs: options.intervalMs,
		pollMs: options.pollMs,
	});
	return {
		kind: 'swarm',
		engines: [manager],
		collector,
		// Read at each key press: the mode is known once the manager answered.
		get capabilities(): WorkloadCapabilities {
			const global = collector.view().swarm?.mode === 'global';
			return {scale: global ? globalCannotScale : null, drain: global ? `${globalCannotScale.split(';')[0]}; its tasks cannot be drained one by one` : null};
		},
	};
}
