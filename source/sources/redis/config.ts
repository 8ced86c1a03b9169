// --redis, REDIS_URL → one server; --redis-sentinel with --redis-master → a Sentinel-managed master; --redis-cluster →
// a Redis Cluster (validated; exit 64 otherwise). Passwords come from the URL or the environment, never a flag of
// their own: REDIS_PASSWORD for the data nodes, REDIS_SENTINEL_PASSWORD for the sentinels.
import type {FlagSpec} from '../../config/flags.js';
import {validateRedisUrl} from '../../config/urls.js';
import {UsageError} from '../../config/usage-error.js';
import {emptyToUndefined, givenText, parseNumber} from '../../config/values.js';
import {passwordOf, redactUrl} from '../../core/redact.js';
import type {ConfigureInput} from '../source-kind.js';

export type RedisMode = 'standalone' | 'sentinel' | 'cluster';

export interface RedisConfig {
	mode: RedisMode;
	/** Standalone: redis://[:password@]host:port[/db]; the password never leaves the collector. */
	url: string;
	/** Sentinel: the sentinels (host:port) and the master's name they monitor. */
	sentinels: string[];
	masterName: string | undefined;
	/** Cluster: the nodes given (host:port); the rest are found through CLUSTER NODES. */
	clusterNodes: string[];
	/** For the data nodes of a sentinel set or cluster: REDIS_PASSWORD, else the password of a --redis URL given. */
	password: string | undefined;
	username: string | undefined;
	/** For the sentinels: REDIS_SENTINEL_PASSWORD. */
	sentinelPassword: string | undefined;
}

export const defaultRedisUrl = 'redis://localhost:6379';

const endpointsExpected = 'HOST:PORT entries separated by commas, such as 10.0.0.5:26379,10.0.0.6:26379';

export const redisFlags: readonly FlagSpec[] = [
	{
		name: 'redis',
		kind: 'string',
		value: 'URL',
		description: 'Redis: redis://[:PASSWORD@]HOST[:PORT][/DB]',
		defaultText: defaultRedisUrl,
		env: 'REDIS_URL',
		inConfig: true,
		group: 'Stack',
		expected: 'a URL such as redis://HOST:6379',
	},
	{
		name: 'redis-sentinel',
		kind: 'string',
		value: 'HOST:PORT,…',
		description: 'Redis Sentinel: the sentinels; the master is found through them and followed across failovers (needs --redis-master; passwords: REDIS_PASSWORD, REDIS_SENTINEL_PASSWORD)',
		env: 'REDIS_SENTINELS',
		inConfig: true,
		group: 'Stack',
		expected: endpointsExpected,
	},
	{
		name: 'redis-master',
		kind: 'string',
		value: 'NAME',
		description: 'The master name the sentinels monitor (`sentinel monitor NAME …`)',
		env: 'REDIS_MASTER_NAME',
		inConfig: true,
		group: 'Stack',
		expected: 'the master name of `sentinel monitor NAME …`, such as mymaster',
	},
	{
		name: 'redis-cluster',
		kind: 'string',
		value: 'HOST:PORT,…',
		description: 'Redis Cluster: one or more nodes; every node is found through CLUSTER NODES and read on its own (password: REDIS_PASSWORD)',
		env: 'REDIS_CLUSTER_NODES',
		inConfig: true,
		group: 'Stack',
		expected: 'HOST:PORT entries separated by commas, such as 10.0.0.5:7000,10.0.0.6:7000',
	},
];

/** host:port entries, each checked; IPv6 as [::1]:26379. */
export function parseEndpoints(text: string, from: string, expected: string): string[] {
	const out: string[] = [];
	for (const entry of text.split(',').map(part => part.trim())) {
		if (entry === '') throw new UsageError(`${from}: an empty entry in "${redactUrl(text)}", expected ${expected}`);
		const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/.exec(entry);
		if (!match) throw new UsageError(`${from}: "${redactUrl(entry)}" is not HOST:PORT, expected ${expected}`);
		parseNumber(match[2], from, {min: 1, max: 65_535, integer: true, what: 'a port from 1 to 65535'});
		if (out.includes(entry)) throw new UsageError(`${from}: ${entry} is given twice, expected each node once`);
		out.push(entry);
	}

	return out;
}

export function configureRedis({given, env}: ConfigureInput): RedisConfig {
	const flag = given('redis');
	const explicitUrl = flag !== undefined ? validateRedisUrl(givenText(flag, redisFlags[0]!.expected!), flag.from) : emptyToUndefined(env.REDIS_URL) === undefined ? undefined : validateRedisUrl(env.REDIS_URL!.trim(), 'REDIS_URL');
	const url = explicitUrl ?? validateRedisUrl(defaultRedisUrl, 'REDIS_URL');

	const text = (name: string, variable: string): {value: string; from: string} | undefined => {
		const value = given(name);
		if (value !== undefined) return {value: givenText(value, redisFlags.find(spec => spec.name === name)!.expected!), from: value.from};
		const fromEnv = emptyToUndefined(env[variable]);
		return fromEnv === undefined ? undefined : {value: fromEnv, from: variable};
	};

	const sentinel = text('redis-sentinel', 'REDIS_SENTINELS');
	const master = text('redis-master', 'REDIS_MASTER_NAME');
	const cluster = text('redis-cluster', 'REDIS_CLUSTER_NODES');
	if (sentinel !== undefined && cluster !== undefined) {
		throw new UsageError(`${sentinel.from} and ${cluster.from} both given, expected one: Redis is either Sentinel-managed or a Cluster`);
	}

	if (sentinel !== undefined && master === undefined) {
		throw new UsageError(`${sentinel.from} needs the master's name, expected --redis-master NAME (or REDIS_MASTER_NAME)`);
	}

	if (master !== undefined && sentinel === undefined && given('redis-master') !== undefined) {
		throw new UsageError(`${master.from} goes with --redis-sentinel, expected --redis-sentinel HOST:PORT,… too`);
	}

	if (master !== undefined && !/^[\w.-]{1,64}$/.test(master.value)) {
		throw new UsageError(`${master.from}: "${master.value}" is not a master name, expected ${redisFlags[2]!.expected}`);
	}

	const mode: RedisMode = sentinel !== undefined ? 'sentinel' : cluster !== undefined ? 'cluster' : 'standalone';
	const urlPassword = explicitUrl === undefined ? undefined : passwordOf(explicitUrl);
	const urlUser = explicitUrl === undefined ? undefined : decodeURIComponent(new URL(explicitUrl).username) || undefined;
	return {
		mode,
		url,
		sentinels: sentinel === undefined ? [] : parseEndpoints(sentinel.value, sentinel.from, endpointsExpected),
		masterName: mode === 'sentinel' ? master!.value : undefined,
		clusterNodes: cluster === undefined ? [] : parseEndpoints(cluster.value, cluster.from, redisFlags[3]!.expected!),
		password: emptyToUndefined(env.REDIS_PASSWORD) ?? urlPassword,
		username: emptyToUndefined(env.REDIS_USERNAME) ?? urlUser,
		sentinelPassword: emptyToUndefined(env.REDIS_SENTINEL_PASSWORD),
	};
}
