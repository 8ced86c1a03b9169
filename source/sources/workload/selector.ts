// The one definition of "an instance of the service" for Compose, used by the collector (list, events, inspect)
// and by the actions (the listing they re-read before acting) alike: a container carrying BOTH the project and the
// service label, and not a one-off (`compose run`). Pure.

export const composeLabels = {
	project: 'com.docker.compose.project',
	service: 'com.docker.compose.service',
	number: 'com.docker.compose.container-number',
	oneoff: 'com.docker.compose.oneoff',
} as const;

/** Which containers of one engine are members: what the engine is asked for, and the check on what it sent. */
export interface MemberSelector {
	/** For the engine's label filter (list and events). The actions list with this one. */
	readonly labelFilter: readonly string[];
	/**
	 * What the collector lists and follows: the whole Compose project (its other services included); for Swarm the
	 * same as labelFilter, as the other services are read for Compose only.
	 */
	readonly projectFilter: readonly string[];
	/** The labels of a container say it is a member (checked again on whatever the engine sent). */
	matches(labels: Readonly<Record<string, string>> | null | undefined): boolean;
	/** The service of a container of the project's OTHER services (postgres, redis, …); null for the app and strangers. */
	otherService(labels: Readonly<Record<string, string>> | null | undefined): string | null;
	/** Its replica number (Compose container number, Swarm slot), null when missing or not a number. */
	number(labels: Readonly<Record<string, string>> | null | undefined): number | null;
}

export interface ComposeSelector extends MemberSelector {
	readonly project: string;
	readonly service: string;
}

export function composeSelector(project: string, service: string): ComposeSelector {
	return {
		project,
		service,
		labelFilter: [`${composeLabels.project}=${project}`, `${composeLabels.service}=${service}`],
		projectFilter: [`${composeLabels.project}=${project}`],
		matches(labels) {
			return labels?.[composeLabels.project] === project && labels[composeLabels.service] === service && labels[composeLabels.oneoff] !== 'True';
		},
		otherService(labels) {
			if (labels?.[composeLabels.project] !== project || labels[composeLabels.oneoff] === 'True') return null;
			const other = labels[composeLabels.service];
			return other !== undefined && other !== '' && other !== service ? other : null;
		},
		number(labels) {
			const parsed = Number.parseInt(labels?.[composeLabels.number] ?? '', 10);
			return Number.isFinite(parsed) ? parsed : null;
		},
	};
}

export const swarmLabels = {
	serviceName: 'com.docker.swarm.service.name',
	serviceId: 'com.docker.swarm.service.id',
	taskId: 'com.docker.swarm.task.id',
	taskName: 'com.docker.swarm.task.name',
	nodeId: 'com.docker.swarm.node.id',
} as const;

/**
 * A Swarm service's task containers on one node's engine: those carrying its service name label (Swarm sets it on
 * every task container). The manager's task list says which of them are instances now; this only finds them.
 */
export function swarmSelector(serviceName: string): MemberSelector {
	return {
		labelFilter: [`${swarmLabels.serviceName}=${serviceName}`],
		projectFilter: [`${swarmLabels.serviceName}=${serviceName}`],
		matches: (labels) => labels?.[swarmLabels.serviceName] === serviceName,
		// The stack panel is Compose-only: a Swarm node's engine is read for the service's tasks alone.
		otherService: () => null,
		number(labels) {
			// com.docker.swarm.task.name is SERVICE.SLOT.TASKID (the node's ID instead of the slot for a global service).
			const name = labels?.[swarmLabels.taskName] ?? '';
			const slot = name.startsWith(`${serviceName}.`) ? name.slice(serviceName.length + 1).split('.', 1)[0]! : '';
			return /^\d+$/.test(slot) ? Number(slot) : null;
		},
	};
}

/**
 * The name Compose gives replica `number`: `project_service_N` (Compose v1, and v2 with COMPOSE_COMPATIBILITY) when the
 * siblings are named so, else `project-service-N` (v2). A new replica must look like the ones beside it: a
 * docker-compose 1.29 project scaled to `acme-api-4` beside `acme_api_1` reads as another service, and v1 would not
 * count it.
 */
export function replicaName(project: string, service: string, number: number | 'N', siblings: readonly string[]): string {
	const v1 = `${project}_${service}_`;
	const v2 = `${project}-${service}-`;
	const isNumbered = (name: string, prefix: string) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length));
	const underscore = siblings.filter((name) => isNumbered(name, v1)).length;
	const dash = siblings.filter((name) => isNumbered(name, v2)).length;
	return underscore > dash ? `${v1}${number}` : `${v2}${number}`;
}

/**
 * COMPOSE_PROJECT_NAME as Compose normalises it (compose-go NormalizeProjectName): lowercase, only [a-z0-9_-] kept,
 * leading `_` and `-` trimmed. Empty when nothing is left.
 */
export function normalizeProjectName(name: string): string {
	return name
		.toLowerCase()
		.replace(/[^a-z0-9_-]/g, '')
		.replace(/^[_-]+/, '');
}
