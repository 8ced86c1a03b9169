// The facts that name the instance behind an upstream address, per app instance of the service: its IPs on its
// networks (from inspect), and for a host-network container the ports its processes listen on (from /proc, when
// the engine is on this machine). Listed by the same Compose labels as the workload; inspected once per container,
// sockets re-read at each refresh (an app may begin listening after its container started).
import {existsSync, readdirSync, readFileSync, readlinkSync} from 'node:fs';
import type Dockerode from 'dockerode';
import type {InstanceEndpoints} from './instance-map.js';
import {listeningSockets, socketInode} from './listening.js';
import {compareText} from '../../core/compare.js';

export interface EndpointsResolver {
	/** Lists the instances again and refreshes what changed; never throws (a failure keeps the last list). */
	refresh(): Promise<void>;
	endpoints(): InstanceEndpoints[];
	/** The instances in the workload's order (Compose container number). */
	instances(): Array<{id: string; name: string}>;
}

interface Known {
	endpoints: InstanceEndpoints;
	number: number;
	/** Host network on a local engine: the main process, whose descendants' sockets are read. */
	pid: number | null;
}

export function createEndpointsResolver(options: {docker: Dockerode; project: string; service: string; local: boolean; procRoot?: string}): EndpointsResolver {
	const procRoot = options.procRoot ?? '/proc';
	let known = new Map<string, Known>();

	async function describe(id: string): Promise<Known | null> {
		try {
			const info = await options.docker.getContainer(id).inspect();
			const name = info.Name.replace(/^\//, '');
			const number = Number(info.Config.Labels?.['com.docker.compose.container-number'] ?? Number.NaN);
			const networks = Object.values(info.NetworkSettings?.Networks ?? {});
			const ips = networks.flatMap((network) => [network.IPAddress, network.GlobalIPv6Address].filter((ip): ip is string => typeof ip === 'string' && ip !== ''));
			const host = info.HostConfig?.NetworkMode === 'host';
			return {endpoints: {id, name, ips: host ? [] : ips, listening: []}, number: Number.isFinite(number) ? number : Number.MAX_SAFE_INTEGER, pid: host && options.local ? info.State?.Pid ?? null : null};
		} catch {
			return null;
		}
	}

	/** The process and its descendants, from /proc/PID/task/TID/children. */
	function processTree(pid: number): number[] {
		const out: number[] = [];
		const queue = [pid];
		while (queue.length > 0 && out.length < 1000) {
			const next = queue.shift()!;
			out.push(next);
			try {
				for (const task of readdirSync(`${procRoot}/${next}/task`)) {
					const children = readFileSync(`${procRoot}/${next}/task/${task}/children`, 'utf8').trim();
					if (children !== '') queue.push(...children.split(/\s+/).map(Number));
				}
			} catch {
				// Gone meanwhile: its sockets went with it.
			}
		}

		return out;
	}

	function readListening(pid: number): InstanceEndpoints['listening'] {
		const inodes = new Set<number>();
		for (const member of processTree(pid)) {
			try {
				for (const fd of readdirSync(`${procRoot}/${member}/fd`)) {
					try {
						const inode = socketInode(readlinkSync(`${procRoot}/${member}/fd/${fd}`));
						if (inode !== null) inodes.add(inode);
					} catch {
						// Closed between the listing and the link.
					}
				}
			} catch {
				// Not ours to read, or gone.
			}
		}

		if (inodes.size === 0) return [];
		let table = '';
		for (const file of ['tcp', 'tcp6']) {
			try {
				table += readFileSync(`${procRoot}/${pid}/net/${file}`, 'utf8');
			} catch {
				// No IPv6 in this kernel, or the process is gone.
			}
		}

		return listeningSockets(table, inodes);
	}

	return {
		async refresh() {
			let listed: Dockerode.ContainerInfo[];
			try {
				listed = await options.docker.listContainers({
					filters: {label: [`com.docker.compose.project=${options.project}`, `com.docker.compose.service=${options.service}`], status: ['running']},
				});
			} catch {
				return;
			}

			const next = new Map<string, Known>();
			for (const container of listed) {
				let entry = known.get(container.Id) ?? null;
				// Restarted: same container, a new main process.
				if (entry?.pid != null && !existsSync(`${procRoot}/${entry.pid}`)) entry = null;
				entry ??= await describe(container.Id);
				if (entry === null) continue;
				if (entry.pid !== null) entry.endpoints = {...entry.endpoints, listening: readListening(entry.pid)};
				next.set(container.Id, entry);
			}

			known = next;
		},
		endpoints: () => [...known.values()].map((entry) => entry.endpoints),
		instances: () =>
			[...known.values()]
				.sort((a, b) => a.number - b.number || compareText(a.endpoints.name, b.endpoints.name))
				.map((entry) => ({id: entry.endpoints.id, name: entry.endpoints.name})),
	};
}
