/**
 * Endpoints of the real services the integration tests use (started by scripts/services-up.sh),
 * and helpers to skip a test file when a service is missing — or to FAIL when running in CI.
 *
 * Usage, at the top level of a test file (not inside a describe/it):
 *
 *   import {describe, it, expect} from 'vitest';
 *   import {requireDocker, requirePostgres, PG_URL, waitFor} from '../support/services.js';
 *
 *   const docker = await requireDocker();     // boolean: true when the engine answers
 *   describe.skipIf(!docker)('docker source', () => { ... });
 *
 * requireDocker() / requirePostgres() / requireRedis() / requireRedisAuth() probe once (cached per file)
 * and return whether the service is available. When it is not:
 *   - outside CI: they return false, so `describe.skipIf(!x)` skips (vitest reports the tests as skipped);
 *   - with CI=true: they also register a failing test, e.g. "docker engine is required in CI", whose
 *     error names the service, its endpoint and how to start it. So CI can never pass by skipping.
 * serviceAvailable(name) is the bare probe (no test registered), for code that only wants to know.
 *
 * Probes are cheap and do nothing else: docker = HTTP GET /_ping on the unix socket (node:http);
 * postgres/redis = a TCP connect to the port with a 1 s timeout (node:net).
 *
 * Endpoints can be moved by environment (e.g. to prove the CI failure path without stopping anything):
 * VA_TEST_PG_HOST, VA_TEST_PG_PORT, VA_TEST_REDIS_PORT, VA_TEST_REDIS_AUTH_PORT, VA_TEST_DOCKER_SOCKET.
 *
 * waitFor(fn, {timeoutMs, intervalMs}) polls fn until it returns a truthy value (which it returns);
 * throws on timeout with the last error thrown by fn. Use it instead of fixed sleeps.
 *
 * REDIS_PASSWORD is a test fixture; tests assert that va-top never prints it, so never log it here either.
 */
import http from 'node:http';
import net from 'node:net';
import {describe, it} from 'vitest';

const env = process.env;

function portFromEnv(name: string, fallback: number): number {
	const raw = env[name];
	if (raw === undefined || raw === '') return fallback;
	const port = Number(raw);
	if (!Number.isInteger(port) || port <= 0 || port > 65_535) throw new Error(`${name} is not a port: ${raw}`);
	return port;
}

export const IN_CI = env.CI === 'true';

export const PG_HOST = env.VA_TEST_PG_HOST || '127.0.0.1';
export const PG_PORT = portFromEnv('VA_TEST_PG_PORT', 5432);
/** voiceassist owns database voiceassist and is a member of pg_read_all_stats; not a superuser. */
export const PG_USER = 'voiceassist';
export const PG_PASSWORD = 'voiceassist';
export const PG_DATABASE = 'voiceassist';
export const PG_URL = `postgres://${PG_USER}:${PG_PASSWORD}@${PG_HOST}:${PG_PORT}/${PG_DATABASE}`;
/** Superuser for test setup (creating roles, holding connections, terminating backends). */
export const PG_ADMIN_USER = 'va_admin';
export const PG_ADMIN_PASSWORD = 'va_admin';
export const PG_ADMIN_URL = `postgres://${PG_ADMIN_USER}:${PG_ADMIN_PASSWORD}@${PG_HOST}:${PG_PORT}/postgres`;
/** What scripts/services-up.sh configures; tests can reach 80 % of it with 16 connections. */
export const PG_MAX_CONNECTIONS = 20;

export const REDIS_HOST = '127.0.0.1';
export const REDIS_PORT = portFromEnv('VA_TEST_REDIS_PORT', 6379);
export const REDIS_URL = `redis://${REDIS_HOST}:${REDIS_PORT}`;
export const REDIS_AUTH_PORT = portFromEnv('VA_TEST_REDIS_AUTH_PORT', 6380);
export const REDIS_PASSWORD = 'va-redis-secret';
export const REDIS_AUTH_URL = `redis://:${REDIS_PASSWORD}@${REDIS_HOST}:${REDIS_AUTH_PORT}`;

export const DOCKER_SOCKET = env.VA_TEST_DOCKER_SOCKET || '/var/run/docker.sock';
/** Local image (no registry here): static busybox with applet links, PATH=/bin. See scripts/build-image.sh. */
export const TEST_IMAGE = 'va-top/busybox:1';

export type ServiceName = 'docker' | 'postgres' | 'redis' | 'redis-auth';

type ServiceInfo = {label: string; endpoint: string; probe: () => Promise<boolean>};

