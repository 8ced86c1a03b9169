// The data plane's shared vocabulary. Sources produce these; core and ui consume them.
import type {SampleBase, SourceReading} from './source-model.js';

/** What a source can say about itself. `unreachable` always carries a reason, never a silent zero. */
export type SourceStatus =
	| {kind: 'connecting'; since: number}
	| {kind: 'ok'; at: number}
	| {kind: 'unreachable'; reason: string; since: number}
	| {kind: 'reconnecting'; reason: string; since: number};

export type ContainerState =
	| 'created'
	| 'running'
	| 'paused'
	| 'restarting'
	| 'removing'
	| 'exited'
	| 'dead';

export type HealthStatus = 'healthy' | 'unhealthy' | 'starting' | 'none';

export interface InstanceSample {
	id: string;
	name: string;
	/** com.docker.compose.container-number, when the label is there. */
	number: number | null;
	state: ContainerState;
	health: HealthStatus;
	restartCount: number;
	/** Epoch ms, null when never started. */
	startedAt: number | null;
	/** null until two stats readings gave a delta. */
	cpuPercent: number | null;
	memPercent: number | null;
	memUsageBytes: number | null;
	memLimitBytes: number | null;
	/** Epoch ms of the stats reading behind the numbers, null when none yet. */
	sampledAt: number | null;
	/** The engine it runs on (its context's name, NAME=, or from the URL); set by the workload for every instance. */
	host?: string;
	/** The container's id on its engine. With several engines `id` is `HOST/CONTAINER_ID`: an instance is its engine and its container. */
	containerId?: string;
	/** The Swarm node's hostname; null outside Swarm. */
	node?: string | null;
	/** Why it cannot be assessed now (its engine is unreachable): its numbers are null, never zeros. */
	notAssessed?: string;
	/** A container of the project's other services (DockerView.others): its Compose service. Absent for the app's. */
	service?: string;
	/**
	 * HostConfig.Memory > 0: it has a memory limit of its own. false: none, so its memory figure is of the host's
	 * memory (as `docker stats` shows it). Absent when not known.
	 */
	memoryLimited?: boolean;
	/** A Swarm task: its slot, and its state as the manager last said (desired → actual). */
	task?: {slot: number | null; state: string; desiredState: string; message: string};
}

/** One Docker engine the workload reads, with its own status. */
export interface EngineView {
	name: string;
	endpoint: string;
	status: SourceStatus;
	/** engine: a plain engine (Compose); manager / worker: a Swarm node's engine. */
	role: 'engine' | 'manager' | 'worker';
	/** Members listed on it. */
	instances: number;
}

/** A Swarm node as the manager lists it, and whether va-top can read its engine. */
export interface SwarmNodeView {
	id: string;
	hostname: string;
	/** Status.Addr: the address the node is reached at (its engine's, by default, over the manager's scheme). */
	address: string;
	role: 'manager' | 'worker';
	leader: boolean;
	/** Status.State: ready, down, disconnected or unknown. */
	state: string;
	/** Spec.Availability: active, pause or drain. */
	availability: string;
	/** The node object's Version.Index: the precondition of an availability change. */
	version: number;
	/** The engine its tasks' numbers come from (its name in engines[]), null when there is no way to reach it. */
	engine: string | null;
	/** Its engine answers now. */
	reachable: boolean;
	/** Why its tasks' numbers are not assessed; null when they are. */
	reason: string | null;
	/** The service's tasks on it that are shown (running, starting, or shutting down). */
	tasks: number;
}

/** The Swarm service followed, as its manager describes it; absent outside Swarm. */
export interface SwarmView {
	/** The service's name (stack deploy: PROJECT_SERVICE). */
	service: string;
	serviceId: string | null;
	/** null until the service was read. */
	mode: 'replicated' | 'global' | null;
	/** Version.Index: every change is made against the version just read (the precondition). */
	version: number | null;
	/** Spec.Mode.Replicated.Replicas; for a global service the number of nodes it should run on; null until read. */
	desiredReplicas: number | null;
	/** Tasks the manager says run (and are meant to). */
	runningTasks: number;
	/** The task containers' stop grace period (ContainerSpec.StopGracePeriod), in seconds; null: Docker's default (10 s). */
	stopGraceSeconds: number | null;
	nodes: SwarmNodeView[];
	/** Why the service is not followed (gone from the manager), null while it is. */
	missing: string | null;
}

export interface DockerView {
	/** The engine's endpoint; with several, their names. */
	endpoint: string;
	/** With several engines: ok while any answers (the others' instances are not assessed), else the worst. */
	status: SourceStatus;
	instances: InstanceSample[];
	/** How running instances are read: their cgroup files, an API stats stream, spaced API one-shot readings. */
	statsFrom?: {cgroup: number; api: number; spaced: number};
	/** Every engine read, each with its own status (one entry for a single engine). */
	engines?: EngineView[];
	/**
	 * The containers of the project's other services (postgres, redis, nginx, …), each with its `service`, read like
	 * the instances; never the focus of the table, charts or actions. Absent where the collector does not look (demo).
	 */
	others?: InstanceSample[];
	/** How the running ones of `others` are read (never by a stream: cgroup files, else spaced API readings). */
	othersStatsFrom?: {cgroup: number; api: number; spaced: number};
	/** The Swarm service and its nodes, when va-top follows one; absent for Compose. */
	swarm?: SwarmView;
}

/** Everything known about the stack at one moment. */
export interface StackSnapshot {
	at: number;
	project: string;
	service: string;
	/** The replicated service: the special workload. */
	docker: DockerView;
	/** Every configured source's reading by its id (`postgres`, `redis`, …); a source not configured is absent. */
	sources: Readonly<Record<string, SourceReading<SampleBase>>>;
}
