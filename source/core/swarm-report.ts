// What the report and the rules say about a Swarm service, pure: its JSON part (`swarm`, null outside Swarm), its
// lines in the text report, and the concerns only Swarm has (a node whose tasks cannot be assessed because va-top
// has no way to its engine, a service gone from the manager).
import type {Concern} from './assessment.js';
import type {StackSnapshot, SwarmView} from './types.js';

export interface SwarmJson {
	service: string;
	mode: 'replicated' | 'global' | null;
	version: number | null;
	desiredReplicas: number | null;
	runningTasks: number;
	nodes: Array<{
		hostname: string;
		address: string;
		state: string;
		availability: string;
		reachable: boolean;
		role: 'manager' | 'worker';
		leader: boolean;
		/** The engine its tasks are read from (by name), null when there is none. */
		engine: string | null;
		/** Why its tasks are not assessed, or null. */
		error: string | null;
		tasks: number;
	}>;
}

export function swarmJson(view: SwarmView | undefined): SwarmJson | null {
	if (view === undefined) return null;
	return {
		service: view.service,
		mode: view.mode,
		version: view.version,
		desiredReplicas: view.desiredReplicas,
		runningTasks: view.runningTasks,
		nodes: view.nodes.map((node) => ({
			hostname: node.hostname,
			address: node.address,
			state: node.state,
			availability: node.availability,
			reachable: node.reachable,
			role: node.role,
			leader: node.leader,
			engine: node.engine,
			error: node.reason,
			tasks: node.tasks,
		})),
	};
}

/** A node in a few words: `vaswarm-n2 ready/drain, engine unreachable (…)`. */
export function nodeText(node: SwarmView['nodes'][number]): string {
	const role = node.role === 'manager' ? (node.leader ? ' leader' : ' manager') : '';
	const engine = node.reachable ? `${node.tasks} task${node.tasks === 1 ? '' : 's'}` : node.reason === null ? 'engine not read yet' : `not assessed: ${node.reason}`;
	return `${node.hostname}${role} ${node.state}/${node.availability}, ${engine}`;
}

/** The service line and one line per node, for the text report. */
export function swarmTextLines(view: SwarmView): string[] {
	const mode = view.mode === null ? '' : view.mode === 'global' ? 'global, ' : 'replicated, ';
	const version = view.version === null ? '' : `version ${view.version}, `;
	const desired = view.desiredReplicas === null ? '?' : String(view.desiredReplicas);
	const lines = [`  swarm service ${view.service} (${mode}${version}${view.runningTasks}/${desired} running)`];
	for (const node of view.nodes) lines.push(`  node ${nodeText(node)}`);
	return lines;
}

/**
 * A node whose engine va-top has no way to reach (it is in no engine list, so no engine concern names it) leaves its
 * tasks not assessed: UNKNOWN, as any source not seen.
 */
export function swarmConcerns(snapshot: StackSnapshot): Concern[] {
	const view = snapshot.docker.swarm;
	if (view === undefined || snapshot.docker.status.kind !== 'ok') return [];
	const concerns: Concern[] = [];
	for (const node of view.nodes) {
		if (node.engine !== null || node.reason === null || node.tasks === 0) continue;
		concerns.push({
			level: 'UNKNOWN',
			scope: 'source',
			key: `source:swarm:${node.hostname}`,
			subject: `swarm:${node.hostname}`,
			metric: 'reachability',
			value: null,
			threshold: null,
			action: `Give --node-host ${node.hostname}=URL or a Docker context named ${node.hostname}`,
			message: `swarm: ${node.hostname}'s ${node.tasks} task${node.tasks === 1 ? '' : 's'} not assessed: ${node.reason}`,
		});
	}

	return concerns;
}
