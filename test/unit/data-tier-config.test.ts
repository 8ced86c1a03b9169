// The data tier's flags: several PostgreSQL nodes, Redis Sentinel or Cluster, Qdrant. Bad input is one line naming
// the flag and what was expected (exit 64 through UsageError), and no password ever appears in it.
import {describe, expect, it} from 'vitest';
import {UsageError} from '../../source/config/usage-error.js';
import type {ConfigureInput, GivenValue} from '../../source/sources/source-kind.js';
import {configurePostgres} from '../../source/sources/postgres/config.js';
import {configureQdrant} from '../../source/sources/qdrant/config.js';
import {configureRedis} from '../../source/sources/redis/config.js';

function input(flags: Record<string, string | string[]>, env: NodeJS.ProcessEnv = {}): ConfigureInput {
	return {
		given: (flag: string): GivenValue | undefined => (flags[flag] === undefined ? undefined : {value: flags[flag]!, from: `--${flag}`}),
		env,
		project: 'voiceassist',
		service: 'voiceassist-server',
		intervalMs: 1000,
		demo: false,
		once: false,
	};
}

function usageError(run: () => unknown): string {
	try {
		run();
	} catch (error) {
		expect(error).toBeInstanceOf(UsageError);
		return (error as Error).message;
	}

	throw new Error('no UsageError');
}

describe('PostgreSQL nodes from --pg and --pg-replicas', () => {
	it('keeps one node as before', () => {
		expect(configurePostgres(input({pg: ['postgres://u:pw@db:5432/app']}))).toEqual({url: 'postgres://u:pw@db:5432/app', nodes: ['postgres://u:pw@db:5432/app']});
	});

	it('takes --pg again for each node, and HOST:PORT replicas with the first URL\'s user, password and database', () => {
		const config = configurePostgres(input({pg: ['postgres://mon:s3cret@db-a:5432/app', 'postgres://mon:s3cret@db-b:5433/app'], 'pg-replicas': 'db-c:5434, db-d'}));
		expect(config.nodes).toEqual([
			'postgres://mon:s3cret@db-a:5432/app',
			'postgres://mon:s3cret@db-b:5433/app',
			'postgres://mon:s3cret@db-c:5434/app',
			'postgres://mon:s3cret@db-d:5432/app',
		]);
	});

	it('gives a replica URL without credentials those of the first node, and keeps its own when it has them', () => {
		const config = configurePostgres(input({'pg-replicas': 'postgres://db-r1:5432,postgres://other:pw2@db-r2:5432/x'}, {DATABASE_URL: 'postgres://mon:s3cret@db-a:5432/app'}));
		expect(config.nodes.slice(1)).toEqual(['postgres://mon:s3cret@db-r1:5432/app', 'postgres://other:pw2@db-r2:5432/x']);
	});

	it('reads DATABASE_REPLICA_URLS when --pg-replicas is not given', () => {
		expect(configurePostgres(input({}, {DATABASE_URL: 'postgres://m@db:5432/a', DATABASE_REPLICA_URLS: 'r1:5432'})).nodes).toHaveLength(2);
	});

	it('refuses a node given twice, a bad entry and too many nodes, naming them and never the password', () => {
		expect(usageError(() => configurePostgres(input({pg: ['postgres://m:s3cret@db:5432/a'], 'pg-replicas': 'db:5432'})))).toBe('PostgreSQL node db:5432 is given twice (--pg, --pg-replicas), expected each node once');
		const bad = usageError(() => configurePostgres(input({pg: ['postgres://m:s3cret@db:5432/a'], 'pg-replicas': 'r1:5432,,r2'})));
		expect(bad).toMatch(/^--pg-replicas: an empty entry in "r1:5432,,r2", expected URLs or HOST:PORT entries/);
		expect(usageError(() => configurePostgres(input({pg: ['postgres://m:s3cret@db:5432/a'], 'pg-replicas': 'r1:99999'})))).toContain('--pg-replicas: expected a port from 1 to 65535, got "99999"');
		expect(usageError(() => configurePostgres(input({pg: ['postgres://m:s3cret@db:5432/a'], 'pg-replicas': 'mysql://r1'})))).toContain('unknown scheme "mysql"');
		const many = Array.from({length: 12}, (_, index) => `r${index}:5432`).join(',');
		expect(usageError(() => configurePostgres(input({pg: ['postgres://m:s3cret@db:5432/a'], 'pg-replicas': many})))).toBe("13 PostgreSQL nodes given, expected at most 12 (the runbook's largest tier is 1 + 5)");
	});
});

