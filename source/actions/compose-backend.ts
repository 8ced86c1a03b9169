// With --compose-file: scaling runs `docker compose` (or `docker-compose` where only that exists)
// `up -d --no-deps --scale SERVICE=N --no-recreate SERVICE`, as the runbook does, so Compose itself creates and
// removes containers. Listing, connection counts and the balancer are the Engine API's, as in the engine backend.
// `--no-deps` and naming the service keep Compose from touching any other service of the project.
import {execFile} from 'node:child_process';
import {existsSync} from 'node:fs';
import path from 'node:path';
import {promisify} from 'node:util';
import {countsAsRunning, scaleDownVictims} from '../core/action-rules.js';
import {scrubSecrets} from '../core/redact.js';
import type {ActionBackend} from './backend.js';
import {lastLine} from './docker-io.js';
import {createEngineBackend, type EngineBackendOptions} from './engine-backend.js';

const run = promisify(execFile);

export interface ComposeBackendOptions extends EngineBackendOptions {
	composeFile: string;
	/** The Docker host the monitor uses (--docker-host); handed to Compose as DOCKER_HOST. */
	dockerHost?: string;
	/** The engine's Docker context, when it came from one: handed to Compose as DOCKER_CONTEXT instead. */
	dockerContext?: string;
	/** Which compose to run; found when not given. */
	composeCommand?: readonly string[];
	/** Bounds one compose run (creating or stopping containers can take a while). */
	composeTimeoutMs?: number;
	env?: NodeJS.ProcessEnv;
}

/** `docker compose` when the plugin answers, else `docker-compose`; rejects when neither exists. */
export async function findCompose(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
	let slow: string | undefined;
	for (const candidate of [['docker', 'compose'], ['docker-compose']]) {
		try {
			await run(candidate[0]!, [...candidate.slice(1), 'version'], {timeout: 10_000, env});
			return candidate;
		} catch (error) {
			// Not installed, or `docker` without the compose plugin; or there but too slow to answer (a loaded machine).
			if ((error as {killed?: boolean}).killed === true) slow = candidate.join(' ');
		}
	}

	if (slow !== undefined) throw new Error(`\`${slow} version\` did not answer within 10 s (needed for --compose-file)`);
	throw new Error('neither `docker compose` nor `docker-compose` is installed (needed for --compose-file)');
}

let shared: Promise<string[]> | undefined;

/** findCompose once for every engine's backend (several engines, one lookup); a failed lookup is tried again next time. */
export function findComposeOnce(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
	shared ??= findCompose(env).catch((error: unknown) => {
		shared = undefined;
		throw error;
	});
	return shared;
}

/**
 * Compose's own error from its output: progress lines ("Creating x ... done") dropped, the last few lines kept
 * (a YAML error says what and where on separate lines).
 */
export function composeError(output: string): string {
	const lines = output
		.replace(/\r/g, '\n')
		.split('\n')
		.map((line) => line.trim())
		.filter((line) => line !== '' && !/\.\.\.\s*(done|error)?$/i.test(line) && !/^(Creating|Starting|Stopping|Removing|Recreating)\b/.test(line));
	const text = lines.slice(-3).join(' / ');
	return text.length > 400 ? `…${text.slice(-400)}` : text;
}