const services: Record<ServiceName, ServiceInfo> = {
	docker: {label: 'docker engine', endpoint: `unix://${DOCKER_SOCKET}`, probe: async () => dockerPing()},
	postgres: {label: 'postgres', endpoint: `${PG_HOST}:${PG_PORT}`, probe: async () => tcpOpen(PG_HOST, PG_PORT)},
	redis: {label: 'redis', endpoint: `${REDIS_HOST}:${REDIS_PORT}`, probe: async () => tcpOpen(REDIS_HOST, REDIS_PORT)},
	'redis-auth': {
		label: 'redis with password',
		endpoint: `${REDIS_HOST}:${REDIS_AUTH_PORT}`,
		probe: async () => tcpOpen(REDIS_HOST, REDIS_AUTH_PORT),
	},
};

const PROBE_TIMEOUT_MS = 1000;

/** True when something accepts a TCP connection on host:port within 1 s. */
export async function tcpOpen(host: string, port: number, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
	return new Promise(resolve => {
		const socket = net.createConnection({host, port});
		const done = (ok: boolean) => {
			socket.destroy();
			resolve(ok);
		};
		socket.setTimeout(timeoutMs, () => done(false));
		socket.once('connect', () => done(true));
		socket.once('error', () => done(false));
	});
}

/** GET path on the Docker engine's unix socket; resolves with status and body (never rejects on HTTP errors). */
export async function dockerRequest(
	path: string,
	timeoutMs = 5000,
): Promise<{status: number; body: string}> {
	return new Promise((resolve, reject) => {
		const request = http.get({socketPath: DOCKER_SOCKET, path, timeout: timeoutMs}, response => {
			let body = '';
			response.setEncoding('utf8');
			response.on('data', (chunk: string) => {
				body += chunk;
			});
			response.on('end', () => resolve({status: response.statusCode ?? 0, body}));
			response.on('error', reject);
		});
		request.on('timeout', () => request.destroy(new Error(`docker ${path}: no answer within ${timeoutMs} ms`)));
		request.on('error', reject);
	});
}

async function dockerPing(): Promise<boolean> {
	try {
		const {status, body} = await dockerRequest('/_ping', PROBE_TIMEOUT_MS);
		return status === 200 && body.trim() === 'OK';
	} catch {
		return false;
	}
}

const cache = new Map<ServiceName, Promise<boolean>>();

/** Bare probe (cached per test file): is the service there? Registers nothing. */
export async function serviceAvailable(name: ServiceName): Promise<boolean> {
	let result = cache.get(name);
	if (!result) {
		result = services[name].probe();
		cache.set(name, result);
	}
	return result;
}

/**
 * Probe a service; when it is missing and CI=true, also register a failing test naming it.
 * Call at the top level of a test file; use the result with describe.skipIf(!available).
 */
export async function requireService(name: ServiceName): Promise<boolean> {
	const available = await serviceAvailable(name);
	if (!available && IN_CI) {
		const {label, endpoint} = services[name];
		describe(`${label} (required in CI)`, () => {
			it(`${label} is required in CI`, () => {
				throw new Error(
					`${label} is not reachable at ${endpoint}, and CI=true forbids skipping: ` +
						'scripts/setup.sh (scripts/services-up.sh) must have started it',
				);
			});
		});
	}
	return available;
}

export const requireDocker = async (): Promise<boolean> => requireService('docker');
export const requirePostgres = async (): Promise<boolean> => requireService('postgres');
/** Redis without password on REDIS_PORT. */
export const requireRedis = async (): Promise<boolean> => requireService('redis');
/** Redis with requirepass on REDIS_AUTH_PORT. */
export const requireRedisAuth = async (): Promise<boolean> => requireService('redis-auth');

export type WaitForOptions = {timeoutMs?: number; intervalMs?: number; message?: string};

/**
 * Poll fn until it returns a truthy value, and return that value. Errors thrown by fn count as
 * "not yet"; on timeout, throws with the message and the last error (as cause).
 */
export async function waitFor<T>(
	fn: () => T | Promise<T>,
	{timeoutMs = 10_000, intervalMs = 100, message}: WaitForOptions = {},
): Promise<NonNullable<T>> {
	const deadline = Date.now() + timeoutMs;
	let lastError: unknown;
	let lastValue: unknown;
	for (;;) {
		try {
			const value = await fn();
			if (value) return value as NonNullable<T>;
			lastValue = value;
			lastError = undefined;
		} catch (error) {
			lastError = error;
		}
		if (Date.now() >= deadline) break;
		await new Promise(resolve => setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
	}
	const what = message ?? 'condition';
	const last =
		lastError === undefined
			? `last value: ${String(lastValue)}`
			: `last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
	throw new Error(`waitFor: ${what} not met within ${timeoutMs} ms (${last})`, {cause: lastError});
}
