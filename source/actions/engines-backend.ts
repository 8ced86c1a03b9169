// Scale and drain when the service runs on several Docker engines (Compose on each host behind one balancer): one
// backend per engine, each re-listing its own engine by both labels, put together so the runner sees one service.
// An instance is its engine and its container: `id` is `HOST/CONTAINER_ID`, `name` is `NAME@HOST`, as in the table.
// A scale happens on one host (the plan says which); a drain on the drained instance's host.
import {countsAsRunning} from '../core/action-rules.js';
import {qualifiedId, qualifiedName, splitQualifiedId} from '../sources/workload/fanout.js';
import {noBalancer, type ActionBackend, type Balancer, type BackendInstance} from './backend.js';

export interface EnginePart {
	/** The engine's name, as the workload shows it. */
	name: string;
	backend: ActionBackend;
}

/** The engine's own view of an instance (its container id and name), from the qualified one. */
function local(instance: BackendInstance, host: string): BackendInstance {
	const containerId = instance.id.startsWith(`${host}/`) ? instance.id.slice(host.length + 1) : instance.id;
	const suffix = `@${host}`;
	const name = instance.name.endsWith(suffix) ? instance.name.slice(0, -suffix.length) : instance.name;
	return {...instance, id: containerId, name};
}

export function createEnginesBackend(parts: readonly EnginePart[]): ActionBackend {
	const first = parts[0];
	if (first === undefined) throw new Error('no engine to act on');
	const hosts = parts.map((part) => part.name);
	const byName = new Map(parts.map((part) => [part.name, part.backend]));

	function part(host: string | undefined): ActionBackend {
		const backend = host === undefined ? undefined : byName.get(host);
		if (backend === undefined) throw new Error(`no engine named ${String(host)} (the engines: ${hosts.join(', ')})`);
		return backend;
	}

	function hostOf(instance: BackendInstance): string {
		const host = instance.host ?? splitQualifiedId(instance.id, hosts)?.host;
		if (host === undefined) throw new Error(`${instance.name}: not an instance of any engine (${hosts.join(', ')})`);
		return host;
	}

	function onHost(instances: readonly BackendInstance[], host: string): BackendInstance[] {
		return instances.filter((instance) => hostOf(instance) === host).map((instance) => local(instance, host));
	}

	function qualify(instance: BackendInstance, host: string): BackendInstance {
		return {...instance, id: qualifiedId(instance.id, host), name: qualifiedName(instance.name, host), host};
	}

	const running = (instances: readonly BackendInstance[]) => instances.filter((instance) => countsAsRunning(instance.state)).length;

	async function list(): Promise<BackendInstance[]> {
		// Every engine, or none: the count the runner checks must be the whole service's.
		const lists = await Promise.all(
			parts.map(async (entry) => {
				try {
					return (await entry.backend.list()).map((instance) => qualify(instance, entry.name));
				} catch (error) {
					throw new Error(`cannot list the instances on ${entry.name}: ${error instanceof Error ? error.message : String(error)}`);
				}
			}),
		);
		return lists.flat();
	}

	return {
		kind: first.backend.kind,
		description: `${first.backend.description.replace(/ at .*$/, '')} on ${hosts.join(', ')}`,
		hosts,
		list,
		describeScaleUp(from, to, where) {
			const host = where?.host ?? first.name;
			const siblings = where?.siblings?.flatMap((name) => (name.endsWith(`@${host}`) ? [name.slice(0, -host.length - 1)] : []));
			return `${part(host).describeScaleUp(from, to, {siblings})} on ${host}`;
		},
		describeRemoval(names, to, highest) {
			return first.backend.describeRemoval(names, to, highest);
		},
		refuseScale(instances, target, host) {
			const on = host ?? first.name;
			const mine = onHost(instances, on);
			return part(on).refuseScale?.(mine, running(mine) + (target - running(instances))) ?? null;
		},
		async scaleUp(instances, target, host) {
			const on = host ?? first.name;
			const mine = onHost(instances, on);
			const outcome = await part(on).scaleUp(mine, running(mine) + (target - running(instances)));
			return {created: outcome.created.map((name) => qualifiedName(name, on)), notes: outcome.notes.map((note) => `${on}: ${note}`)};
		},
		async remove(victims, target) {
			const listed = await list();
			for (const host of hosts) {
				const mine = onHost(victims, host);
				if (mine.length === 0) continue;
				const hostRunning = running(onHost(listed, host));
				const othersRunning = running(listed) - hostRunning;
				await part(host).remove(mine, target - othersRunning);
			}
		},
		connections(instance, port) {
			const host = hostOf(instance);
			return part(host).connections(local(instance, host), port);
		},
		async balancer(): Promise<Balancer> {
			// Hooks are the same for every engine; else the first engine that has the project's nginx.
			for (const entry of parts) {
				const balancer = await entry.backend.balancer();
				if (balancer === noBalancer) continue;
				return {
					description: parts.length > 1 && !balancer.description.startsWith('--lb') ? `${balancer.description} on ${entry.name}` : balancer.description,
					remove: (instance) => balancer.remove(instance),
					...(balancer.admit === undefined ? {} : {admit: (instance: BackendInstance) => balancer.admit!(instance)}),
				};
			}

			return noBalancer;
		},
	};
}
