// Scale and drain through the Docker Engine API: no compose file needed where va-top runs, and the same over
// unix://, tcp:// and ssh://. Every action starts from a fresh listing by BOTH Compose labels (project and service),
// so nothing outside the configured service is ever touched; one-off containers (`compose run`) are left out.
import type Dockerode from 'dockerode';
import {countsAsRunning} from '../core/action-rules.js';
import {countEstablished, looksLikeProcNetTcp} from '../core/proc-net-tcp.js';
import type {ContainerState, HealthStatus} from '../core/types.js';
import {noBalancer, type ActionBackend, type Balancer, type BackendInstance} from './backend.js';
import {boundDocker, type RequestBounds} from './bounded-docker.js';
import {engineMessage, execIn, httpStatus, lastLine} from './docker-io.js';
import {createHookBalancer, type HookCommands} from './hook-balancer.js';
import {createNginxBalancer} from './nginx-balancer.js';
import {composeLabels, composeSelector, replicaName} from '../sources/workload/selector.js';

// Membership is the workload's one definition (sources/workload/selector.ts), the same the collector follows.
export {composeLabels};

export interface EngineBackendOptions {
	docker: Dockerode;
	/** From connectDocker, for messages. */
	endpoint: string;
	project: string;
	service: string;
	appPort: number;
	/** --lb-remove-cmd / --lb-restore-cmd; when given, nginx is not looked for. */
	hooks?: HookCommands;
	/** The Compose service whose nginx is the balancer (default `nginx`). */
	nginxService?: string;
	/** Bounds each command run inside a container. */
	execTimeoutMs?: number;
	/** Strings to mask in hook output (passwords). */
	secrets?: readonly string[];
	/** Aborted when va-top closes: every Engine API request still waiting is cancelled. */
	closing?: AbortSignal;
	/** Per-request time limits (defaults: bounded-docker.ts). */
	bounds?: RequestBounds;
	/** The engine's name (the workload's), for the audit log. */
	engine?: string;
}

const states: ReadonlySet<string> = new Set<ContainerState>(['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead']);

function healthFromStatus(status: string | undefined): HealthStatus {
	if (status === undefined) return 'none';
	if (/\(healthy\)/.test(status)) return 'healthy';
	if (/\(unhealthy\)/.test(status)) return 'unhealthy';
	if (/\(health: starting\)/.test(status)) return 'starting';
	return 'none';
}

export interface LabelledContainer {
	info: Dockerode.ContainerInfo;
	instance: BackendInstance;
}

/**
 * Lists the containers carrying both labels, checking the labels again on what came back. `docker` is the bounded
 * client of createEngineBackend (every request has a time limit; see bounded-docker.ts).
 */
