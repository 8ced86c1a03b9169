// Compose or Swarm, decided once at start by one question to the engine: does it, as a Swarm manager, have the
// service? With --swarm-service a service the manager does not have, or an engine that is no manager, is bad input
// (exit 64); without it, PROJECT_SERVICE (the name `docker stack deploy` gives) is followed when the manager has it,
// and anything else (no manager, no such service, no answer in time) keeps today's Compose behaviour.
import type Dockerode from 'dockerode';
import type {Options} from '../../../config/options.js';
import {UsageError} from '../../../config/usage-error.js';
import {parseList, parseService} from '../../../core/swarm.js';
import {statusCode} from '../../docker/engine-link.js';
import {connectEngine} from '../backend.js';

/** The question's time limit: a manager that does not answer by then is followed anyway (given) or not (auto). */
export const detectTimeoutMs = 1000;

/** The name `docker stack deploy -c FILE PROJECT` gives the file's SERVICE. */
export function stackServiceName(project: string, service: string): string {
	return `${project}_${service}`;
}

type Answer = {kind: 'services'; names: string[]} | {kind: 'not-manager'; message: string} | {kind: 'no-answer'};

async function askServices(docker: Dockerode, name: string, timeoutMs: number): Promise<Answer> {
	const abort = new AbortController();
	const timer = setTimeout(() => abort.abort(), timeoutMs);
	try {
		const listed = await (docker.listServices as (options: Record<string, unknown>) => Promise<unknown>).call(docker, {filters: {name: [name]}, abortSignal: abort.signal});
		return {kind: 'services', names: parseList(listed, parseService).map((service) => service.name)};
	} catch (error) {
		// 503: "This node is not a swarm manager…" (a plain engine, or a worker).
		if (statusCode(error) === 503) {
			const message = (error as {json?: {message?: unknown}}).json?.message;
			return {kind: 'not-manager', message: typeof message === 'string' ? message.split('.')[0]!.trim() : 'not a swarm manager'};
		}

		return {kind: 'no-answer'};
	} finally {
		clearTimeout(timer);
	}
}

/**
 * The options with swarmService set when va-top is to follow a Swarm service (given, or PROJECT_SERVICE found on
 * the manager), unchanged otherwise. Throws UsageError for a given service the manager does not have.
 */
export async function resolveWorkload(options: Options, timeoutMs = detectTimeoutMs): Promise<Options> {
	const [engine] = options.dockerEngines;
	if (options.demo || engine === undefined || options.dockerEngines.length !== 1) return options;
	const given = options.swarmService;
	if (given === undefined && options.composeFile !== undefined) return options;
	const name = given ?? stackServiceName(options.project, options.service);
	let docker: Dockerode;
	let endpoint: string;
	try {
		({docker, endpoint} = connectEngine(engine));
	} catch {
		// The collector says why (a TLS file missing…), as it does for Compose.
		return options;
	}

	const answer = await askServices(docker, name, timeoutMs);
	if (given === undefined) return answer.kind === 'services' && answer.names.includes(name) ? {...options, swarmService: name} : options;
	if (answer.kind === 'not-manager') {
		throw new UsageError(`--swarm-service: the engine at ${endpoint} is not a Swarm manager (${answer.message}), expected a manager's URL (--docker-host or --context)`);
	}

	if (answer.kind === 'services' && !answer.names.includes(name)) {
		const others = answer.names.length > 0 ? `; services named like it: ${answer.names.join(', ')}` : '';
		throw new UsageError(`--swarm-service: no service named ${name} on the Swarm manager at ${endpoint}${others}, expected the name \`docker service ls\` shows there`);
	}

	return options;
}
