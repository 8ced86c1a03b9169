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
}

export interface DockerView {
	endpoint: string;
	status: SourceStatus;
	instances: InstanceSample[];
	/** How running instances are read: their cgroup files, an API stats stream, spaced API one-shot readings. */
	statsFrom?: {cgroup: number; api: number; spaced: number};
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