export function createComposeBackend(options: ComposeBackendOptions): ActionBackend {
	const engine = createEngineBackend(options);
	const file = path.resolve(options.composeFile);
	const base = {...(options.env ?? process.env)};
	if (options.dockerContext !== undefined) delete base.DOCKER_HOST;
	const env = {...base, ...(options.dockerHost === undefined ? {} : {DOCKER_HOST: options.dockerHost}), ...(options.dockerContext === undefined ? {} : {DOCKER_CONTEXT: options.dockerContext})};
	let command: Promise<string[]> | undefined = options.composeCommand === undefined ? undefined : Promise.resolve([...options.composeCommand]);
	// What the confirmation names; found in the background so the first confirmation can already say which.
	let shownCommand = options.composeCommand?.join(' ') ?? 'docker compose';
	if (command === undefined) {
		command = findComposeOnce(env);
		command.then(
			(found) => {
				shownCommand = found.join(' ');
			},
			() => {
				command = undefined;
			},
		);
	}

	function args(target: number): string[] {
		return ['--ansi', 'never', '-p', options.project, '-f', file, 'up', '-d', '--no-deps', '--scale', `${options.service}=${target}`, '--no-recreate', options.service];
	}

	async function compose(target: number): Promise<void> {
		if (!existsSync(file)) throw new Error(`--compose-file ${file} does not exist`);
		command ??= findComposeOnce(env);
		const base = await command.catch((error: unknown) => {
			command = undefined;
			throw error;
		});
		try {
			await run(base[0]!, [...base.slice(1), ...args(target)], {
				cwd: path.dirname(file),
				env,
				timeout: options.composeTimeoutMs ?? 180_000,
				maxBuffer: 4 * 1024 * 1024,
			});
		} catch (error) {
			const failure = error as {stderr?: string; stdout?: string; code?: number | string; killed?: boolean};
			const detail = composeError(failure.stderr ?? '') || lastLine(failure.stdout ?? '');
			const exit = failure.killed === true ? 'was killed after the timeout' : `exited ${String(failure.code ?? '?')}`;
			throw new Error(scrubSecrets(`${base.join(' ')} up --scale ${options.service}=${target} ${exit}${detail ? `: ${detail}` : ''}`, options.secrets ?? []));
		}
	}

	const shown = () => `${shownCommand} -f ${file} up -d --no-deps --scale ${options.service}=N --no-recreate ${options.service}`;
	return {
		...engine,
		kind: 'compose',
		description: `compose CLI with ${file}`,
		describeScaleUp(_from, to) {
			return `run ${shown().replace('=N', `=${to}`)}`;
		},
		describeRemoval(names, to, highest) {
			const them = names.length === 1 ? 'it' : 'them';
			const direct = `stop ${names.join(', ')} gracefully (SIGTERM, then its stop timeout) and remove ${them} through the Engine API (compose would remove the highest number instead)`;
			if (highest === false) return direct;
			const viaCompose = `run ${shown().replace('=N', `=${to}`)}, which stops ${names.join(', ')} gracefully and removes ${them}`;
			return highest === true ? viaCompose : `${viaCompose} (or, if ${them} are not the highest-numbered, stop and remove ${them} directly)`;
		},
		refuseScale(instances) {
			// Compose counts stopped containers as replicas: it would start them instead of creating new ones, and on
			// the way down it could remove a running replica va-top has not drained. Refuse rather than guess.
			const stopped = instances.filter((instance) => !countsAsRunning(instance.state));
			if (stopped.length === 0) return null;
			return `compose also counts the stopped ${stopped.map((instance) => `${instance.name} (${instance.state})`).join(', ')}; remove ${stopped.length === 1 ? 'it' : 'them'} first (docker rm), or scale without --compose-file`;
		},
		async scaleUp(instances, target) {
			const before = new Set(instances.map((instance) => instance.id));
			await compose(target);
			const after = await engine.list();
			return {created: after.filter((instance) => !before.has(instance.id)).map((instance) => instance.name), notes: []};
		},
		async remove(victims, target) {
			// Compose removes the highest numbers; a drained instance that is not one of them is removed directly, so
			// nothing undrained is ever stopped.
			const running = (await engine.list()).filter((instance) => countsAsRunning(instance.state));
			const highest = new Set(scaleDownVictims(running, victims.length).map((instance) => instance.id));
			const exact = victims.every((victim) => highest.has(victim.id)) && running.length - victims.length === target;
			if (exact) await compose(target);
			else await engine.remove(victims, target);
		},
	};
}
