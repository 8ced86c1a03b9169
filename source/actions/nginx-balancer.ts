// The built-in balancer step for a Compose project with an nginx service: mark the instance's upstream server
// `down` in the configuration inside the nginx container, check it with `nginx -t`, then `nginx -s reload`.
// Any failure puts the files back as they were before the error is reported, so nginx keeps running the
// configuration it had. Files are read and written through the Engine API's archive endpoints (the config may be
// a symlink, as Debian's sites-enabled are); only `nginx` itself must be in the image.
import type Dockerode from 'dockerode';
import {findServers, setServersDown, splitNginxDump, type UpstreamServer} from '../core/nginx-upstream.js';
import type {Balancer, BalancerHandle, BackendInstance} from './backend.js';
import {engineMessage, execIn, lastLine, readContainerFile, writeContainerFile, type ContainerFile} from './docker-io.js';

export interface NginxBalancerOptions {
	docker: Dockerode;
	/** The running containers of the nginx service (usually one). */
	containers: ReadonlyArray<{id: string; name: string}>;
	/** The app port the upstream servers name. */
	port: number;
	execTimeoutMs?: number;
}

interface Edited {
	/** The path as `nginx -T` names it (may be a symlink to file.path). */
	dumpPath: string;
	file: ContainerFile;
	before: Buffer;
	servers: Array<{upstream: string; address: string}>;
}

export function createNginxBalancer(options: NginxBalancerOptions): Balancer {
	const {docker, port} = options;
	const timeoutMs = options.execTimeoutMs ?? 15_000;

	async function nginx(container: {id: string; name: string}, args: string[], what: string): Promise<string> {
		let result;
		try {
			result = await execIn(docker, container.id, ['nginx', ...args], timeoutMs);
		} catch (error) {
			throw new Error(`${what} in ${container.name}: ${engineMessage(error)}`);
		}

		if (result.exitCode !== 0) {
			// nginx's own reason is its [emerg] line; "test failed" follows it and says less.
			const lines = result.stderr.split('\n').map((text) => text.trim());
			const line = lines.find((text) => /\[(emerg|alert|crit|error)\]/.test(text)) ?? (lastLine(result.stderr) || lastLine(result.stdout));
			throw new Error(`${what} in ${container.name} failed: ${line || `exit code ${String(result.exitCode)}`}`);
		}

		return result.stdout;
	}

	async function putBack(container: {id: string; name: string}, edited: readonly Edited[]): Promise<string | null> {
		const problems: string[] = [];
		for (const entry of edited) {
			try {
				await writeContainerFile(docker, container.id, entry.file, entry.before);
			} catch (error) {
				problems.push(`${entry.file.path}: ${engineMessage(error)}`);
			}
		}

		return problems.length === 0 ? null : `could not put back ${problems.join('; ')}`;
	}

	/** Marks the servers down (or up again) in one container; returns what changed. */
	async function apply(container: {id: string; name: string}, instance: BackendInstance, down: boolean, only?: Map<string, Edited['servers']>): Promise<Edited[]> {
		const dump = await nginx(container, ['-T'], 'nginx -T');
		const files = splitNginxDump(dump);
		const edited: Edited[] = [];
		const matchedAnywhere: UpstreamServer[] = [];
		for (const [filePath, text] of files) {
			if (findServers(text, instance.aliases, port).length === 0) continue;
			if (only !== undefined && !only.has(filePath)) continue;
			// The file itself, not nginx's view of it: that is what gets written back.
			let file: ContainerFile;
			try {
				file = await readContainerFile(docker, container.id, filePath);
			} catch (error) {
				throw new Error(`reading ${filePath} in ${container.name}: ${engineMessage(error)}`);
			}

			const before = file.content;
			const edit = setServersDown(before.toString('utf8'), instance.aliases, port, down, only?.get(filePath));
			matchedAnywhere.push(...edit.matched);
			if (down && edit.leftWithoutLive.length > 0) {
				throw new Error(`marking ${instance.name} down in ${container.name} would leave upstream ${edit.leftWithoutLive.join(', ')} with no live server; nothing was changed`);
			}

			if (edit.changed.length === 0) continue;
			edited.push({dumpPath: filePath, file, before, servers: edit.changed.map((server) => ({upstream: server.upstream, address: server.address}))});
		}

		if (down && matchedAnywhere.length === 0 && only === undefined) {
			const looked = instance.aliases.slice(0, 4).map((alias) => `${alias}:${port}`).join(', ');
			throw new Error(`nginx in ${container.name} has no upstream server for ${instance.name} (looked for ${looked}); nothing was changed`);
		}

		if (edited.length === 0) return edited;
		for (let index = 0; index < edited.length; index++) {
			const entry = edited[index]!;
			const next = setServersDown(entry.before.toString('utf8'), instance.aliases, port, down, entry.servers).text;
			try {
				await writeContainerFile(docker, container.id, entry.file, Buffer.from(next, 'utf8'));
			} catch (error) {
				const back = await putBack(container, edited.slice(0, index));
				throw new Error(`writing ${entry.file.path} in ${container.name}: ${engineMessage(error)}${back ? `; ${back}` : ''}`);
			}
		}

		try {
			await nginx(container, ['-t'], 'nginx -t');
			await nginx(container, ['-s', 'reload'], 'nginx -s reload');
		} catch (error) {
			const back = await putBack(container, edited);
			const message = error instanceof Error ? error.message : String(error);
			throw new Error(`${message}; ${back ?? 'the configuration was put back as it was'}`);
		}

		return edited;
	}

	return {
		description: `nginx in ${options.containers.map((container) => container.name).join(', ')}`,
		async remove(instance) {
			const done: Array<{container: {id: string; name: string}; edited: Edited[]}> = [];
			const undo = async () => {
				for (const step of [...done].reverse()) {
					const only = new Map(step.edited.map((entry) => [entry.dumpPath, entry.servers]));
					await apply(step.container, instance, false, only).catch(() => undefined);
				}
			};

			for (const container of options.containers) {
				try {
					done.push({container, edited: await apply(container, instance, true)});
				} catch (error) {
					await undo();
					throw error;
				}
			}

			const changed = done.flatMap((step) => step.edited.map((entry) => ({container: step.container.name, entry})));
			const description =
				changed.length === 0
					? `nginx already had ${instance.name} marked down; left as it was`
					: changed.map(({container, entry}) => `${container}: ${entry.servers.map((server) => server.address).join(', ')} marked down in ${entry.file.path}`).join('; ') +
						', nginx -t passed, reloaded';
			const handle: BalancerHandle = {
				description,
				async restore() {
					if (changed.length === 0) return `nginx: ${instance.name} was down before the drain; left down`;
					const restored: string[] = [];
					for (const step of done) {
						if (step.edited.length === 0) continue;
						// Only what this drain marked down comes back up, in whatever the files hold now.
						const only = new Map(step.edited.map((entry) => [entry.dumpPath, entry.servers]));
						const edited = await apply(step.container, instance, false, only);
						const addresses = edited.flatMap((entry) => entry.servers.map((server) => server.address));
						restored.push(`${step.container.name}: ${addresses.length === 0 ? 'no longer marked down (changed by someone else)' : `${addresses.join(', ')} back up`}`);
					}

					return `${restored.join('; ') || 'nginx: nothing to put back'}, reloaded`;
				},
			};
			return handle;
		},
	};
}
