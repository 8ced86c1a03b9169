// The docker CLI's context store, read the way the CLI reads it: $DOCKER_CONFIG (default ~/.docker)/config.json for
// currentContext, contexts/meta/<sha256 of the name>/meta.json for a context's endpoint, contexts/tls/<sha256>/docker/
// for its TLS files. dockerode reads only DOCKER_HOST and the TLS variables, so contexts are read here.
import {createHash} from 'node:crypto';
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import {homedir} from 'node:os';
import path from 'node:path';
import {UsageError} from './usage-error.js';

export interface ContextEndpoint {
	name: string;
	/** Endpoints.docker.Host: unix://, tcp:// or ssh://. */
	host: string;
	skipTlsVerify: boolean;
	/** The context's TLS files that exist (the CLI stores them under contexts/tls/). */
	tls: {ca?: string; cert?: string; key?: string};
	/** Where it was read, for messages. */
	metaFile: string;
}

/** What the store needs from the file system; tests hand in a fake one. */
export interface StoreFiles {
	read(file: string): string | null;
	exists(file: string): boolean;
	/** Entries of a directory; empty when it is missing. */
	list(dir: string): string[];
}

export const realFiles: StoreFiles = {
	read(file) {
		try {
			return readFileSync(file, 'utf8');
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
			const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
			throw new UsageError(`cannot read ${file} (${code === 'EACCES' ? 'permission denied' : code})`);
		}
	},
	exists: existsSync,
	list(dir) {
		try {
			return readdirSync(dir);
		} catch {
			return [];
		}
	},
};

export function dockerConfigDir(env: NodeJS.ProcessEnv): string {
	const dir = env.DOCKER_CONFIG?.trim();
	return dir ? dir : path.join(homedir(), '.docker');
}

/** The CLI's directory name for a context: the hex SHA-256 of its name. */
export function contextDirName(name: string): string {
	return createHash('sha256').update(name).digest('hex');
}

function parseJson(text: string, file: string, what: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		throw new UsageError(`${what}: ${file} is not valid JSON, expected the docker CLI's format`);
	}
}

/** currentContext of config.json, or undefined when the file or the key is absent. */
export function currentContext(configDir: string, files: StoreFiles = realFiles): {name: string; file: string} | undefined {
	const file = path.join(configDir, 'config.json');
	const text = files.read(file);
	if (text === null || text.trim() === '') return undefined;
	const config = parseJson(text, file, 'docker config');
	const name = (config as {currentContext?: unknown} | null)?.currentContext;
	return typeof name === 'string' && name.trim() !== '' ? {name: name.trim(), file} : undefined;
}

/** The names of every context in the store, for a message. */
function knownContexts(configDir: string, files: StoreFiles): string[] {
	const metaDir = path.join(configDir, 'contexts', 'meta');
	const names: string[] = [];
	for (const entry of files.list(metaDir)) {
		const text = files.read(path.join(metaDir, entry, 'meta.json'));
		if (text === null) continue;
		try {
			const name = (JSON.parse(text) as {Name?: unknown}).Name;
			if (typeof name === 'string') names.push(name);
		} catch {
			// A broken context is not worth failing the message for.
		}
	}

	return names.sort();
}

/**
 * The named context's Docker endpoint. `from` says where the name came from (`--context`, `DOCKER_CONTEXT`,
 * `currentContext in FILE`), for the one-line error when it is unknown or points nowhere.
 */
export function readContext(name: string, from: string, configDir: string, files: StoreFiles = realFiles): ContextEndpoint {
	const id = contextDirName(name);
	const metaFile = path.join(configDir, 'contexts', 'meta', id, 'meta.json');
	const text = files.read(metaFile);
	if (text === null) {
		const known = knownContexts(configDir, files);
		const list = known.length > 0 ? `known: ${known.join(', ')}` : 'the store has none; make one with `docker context create`';
		throw new UsageError(`${from}: no Docker context named "${name}" in ${path.join(configDir, 'contexts')} (${list})`);
	}

	const meta = parseJson(text, metaFile, `${from}: context "${name}"`) as {Endpoints?: {docker?: {Host?: unknown; SkipTLSVerify?: unknown}}} | null;
	const docker = meta?.Endpoints?.docker;
	const host = typeof docker?.Host === 'string' ? docker.Host.trim() : '';
	if (host === '') {
		throw new UsageError(`${from}: context "${name}" has no Docker endpoint (Endpoints.docker.Host is empty in ${metaFile}), expected one made with \`docker context create --docker host=URL\``);
	}

	const tlsDir = path.join(configDir, 'contexts', 'tls', id, 'docker');
	const tls: ContextEndpoint['tls'] = {};
	for (const [key, file] of [['ca', 'ca.pem'], ['cert', 'cert.pem'], ['key', 'key.pem']] as const) {
		const full = path.join(tlsDir, file);
		if (files.exists(full)) tls[key] = full;
	}

	return {name, host, skipTlsVerify: docker?.SkipTLSVerify === true, tls, metaFile};
}
