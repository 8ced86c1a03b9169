// The built-in balancer step for a Compose project with an nginx service: mark the instance's upstream server
// `down` in the configuration inside the nginx container, check it with `nginx -t`, then `nginx -s reload`.
// Any failure puts the files back as they were before the error is reported, so nginx keeps running the
// configuration it had. Files are read and written through the Engine API (the config may be a symlink, as Debian's
// sites-enabled are, or a file bind-mounted on its own, as the runbook mounts it); only `nginx` must be in the image,
// plus `sh` and `cat` for a file mounted on its own.
//
// Lifecycle of a server line: drain → `down` (reload); abort → back up (reload); instance removed → commented out as
// `# va-top retired (...): server ...;` (nginx resolves every upstream name when it loads, even of `down` servers, so a
// line naming a removed container would break the next reload); scale-up creating an instance of that name → the
// line comes back, without `down` (reload).
import type Dockerode from 'dockerode';
import {findServers, retiredMarker, retireServers, reviveServers, setServersDown, splitNginxDump} from '../core/nginx-upstream.js';
import type {Balancer, BalancerHandle, BackendInstance} from './backend.js';
import {engineMessage, execIn, lastLine, readContainerFile, writeContainerFile, type ContainerFile} from './docker-io.js';

export interface NginxBalancerOptions {
	docker: Dockerode;
	/** The running containers of the nginx service (usually one). */
	containers: ReadonlyArray<{id: string; name: string}>;
	/** The app port the upstream servers name. */
	port: number;
	execTimeoutMs?: number;
	now?: () => number;
}

type Container = {id: string; name: string};
type ServerRef = {upstream: string; address: string};

interface Edited {
	/** The path as `nginx -T` names it (may be a symlink to file.path). */
	dumpPath: string;
	file: ContainerFile;
	before: Buffer;
	after: string;
	servers: ServerRef[];
}

/** One file's edit: the new text and the servers it changed; null when the file needs none. */
type FileEdit = {text: string; servers: ServerRef[]} | null;