describe('Redis Sentinel and Cluster flags', () => {
	it('keeps one server as before', () => {
		expect(configureRedis(input({redis: 'redis://:pw@cache:6379'}))).toMatchObject({mode: 'standalone', url: 'redis://:pw@cache:6379'});
	});

	it('reads the sentinels, the master name and the two passwords from the environment', () => {
		const config = configureRedis(input({}, {REDIS_SENTINELS: '10.0.0.5:26379,10.0.0.6:26379,[::1]:26379', REDIS_MASTER_NAME: 'mymaster', REDIS_PASSWORD: 'node-pw', REDIS_SENTINEL_PASSWORD: 'sentinel-pw'}));
		expect(config).toMatchObject({mode: 'sentinel', sentinels: ['10.0.0.5:26379', '10.0.0.6:26379', '[::1]:26379'], masterName: 'mymaster', password: 'node-pw', sentinelPassword: 'sentinel-pw'});
	});

	it('takes the nodes\' password from a --redis URL given with the cluster', () => {
		const config = configureRedis(input({'redis-cluster': '10.0.0.5:7000', redis: 'redis://:from-url@10.0.0.5:7000'}));
		expect(config).toMatchObject({mode: 'cluster', clusterNodes: ['10.0.0.5:7000'], password: 'from-url'});
	});

	it('refuses a sentinel without a master name, both modes at once, a master name alone and bad endpoints', () => {
		expect(usageError(() => configureRedis(input({'redis-sentinel': 'a:26379'})))).toBe('--redis-sentinel needs the master\'s name, expected --redis-master NAME (or REDIS_MASTER_NAME)');
		expect(usageError(() => configureRedis(input({'redis-sentinel': 'a:26379', 'redis-master': 'm', 'redis-cluster': 'b:7000'})))).toBe('--redis-sentinel and --redis-cluster both given, expected one: Redis is either Sentinel-managed or a Cluster');
		expect(usageError(() => configureRedis(input({'redis-master': 'm'})))).toBe('--redis-master goes with --redis-sentinel, expected --redis-sentinel HOST:PORT,… too');
		expect(usageError(() => configureRedis(input({'redis-cluster': 'b'})))).toBe('--redis-cluster: "b" is not HOST:PORT, expected HOST:PORT entries separated by commas, such as 10.0.0.5:7000,10.0.0.6:7000');
		expect(usageError(() => configureRedis(input({'redis-cluster': 'b:7000,b:7000'})))).toBe('--redis-cluster: b:7000 is given twice, expected each node once');
		expect(usageError(() => configureRedis(input({'redis-sentinel': 'a:26379', 'redis-master': 'my master'})))).toContain('"my master" is not a master name');
	});
});

describe('Qdrant flags', () => {
	it('is absent unless --qdrant or QDRANT_URL is given, and takes the key from QDRANT_API_KEY', () => {
		expect(configureQdrant(input({}))).toBeNull();
		expect(configureQdrant(input({qdrant: 'http://qdrant'}, {QDRANT_API_KEY: 'k-123'}))).toEqual({url: 'http://qdrant:6333', apiKey: 'k-123'});
		expect(configureQdrant(input({}, {QDRANT_URL: 'https://q.example:443/'}))).toEqual({url: 'https://q.example:443', apiKey: undefined});
	});

	it('refuses another scheme, credentials in the URL, and an empty value', () => {
		expect(usageError(() => configureQdrant(input({qdrant: 'grpc://q:6334'})))).toBe('--qdrant: unknown scheme "grpc" in "grpc://q:6334", expected http://HOST:6333');
		const withKey = usageError(() => configureQdrant(input({qdrant: 'http://u:s3cret-key@q:6333'})));
		expect(withKey).toBe('--qdrant: credentials in "http://u:***@q:6333/" are not used by Qdrant, expected http://HOST:6333 and the key in QDRANT_API_KEY');
		expect(usageError(() => configureQdrant(input({qdrant: '  '})))).toBe('--qdrant: empty value, expected http://HOST:6333');
	});
});
