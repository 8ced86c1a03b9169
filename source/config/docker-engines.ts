// Which Docker engines va-top watches, with the docker CLI's precedence: --context, then --docker-host (or DOCKER_HOST),
// then DOCKER_CONTEXT, then currentContext in $DOCKER_CONFIG/config.json, then the local socket. --context and
// --docker-host together are an error, as in the CLI. Both may name several engines: repeated, or a comma-separated
// list; a host may carry a name of its own, NAME=URL.
import {redactUrl} from '../core/redact.js';
import {currentContext, dockerConfigDir, readContext, realFiles, type StoreFiles} from './docker-contexts.js';
import {validateDockerHost} from './urls.js';
import {UsageError} from './usage-error.js';

export const defaultDockerHost = 'unix:///var/run/docker.sock';

export interface DockerEngineSpec {
	/** Shown in the header, the table's HOST column, the JSON and the audit log: a context's name, NAME=, or from the URL. */
	name: string;
	/** unix://, tcp:// or ssh:// (validated). */
	host: string;
	/** Where it came from, for messages: `--docker-host`, `DOCKER_HOST`, `--context`, `currentContext in FILE`, `default`. */
	from: string;
	/** The context it came from. */
	context?: string;
	/** A context's TLS files; hosts given by URL use DOCKER_TLS_VERIFY / DOCKER_CERT_PATH instead. */
	tls?: {ca?: string; cert?: string; key?: string; skipVerify: boolean};
}

export interface EngineInput {
	/** --docker-host values (flag or config file), each possibly a comma-separated list. */
	hosts?: {values: readonly string[]; from: string};
	/** --context values (flag or config file), each possibly a comma-separated list. */
	contexts?: {values: readonly string[]; from: string};
}

function items(values: readonly string[], from: string, what: string): string[] {
	const out: string[] = [];
	for (const value of values) {
		const parts = value.split(',').map((part) => part.trim());
		if (parts.some((part) => part === '')) throw new UsageError(`${from}: an empty item in "${redactUrl(value)}", expected ${what} separated by commas`);
		out.push(...parts);
	}

	return out;
}

/** A short name for an engine given by URL: the host name for tcp:// and ssh://, the socket's name for unix://. */
export function engineNameOf(host: string): string {
	const url = new URL(host);
	if (url.protocol === 'unix:') {
		const base = url.pathname.split('/').filter(Boolean).at(-1) ?? url.pathname;
		return base.replace(/\.sock$/, '') || url.pathname;
	}

	return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** `NAME=URL` → name and URL; a bare URL → no name. */
function splitName(item: string): {name?: string; url: string} {
	const match = /^([A-Za-z0-9][A-Za-z0-9_.-]*)=(.*)$/.exec(item);
	return match && match[2]!.includes('://') ? {name: match[1]!, url: match[2]!} : {url: item};
}

function fromContext(name: string, from: string, env: NodeJS.ProcessEnv, files: StoreFiles): DockerEngineSpec {
	// The CLI's "default" context is DOCKER_HOST's engine, or the local socket: it is never in the store.
	if (name === 'default') {
		const host = env.DOCKER_HOST?.trim() ? validateDockerHost(env.DOCKER_HOST.trim(), 'DOCKER_HOST') : defaultDockerHost;
		return {name: 'default', host, from, context: 'default'};
	}

	const context = readContext(name, from, dockerConfigDir(env), files);
	const host = validateDockerHost(context.host, `${from}: context "${name}" (${context.metaFile})`);
	const hasTls = context.tls.ca !== undefined || context.tls.cert !== undefined || context.tls.key !== undefined || context.skipTlsVerify;
	return {name, host, from, context: name, ...(hasTls ? {tls: {...context.tls, skipVerify: context.skipTlsVerify}} : {})};
}

/** Every engine name distinct (a name given twice is an error; derived names that clash get their endpoint). */
function distinct(engines: DockerEngineSpec[], named: ReadonlySet<DockerEngineSpec>): DockerEngineSpec[] {
	const seenHosts = new Map<string, DockerEngineSpec>();
	for (const engine of engines) {
		const twice = seenHosts.get(engine.host);
		if (twice) throw new UsageError(`${engine.from}: ${redactUrl(engine.host)} is given twice (as ${twice.name} and ${engine.name}), expected each engine once`);
		seenHosts.set(engine.host, engine);
	}

	const count = new Map<string, number>();
	for (const engine of engines) count.set(engine.name, (count.get(engine.name) ?? 0) + 1);
	for (const engine of engines) {
		if ((count.get(engine.name) ?? 0) < 2) continue;
		if (named.has(engine) || engine.context !== undefined) {
			throw new UsageError(`${engine.from}: the engine name "${engine.name}" is used twice, expected a different NAME= for each`);
		}
	}

	return engines.map((engine) => ((count.get(engine.name) ?? 0) > 1 ? {...engine, name: redactUrl(engine.host)} : engine));
}

export function resolveDockerEngines(input: EngineInput, env: NodeJS.ProcessEnv, files: StoreFiles = realFiles): DockerEngineSpec[] {
	if (input.contexts !== undefined && input.hosts !== undefined) {
		throw new UsageError(`${input.contexts.from} and ${input.hosts.from} both given, expected one of them (as with the docker CLI's --context and --host)`);
	}

	if (input.contexts !== undefined) {
		const names = items(input.contexts.values, input.contexts.from, 'context names');
		return distinct(
			names.map((name) => fromContext(name, input.contexts!.from, env, files)),
			new Set(),
		);
	}

	const hostValues = input.hosts ?? (env.DOCKER_HOST?.trim() ? {values: [env.DOCKER_HOST.trim()], from: 'DOCKER_HOST'} : undefined);
	if (hostValues !== undefined) {
		const named = new Set<DockerEngineSpec>();
		const engines = items(hostValues.values, hostValues.from, 'URLs').map((item) => {
			const {name, url} = splitName(item);
			const host = validateDockerHost(url, hostValues.from);
			const engine: DockerEngineSpec = {name: name ?? engineNameOf(host), host, from: hostValues.from};
			if (name !== undefined) named.add(engine);
			return engine;
		});
		return distinct(engines, named);
	}

	const fromEnv = env.DOCKER_CONTEXT?.trim();
	if (fromEnv) return [fromContext(fromEnv, 'DOCKER_CONTEXT', env, files)];
	const current = currentContext(dockerConfigDir(env), files);
	if (current !== undefined) return [fromContext(current.name, `currentContext in ${current.file}`, env, files)];
	return [{name: engineNameOf(defaultDockerHost), host: defaultDockerHost, from: 'default'}];
}

/**
 * The engine of the context named `name` in the store, or null when there is none (or it cannot be used): how a
 * Swarm node named like a context is reached. Never throws.
 */
export function contextSpecFor(name: string, env: NodeJS.ProcessEnv, files: StoreFiles = realFiles): DockerEngineSpec | null {
	if (name === 'default') return null;
	try {
		return fromContext(name, `context ${name}`, env, files);
	} catch {
		return null;
	}
}