export function createNginxBalancer(options: NginxBalancerOptions): Balancer {
	const {docker, port} = options;
	const timeoutMs = options.execTimeoutMs ?? 15_000;
	const now = options.now ?? Date.now;

	async function nginx(container: Container, args: string[], what: string): Promise<string> {
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

	async function putBack(container: Container, edited: readonly Edited[]): Promise<string | null> {
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

	/**
	 * Edits the configuration files of one nginx container: `edit` sees each file nginx reads (as it is on disk) and
	 * returns its new text; then `nginx -t`, and `nginx -s reload` when asked. Any failure puts every file back.
	 */
	async function editFiles(container: Container, edit: (text: string, dumpPath: string) => FileEdit, reload: boolean): Promise<Edited[]> {
		const files = splitNginxDump(await nginx(container, ['-T'], 'nginx -T'));
		const edited: Edited[] = [];
		for (const [dumpPath, dumped] of files) {
			// Cheap look at nginx's view first; the file itself is what gets edited.
			if (edit(dumped, dumpPath) === null) continue;
			let file: ContainerFile;
			try {
				file = await readContainerFile(docker, container.id, dumpPath);
			} catch (error) {
				throw new Error(`reading ${dumpPath} in ${container.name}: ${engineMessage(error)}`);
			}

			const change = edit(file.content.toString('utf8'), dumpPath);
			if (change === null || change.servers.length === 0) continue;
			edited.push({dumpPath, file, before: file.content, after: change.text, servers: change.servers});
		}

		if (edited.length === 0) return edited;
		for (let index = 0; index < edited.length; index++) {
			const entry = edited[index]!;
			try {
				await writeContainerFile(docker, container.id, entry.file, Buffer.from(entry.after, 'utf8'));
			} catch (error) {
				const back = await putBack(container, edited.slice(0, index));
				throw new Error(`writing ${entry.file.path} in ${container.name}: ${engineMessage(error)}${back ? `; ${back}` : ''}`);
			}
		}

		try {
			await nginx(container, ['-t'], 'nginx -t');
			if (reload) await nginx(container, ['-s', 'reload'], 'nginx -s reload');
		} catch (error) {
			const back = await putBack(container, edited);
			const message = error instanceof Error ? error.message : String(error);
			throw new Error(`${message}; ${back ?? 'the configuration was put back as it was'}`);
		}

		return edited;
	}

	const addresses = (edited: readonly Edited[]) => edited.flatMap((entry) => entry.servers.map((server) => server.address)).join(', ');
	const onlyOf = (edited: readonly Edited[]) => new Map(edited.map((entry) => [entry.dumpPath, entry.servers]));

	/** Marks the instance down in one container; refuses when that would leave an upstream with no live server. */
	async function markDown(container: Container, instance: BackendInstance): Promise<Edited[]> {
		let matched = 0;
		const edited = await editFiles(
			container,
			(text) => {
				const edit = setServersDown(text, instance.aliases, port, true);
				if (edit.matched.length === 0) return null;
				matched += edit.matched.length;
				if (edit.leftWithoutLive.length > 0) {
					throw new Error(`marking ${instance.name} down in ${container.name} would leave upstream ${edit.leftWithoutLive.join(', ')} with no live server; nothing was changed`);
				}

				return {text: edit.text, servers: edit.changed.map((server) => ({upstream: server.upstream, address: server.address}))};
			},
			true,
		);
		if (matched === 0) {
			const looked = instance.aliases.slice(0, 4).map((alias) => `${alias}:${port}`).join(', ');
			throw new Error(`nginx in ${container.name} has no upstream server for ${instance.name} (looked for ${looked}); nothing was changed`);
		}

		return edited;
	}

	/** Takes away the `down` this drain added, in whatever the files hold now. */
	async function markUp(container: Container, instance: BackendInstance, only: Map<string, ServerRef[]>): Promise<Edited[]> {
		return editFiles(
			container,
			(text, dumpPath) => {
				const pick = only.get(dumpPath);
				if (pick === undefined) return null;
				const edit = setServersDown(text, instance.aliases, port, false, pick);
				return {text: edit.text, servers: edit.changed.map((server) => ({upstream: server.upstream, address: server.address}))};
			},
			true,
		);
	}

	return {
		description: `nginx in ${options.containers.map((container) => container.name).join(', ')}`,
		async remove(instance) {
			const done: Array<{container: Container; edited: Edited[]}> = [];
			for (const container of options.containers) {
				try {
					done.push({container, edited: await markDown(container, instance)});
				} catch (error) {
					for (const step of [...done].reverse()) await markUp(step.container, instance, onlyOf(step.edited)).catch(() => undefined);
					throw error;
				}
			}

			const changed = done.filter((step) => step.edited.length > 0);
			const description =
				changed.length === 0
					? `nginx already had ${instance.name} marked down; left as it was`
					: changed
							.map((step) => `${step.container.name}: ${addresses(step.edited)} marked down in ${step.edited.map((entry) => entry.file.path).join(', ')}`)
							.join('; ') + ', nginx -t passed, reloaded';
			const handle: BalancerHandle = {
				description,
				async restore() {
					if (changed.length === 0) return `nginx: ${instance.name} was down before the drain; left down`;
					const restored: string[] = [];
					for (const step of changed) {
						const edited = await markUp(step.container, instance, onlyOf(step.edited));
						restored.push(`${step.container.name}: ${edited.length === 0 ? 'no longer marked down (changed by someone else)' : `${addresses(edited)} back up`}`);
					}

					return `${restored.join('; ')}, reloaded`;
				},
				async retire() {
					const note = `${instance.name} removed ${new Date(now()).toISOString()}`;
					const retired: string[] = [];
					for (const step of changed) {
						const only = onlyOf(step.edited);
						const edited = await editFiles(
							step.container,
							(text, dumpPath) => {
								const pick = only.get(dumpPath);
								if (pick === undefined) return null;
								const edit = retireServers(text, instance.aliases, port, note, pick);
								return {text: edit.text, servers: edit.retired.map((server) => ({upstream: server.upstream, address: server.address}))};
							},
							false,
						);
						if (edited.length > 0) retired.push(`${step.container.name}: ${addresses(edited)} commented out (${retiredMarker})`);
					}

					return retired.length === 0 ? 'nginx: nothing to retire' : `${retired.join('; ')}, so later reloads do not look up a removed name; nginx -t passed`;
				},
			};
			return handle;
		},
		async admit(instance) {
			const said: string[] = [];
			for (const container of options.containers) {
				let known = 0;
				const edited = await editFiles(
					container,
					(text) => {
						const revived = reviveServers(text, instance.aliases, port);
						const up = setServersDown(revived.text, instance.aliases, port, false);
						known += up.matched.length;
						if (revived.revived.length === 0 && up.changed.length === 0) return null;
						const servers = [...revived.revived.map((address) => ({upstream: '', address})), ...up.changed.map((server) => ({upstream: server.upstream, address: server.address}))];
						return {text: up.text, servers};
					},
					true,
				);
				if (edited.length > 0) said.push(`${container.name}: ${[...new Set(edited.flatMap((entry) => entry.servers.map((server) => server.address)))].join(', ')} back in the upstream, reloaded`);
				else if (known === 0) said.push(`${container.name} has no upstream server for ${instance.name}: it gets no traffic until one is added`);
			}

			return said.length === 0 ? null : said.join('; ');
		},
	};
}
