// What scale and drain need from whatever runs the instances: the Docker Engine API (default), the compose CLI
// (--compose-file), or the demo simulation. The action runner holds the rules; backends only do what they are told,
// and each re-reads the service's instances itself before acting.
import type {ContainerState, HealthStatus} from '../core/types.js';

export interface BackendInstance {
	id: string;
	name: string;
	/** com.docker.compose.container-number, null when missing. */
	number: number | null;
	state: ContainerState;
	health: HealthStatus;
	/** Epoch ms. */
	createdAt: number;
	/**
	 * Names a load balancer may know the instance by: its container name, `SERVICE-N` (the runbook's nginx upstream),
	 * `PROJECT_SERVICE_N` and `PROJECT-SERVICE-N`, its short id (its default hostname) and its IP addresses.
	 */
	aliases: string[];
	/** What hooks get as the address: IP:PORT on its first network with an IP, else NAME:PORT. */
	address: string;
	/**
	 * The engine it runs on, when the service runs on several (then `id` is `HOST/CONTAINER_ID` and `name`
	 * `NAME@HOST`, as in the table).
	 */
	host?: string;
}

/** The version a change is made against: the service's (scale, drain) or the node's (availability). */
export interface Precondition {
	version: number;
}

/** A versioned service now. */
export interface ServiceState {
	version: number;
	/** The replicas it is meant to have (a global service: the tasks it should run). */
	replicas: number;
	mode: 'replicated' | 'global';
}

/** What a removal verified afterwards (Swarm picks the task it removes itself). */
export interface RemovalReport {
	/** Lines for the event log. */
	notes: string[];
	/** Set when the outcome is not the one asked for (another task went): the drain fails with it. */
	failure?: string;
	/** The victims' slots run again: put them back into the balancer. */
	restore?: boolean;
}

/**
 * The change was not made because the object moved on since it was read (another update in between): both versions
 * are in the message. The runner reports it as a refusal: nothing was changed.
 */
export class PreconditionFailed extends Error {
	readonly precondition = true;
	constructor(
		message: string,
		readonly expected: number,
		readonly actual: number,
	) {
		super(message);
		this.name = 'PreconditionFailed';
	}
}

export function isPreconditionFailed(error: unknown): error is PreconditionFailed {
	return error instanceof Error && (error as {precondition?: unknown}).precondition === true;
}

/** How one instance was taken out of a balancer, and how to put it back. */
export interface BalancerHandle {
	/** What was done, for the event log. */
	readonly description: string;
	/** Puts the instance back; resolves with what was done, rejects with the balancer's own message. */
	restore(): Promise<string>;
	/** After the instance was removed: makes the balancer forget it (nginx comments its line out). */
	retire?(): Promise<string>;
}

export interface Balancer {
	/** For the confirmation and the log: e.g. `nginx in voiceassist-nginx-1`, `--lb-remove-cmd hook`, `none`. */
	readonly description: string;
	/** True for noBalancer: nothing is taken out, so nothing is ever "back in the balancer". */
	readonly none?: boolean;
	/**
	 * Takes the instance out of the balancer. Rejects with the balancer's own message, and then leaves nothing
	 * half done (a configuration edited but not reloadable is put back first).
	 */
	remove(instance: BackendInstance): Promise<BalancerHandle>;
	/**
	 * After a scale-up created the instance: lets it in where the balancer still keeps its name out (nginx: a line
	 * va-top retired or marked down). Resolves with what was done or what is missing, null when nothing needed saying.
	 */
	admit?(instance: BackendInstance): Promise<string | null>;
}

export interface ScaleUpOutcome {
	/** Names of the instances created and started. */
	created: string[];
	/** Things worth saying (e.g. image moved on, health check still starting). */
	notes: string[];
}

export interface ActionBackend {
	readonly kind: 'engine' | 'compose' | 'demo' | 'swarm';
	/** Where it acts, e.g. `Docker Engine API at unix:///var/run/docker.sock`. */
	readonly description: string;
	/**
	 * The engines it acts on, by name (the audit log names them). More than one: a scale happens on one host, the
	 * operator's or the one va-top picks (core/action-rules.ts placeScale).
	 */
	readonly hosts?: readonly string[];
	/**
	 * Per action, why this workload cannot do it (e.g. a global Swarm service has no replica count), or null / absent
	 * when it can. The keys answer with the reason; the runner refuses with it too.
	 */
	readonly cannot?: Partial<Record<'scale' | 'drain', string>>;
	/** Lists the service's instances again, by project AND service labels; one-off containers are left out. */
	list(): Promise<BackendInstance[]>;
	/**
	 * In words, for the confirmation: how scaling up from `from` to `to` is done. `siblings`: the instances' names
	 * (a new one is named like them); `host`: where, with several engines.
	 */
	describeScaleUp(from: number, to: number, where?: {siblings?: readonly string[]; host?: string}): string;
	/**
	 * In words: how the named instances are stopped and removed, leaving `to`. `highest`: whether they are the
	 * highest-numbered running replicas (what Compose itself would remove); undefined when not known.
	 */
	describeRemoval(names: readonly string[], to: number, highest?: boolean): string;
	/** A reason this backend cannot scale the listed service to `target` safely, or null. Asked before acting. */
	refuseScale?(instances: readonly BackendInstance[], target: number, host?: string): string | null;
	/**
	 * Creates instances until `target` run (on `host`, with several engines). `instances` is a fresh list(). A
	 * versioned backend makes the change against `precondition.version` (throws PreconditionFailed when it moved on).
	 */
	scaleUp(instances: readonly BackendInstance[], target: number, host?: string, precondition?: Precondition): Promise<ScaleUpOutcome>;
	/**
	 * Stops (SIGTERM, then the container's stop timeout) and removes exactly the victims, leaving `target` instances.
	 * `instances` is a fresh list(). A backend that cannot be told which instance to remove (Swarm) reports what it
	 * verified afterwards, and a failure when another one went.
	 */
	remove(victims: readonly BackendInstance[], target: number, precondition?: Precondition): Promise<void | RemovalReport>;
	/**
	 * A service whose every change is made against the version just read (Swarm): read() gives that version and the
	 * replica count the service is meant to have, which is then the count the confirmation and the re-check use.
	 */
	readonly versioned?: {read(): Promise<ServiceState>};
	/** Swarm: sets a node's availability (drain / active), against the node's version read in the plan. */
	setNodeAvailability?(node: {id: string; hostname: string}, availability: 'active' | 'drain', precondition: Precondition): Promise<void>;
	/** Established connections on `port` inside the instance. Rejects when they cannot be read. */
	connections(instance: BackendInstance, port: number): Promise<number>;
	/** The balancer in front of the service, found now. */
	balancer(): Promise<Balancer>;
}

/** Balancer for a service with none in front: draining only waits for connections. */
export const noBalancer: Balancer = {
	description: 'no load balancer (no nginx service in the project and no --lb-remove-cmd)',
	none: true,
	async remove() {
		return {description: 'no load balancer, so nothing to take it out of', restore: async () => 'no load balancer, so nothing to put back'};
	},
};
