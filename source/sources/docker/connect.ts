// Turns a Docker host string (--host, DOCKER_HOST) into a dockerode client and a display endpoint,
// the way the docker CLI reads them: unix://, tcp:// (TLS with DOCKER_TLS_VERIFY), ssh://.
import {existsSync, readFileSync} from 'node:fs';
import https from 'node:https';
import {homedir} from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';

export interface DockerConnection {
	docker: Dockerode;
	/** What to show: scheme, host and port or socket path; never a credential. */
	endpoint: string;
}

export const defaultDockerHost = 'unix:///var/run/docker.sock';

type Env = Record<string, string | undefined>;

/**
 * What `connectDocker` hands to dockerode, split out so it can be checked without a daemon.
 * Every field docker-modem might fill from the environment on its own (it reads DOCKER_HOST,
 * DOCKER_TLS_VERIFY and DOCKER_CERT_PATH itself) is set here explicitly, so an explicit --host wins.
 */
export function dockerOptionsFor(
	host: string | undefined,
	env: Env = process.env,
	context?: ContextTls | null,
): {options: Dockerode.DockerOptions; endpoint: string} {
	// An empty --host or DOCKER_HOST counts as not given.
	const raw = host?.trim() || env.DOCKER_HOST?.trim() || defaultDockerHost;
	const scheme = /^([a-z][a-z\d+.-]*):\/\//i.exec(raw)?.[1]?.toLowerCase();
	// timeout too: DOCKER_CLIENT_TIMEOUT (often set for compose) would cut idle event streams.
	const unset = {
		host: undefined,
		port: undefined,
		username: undefined,
		ca: undefined,
		cert: undefined,
		key: undefined,
		timeout: undefined,
	};

	if (scheme === 'unix') {
		const socketPath = raw.slice('unix://'.length);
		if (!socketPath) throw new Error(`Docker host ${raw} has no socket path (e.g. ${defaultDockerHost})`);
		return {options: {...unset, socketPath, protocol: 'http'}, endpoint: `unix://${socketPath}`};
	}

	if (scheme === 'tcp') {
		const url = parseUrl(raw);
		if (!url.hostname) throw new Error(`Docker host ${safe(raw)} has no host name (e.g. tcp://127.0.0.1:2375)`);
		// A context carries its own TLS files (or none); the TLS variables are for DOCKER_HOST and --docker-host.
		const tls = context === undefined ? Boolean(env.DOCKER_TLS_VERIFY) : context !== null;
		// The CLI's defaults: 2376 with TLS, 2375 without.
		const port = Number(url.port || (tls ? 2376 : 2375));
		const endpoint = `tcp://${url.host.replace(/:\d+$/, '')}:${port}`;
		if (!tls) return {options: {...unset, socketPath: undefined, host: bare(url.hostname), port, protocol: 'http'}, endpoint};
		if (context) {
			const read = (file: string | undefined) => (file === undefined ? undefined : readCertificate(path.dirname(file), path.basename(file), 'the context'));
			return {
				options: {
					...unset,
					socketPath: undefined,
					host: bare(url.hostname),
					port,
					protocol: 'https',
					ca: read(context.ca),
					cert: read(context.cert),
					key: read(context.key),
					// SkipTLSVerify: the CLI still encrypts but does not check the engine's certificate.
					...(context.skipVerify ? {agent: new https.Agent({rejectUnauthorized: false})} : {}),
				} as Dockerode.DockerOptions,
				endpoint,
			};
		}

		const certDir = env.DOCKER_CERT_PATH || path.join(homedir(), '.docker');
		return {
			options: {
				...unset,
				socketPath: undefined,
				host: bare(url.hostname),
				port,
				protocol: 'https',
				ca: readCertificate(certDir, 'ca.pem'),
				cert: readCertificate(certDir, 'cert.pem'),
				key: readCertificate(certDir, 'key.pem'),
			},
			endpoint,
		};
	}

	if (scheme === 'ssh') {
		const url = parseUrl(raw);
		if (!url.hostname) throw new Error(`Docker host ${safe(raw)} has no host name (e.g. ssh://user@host)`);
		// Like the CLI: a password in the URL would end up in shell history and process lists.
		if (url.password) throw new Error('Docker ssh:// host must not contain a password; use an ssh agent or key');
		const port = Number(url.port || 22);
		const username = decodeURIComponent(url.username) || env.USER || undefined;
		const sshOptions: NonNullable<Dockerode.DockerOptions['sshOptions']> = {};
		if (env.SSH_AUTH_SOCK) sshOptions.agent = env.SSH_AUTH_SOCK;
		else {
			// ssh2 does not look for default keys the way the ssh binary does.
			const key = defaultSshKey();
			if (key) sshOptions.privateKey = key;
		}

		const user = url.username ? `${url.username}@` : '';
		return {
			options: {...unset, socketPath: undefined, host: bare(url.hostname), port, username, protocol: 'ssh', sshOptions},
			endpoint: `ssh://${user}${url.host.replace(/:\d+$/, '')}:${port}`,
		};
	}

	const shown = scheme ? `${scheme}://` : safe(raw);
	throw new Error(`unsupported Docker host ${shown}: use unix://, tcp:// or ssh://`);
}

/** A context's TLS material (file paths); null: a context without TLS. */
export interface ContextTls {
	ca?: string;
	cert?: string;
	key?: string;
	skipVerify: boolean;
}

/** A dockerode client for the host (or DOCKER_HOST, or the local socket). Throws a one-line Error when unusable. */
export function connectDocker(host: string | undefined, context?: ContextTls | null): DockerConnection {
	const {options, endpoint} = dockerOptionsFor(host, process.env, context);
	try {
		return {docker: new Dockerode(options), endpoint};
	} catch (error) {
		// docker-modem reads DOCKER_CERT_PATH files on its own and can throw here.
		const message = error instanceof Error ? error.message.split('\n', 1)[0] : String(error);
		throw new Error(`cannot set up the Docker client for ${endpoint}: ${message}`);
	}
}

function parseUrl(raw: string): URL {
	try {
		return new URL(raw);
	} catch {
		throw new Error(`Docker host ${safe(raw)} is not a valid URL`);
	}
}

/** IPv6 literals come bracketed from URL; the http client wants them bare. */
function bare(hostname: string): string {
	return hostname.replace(/^\[(.*)\]$/, '$1');
}

/** The host string for an error message, without any user:password@. */
function safe(raw: string): string {
	return raw.replace(/\/\/[^@/]*@/, '//');
}

function readCertificate(directory: string, name: string, owner?: string): Buffer {
	const file = path.join(directory, name);
	try {
		return readFileSync(file);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable');
		if (owner !== undefined) throw new Error(`${owner}'s TLS file ${file} cannot be read (${why})`);
		throw new Error(`DOCKER_TLS_VERIFY is set but ${file} cannot be read (${why}); set DOCKER_CERT_PATH`);
	}
}

function defaultSshKey(): Buffer | undefined {
	for (const name of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
		const file = path.join(homedir(), '.ssh', name);
		if (!existsSync(file)) continue;
		try {
			return readFileSync(file);
		} catch {
			// Unreadable: try the next one; the connection error will say what failed.
		}
	}

	return undefined;
}