export async function listService(docker: Dockerode, project: string, service: string, appPort: number): Promise<LabelledContainer[]> {
	const selector = composeSelector(project, service);
	const list = await docker.listContainers({all: true, filters: {label: [...selector.labelFilter]}});
	const out: LabelledContainer[] = [];
	for (const info of list) {
		// The daemon filtered already; this guards against one that ignores filters.
		if (!selector.matches(info.Labels)) continue;
		const name = (info.Names?.[0] ?? '').replace(/^\//, '') || info.Id.slice(0, 12);
		const number = selector.number(info.Labels);
		const ips = Object.values(info.NetworkSettings?.Networks ?? {})
			.flatMap((network) => [network.IPAddress, network.GlobalIPv6Address])
			.filter((ip): ip is string => typeof ip === 'string' && ip !== '');
		const aliases = [name, info.Id.slice(0, 12), ...ips];
		if (number !== null) aliases.push(`${service}-${number}`, `${project}_${service}_${number}`, `${project}-${service}-${number}`);
		const firstIp = ips[0];
		out.push({
			info,
			instance: {
				id: info.Id,
				name,
				number,
				state: states.has(info.State) ? (info.State as ContainerState) : 'dead',
				health: healthFromStatus(info.Status),
				createdAt: (info.Created ?? 0) * 1000,
				aliases: [...new Set(aliases)],
				address: `${firstIp === undefined ? name : firstIp.includes(':') ? `[${firstIp}]` : firstIp}:${appPort}`,
			},
		});
	}

	return out;
}

/** Established connections on `port` inside the container, from /proc/net/tcp and tcp6 (needs `cat` in the image). */
export async function readConnections(docker: Dockerode, instance: BackendInstance, port: number, timeoutMs: number): Promise<number> {
	let result;
	try {
		result = await execIn(docker, instance.id, ['cat', '/proc/net/tcp', '/proc/net/tcp6'], timeoutMs);
	} catch (error) {
		throw new Error(`cannot read connections in ${instance.name}: ${engineMessage(error)}`);
	}

	// tcp6 is missing where IPv6 is off: cat then exits 1 but tcp was printed.
	if (!looksLikeProcNetTcp(result.stdout)) {
		const why = lastLine(result.stderr) || lastLine(result.stdout) || `exit code ${String(result.exitCode)}`;
		throw new Error(`cannot read connections in ${instance.name}: ${why}`);
	}

	return countEstablished(result.stdout, port);
}

/** Finds the balancer: the hooks when given, else nginx containers of the project's nginx service, else none. */
export async function findBalancer(options: EngineBackendOptions): Promise<Balancer> {
	if (options.hooks !== undefined) return createHookBalancer(options.hooks, {secrets: options.secrets});
	const nginxService = options.nginxService ?? 'nginx';
	const nginx = (await listService(options.docker, options.project, nginxService, 80)).filter((entry) => entry.instance.state === 'running');
	if (nginx.length === 0) return noBalancer;
	return createNginxBalancer({
		docker: options.docker,
		containers: nginx.map((entry) => ({id: entry.instance.id, name: entry.instance.name})),
		port: options.appPort,
		execTimeoutMs: options.execTimeoutMs,
	});
}

function pick<T extends object>(source: T, keys: ReadonlyArray<keyof T>): Partial<T> {
	const out: Partial<T> = {};
	for (const key of keys) {
		if (source[key] !== undefined && source[key] !== null) out[key] = source[key];
	}

	return out;
}

/** Waits until the container runs (or has stopped on its own), bounded. */
async function waitRunning(container: Dockerode.Container, timeoutMs: number): Promise<Dockerode.ContainerInspectInfo> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const info = await container.inspect();
		if (info.State.Running || (info.State.Status !== 'created' && info.State.Status !== 'restarting') || Date.now() >= deadline) return info;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

export function createEngineBackend(unbounded: EngineBackendOptions): ActionBackend {
	// A backend without a closing signal (tests) still gets the time limits.
	const {docker} = boundDocker(unbounded.docker, unbounded.closing ?? new AbortController().signal, unbounded.bounds);
	const options: EngineBackendOptions = {...unbounded, docker};
	const {project, service, appPort} = options;
	const execTimeoutMs = options.execTimeoutMs ?? 15_000;

	async function list(): Promise<BackendInstance[]> {
		return (await listService(docker, project, service, appPort)).map((entry) => entry.instance);
	}

	/** The body of POST /containers/create for a new replica, from the template's inspect. */
	async function replicaSpec(template: Dockerode.ContainerInspectInfo, number: number, name: string): Promise<{spec: Dockerode.ContainerCreateOptions; notes: string[]}> {
		const notes: string[] = [];
		const config = template.Config;
		// The image by the name Compose used, unless that name now means another image: then the template's own.
		let image = config.Image;
		try {
			const current = await docker.getImage(config.Image).inspect();
			if (current.Id !== template.Image) {
				image = template.Image;
				notes.push(`${config.Image} now names a different image; the new replica runs the template's ${template.Image.slice(7, 19)}`);
			}
		} catch {
			image = template.Image;
		}

		const copied = pick(config as unknown as Record<string, unknown>, [
			'User',
			'Tty',
			'OpenStdin',
			'StdinOnce',
			'AttachStdin',
			'AttachStdout',
			'AttachStderr',
			'Env',
			'Cmd',
			'Entrypoint',
			'Healthcheck',
			'ArgsEscaped',
			'Volumes',
			'WorkingDir',
			'ExposedPorts',
			'StopSignal',
			'StopTimeout',
			'Shell',
			'Domainname',
			'OnBuild',
			'NetworkDisabled',
			'MacAddress',
		]);
		const labels = {...config.Labels, [composeLabels.number]: String(number), [composeLabels.oneoff]: 'False'};
		const hostConfig = {...template.HostConfig} as Record<string, unknown>;
		const networkMode = String(hostConfig.NetworkMode ?? 'default');
		const networks = template.NetworkSettings?.Networks ?? {};
		// The template's own names are not the replica's: the engine adds the new short id itself.
		const own = new Set([template.Id.slice(0, 12), template.Name.replace(/^\//, ''), config.Hostname].filter(Boolean));
		const endpoints: Record<string, {Aliases?: string[]}> = {};
		const userNetwork = !['none', 'host', 'default', 'bridge'].includes(networkMode) && !networkMode.startsWith('container:');
		if (userNetwork) {
			for (const [network, settings] of Object.entries(networks)) {
				const aliases = ((settings.Aliases ?? []) as string[]).filter((alias) => !own.has(alias));
				endpoints[network] = {Aliases: aliases.length > 0 ? aliases : [service]};
			}
		}

		const primary = userNetwork && endpoints[networkMode] !== undefined ? networkMode : Object.keys(endpoints)[0];
		const spec = {
			...copied,
			name,
			Image: image,
			Labels: labels,
			HostConfig: hostConfig,
			...(primary === undefined ? {} : {NetworkingConfig: {EndpointsConfig: {[primary]: endpoints[primary]!}}}),
		} as Dockerode.ContainerCreateOptions;
		return {spec, notes};
	}

	async function connectOtherNetworks(container: Dockerode.Container, spec: Dockerode.ContainerCreateOptions, template: Dockerode.ContainerInspectInfo): Promise<void> {
		const primary = Object.keys(spec.NetworkingConfig?.EndpointsConfig ?? {})[0];
		if (primary === undefined) return;
		const own = new Set([template.Id.slice(0, 12), template.Name.replace(/^\//, '')]);
		for (const [network, settings] of Object.entries(template.NetworkSettings?.Networks ?? {})) {
			if (network === primary) continue;
			const aliases = ((settings.Aliases ?? []) as string[]).filter((alias) => !own.has(alias));
			await docker.getNetwork(network).connect({Container: container.id, EndpointConfig: {Aliases: aliases}});
		}
	}

	return {
		kind: 'engine',
		description: `Docker Engine API at ${options.endpoint}`,
		...(options.engine === undefined ? {} : {hosts: [options.engine]}),
		list,
		describeScaleUp(from, to, where) {
			const added = to - from;
			const named = where?.siblings === undefined ? `${project}-${service}-N or ${project}_${service}_N, as its siblings are` : replicaName(project, service, 'N', where.siblings);
			return `create ${added} replica${added === 1 ? '' : 's'} named ${named} (next container numbers) from the configuration of the newest healthy instance, with the same Compose labels, and start ${added === 1 ? 'it' : 'them'}`;
		},
		describeRemoval(names) {
			return `stop ${names.join(', ')} gracefully (SIGTERM, then its stop timeout) and remove ${names.length === 1 ? 'it' : 'them'}`;
		},
		async scaleUp(instances, target) {
			const running = instances.filter((instance) => countsAsRunning(instance.state));
			const healthy = running
				.filter((instance) => instance.state === 'running' && (instance.health === 'healthy' || instance.health === 'none'))
				.sort((a, b) => b.createdAt - a.createdAt);
			const templateInstance = healthy[0];
			if (templateInstance === undefined) {
				throw new Error(`no healthy running instance of ${project}/${service} to copy the configuration from`);
			}

			const template = await docker.getContainer(templateInstance.id).inspect();
			if (!composeSelector(project, service).matches(template.Config.Labels)) {
				throw new Error(`${templateInstance.name} no longer carries the labels of ${project}/${service}; nothing was created`);
			}

			let number = Math.max(0, ...instances.map((instance) => instance.number ?? 0));
			const created: string[] = [];
			const notes: string[] = [];
			for (let count = running.length; count < target; count++) {
				number++;
				// Named like its siblings: docker-compose 1.29's project_service_N, else Compose v2's project-service-N.
				const name = replicaName(project, service, number, instances.map((instance) => instance.name));
				const {spec, notes: specNotes} = await replicaSpec(template, number, name);
				for (const note of specNotes) if (!notes.includes(note)) notes.push(note);
				let container: Dockerode.Container;
				try {
					container = await docker.createContainer(spec);
				} catch (error) {
					throw new Error(`creating ${name}: ${engineMessage(error)}${created.length > 0 ? ` (created before it: ${created.join(', ')})` : ''}`);
				}

				try {
					await connectOtherNetworks(container, spec, template);
					await container.start();
					const info = await waitRunning(container, 10_000);
					if (!info.State.Running) {
						throw new Error(`it stopped right after starting (${info.State.Status}, exit code ${info.State.ExitCode})`);
					}

					if (info.State.Health?.Status === 'starting') notes.push(`${name}: health check starting`);
				} catch (error) {
					// A replica that does not run is not left behind: the service stays as it was before this one.
					await container.remove({force: true}).catch(() => undefined);
					throw new Error(`starting ${name}: ${engineMessage(error)}; it was removed again${created.length > 0 ? ` (started before it: ${created.join(', ')})` : ''}`);
				}

				created.push(name);
			}

			return {created, notes};
		},
		async remove(victims) {
			for (const victim of victims) {
				const container = docker.getContainer(victim.id);
				// By id: the labels were checked on the listing this id came from, and a container's labels never change.
				try {
					// The container's own stop timeout, given explicitly so the request's time limit can follow it.
					let stopSeconds = 10;
					try {
						const timeout = ((await container.inspect()).Config as {StopTimeout?: unknown}).StopTimeout;
						if (typeof timeout === 'number' && timeout >= 0) stopSeconds = timeout;
					} catch (error) {
						if (httpStatus(error) !== 404) throw error;
					}

					await container.stop({t: stopSeconds});
				} catch (error) {
					// 304: already stopped.
					if (httpStatus(error) !== 304) throw new Error(`stopping ${victim.name}: ${engineMessage(error)}`);
				}

				try {
					await container.remove();
				} catch (error) {
					if (httpStatus(error) !== 404) throw new Error(`removing ${victim.name} (stopped): ${engineMessage(error)}`);
				}
			}
		},
		connections: (instance, port) => readConnections(docker, instance, port, execTimeoutMs),
		balancer: () => findBalancer(options),
	};
}
