// The built va-top against the whole data tier, as a user runs it: a real primary with two real streaming replicas,
// three real sentinels over a master and a replica, a real six-node Redis Cluster (all the test's own, on its own
// ports) and the Qdrant STAND-IN (no Qdrant server can be installed here: test/support/qdrant-stand-in.ts). A lagging
// replica, a failover, one full cluster node and a red collection each give the right concern, naming the node, in
// --once --json and on the live screen.
import {execFile} from 'node:child_process';
import {promisify} from 'node:util';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {parseRedisInfo} from '../../source/sources/redis/parse.js';
import {launch, rows, sourcesLine, waitScreen, cli, type LiveRun} from '../faults/support/live.js';
import {requireTool} from '../faults/support/servers.js';
import {randomId} from '../support/docker-fixtures.js';
import {pgBinariesAvailable, pgReplicaSet, type PgReplicaSet} from '../support/pg-replication.js';
import {clusterTestPorts, pgTestPorts, sentinelTestPorts} from '../support/port-range.js';
import {startQdrantStandIn, type QdrantStandIn} from '../support/qdrant-stand-in.js';
import {redisBinariesAvailable, redisCluster, redisCommand, sentinelSet, type ClusterSet, type RedisProcess, type SentinelSet} from '../support/redis-topology.js';
import {DOCKER_SOCKET, requireDocker, waitFor} from '../support/services.js';
import {tmuxAvailable} from '../support/tmux.js';

const run = promisify(execFile);
const dockerUp = await requireDocker();
const tmux = requireTool('tmux', await tmuxAvailable(), 'scripts/setup.sh installs it');
const pgBinaries = requireTool('PostgreSQL 15 binaries (pg_basebackup, pg_ctl)', await pgBinariesAvailable(), 'scripts/setup.sh installs them');
const redisBinaries = requireTool('redis-server and redis-cli', await redisBinariesAvailable(), 'scripts/setup.sh installs them');
const ready = dockerUp && tmux && pgBinaries && redisBinaries;

const pgPassword = 'pg-Cli-Secret-5q';
const redisPassword = 'redis-Cli-Secret-2z';
const sentinelPassword = 'sentinel-Cli-Secret-9d';
const qdrantKey = 'qdrant-Cli-Key-4n';
const secrets = [pgPassword, redisPassword, sentinelPassword, qdrantKey];
const MiB = 1024 * 1024;

interface Recommendation {
	level: string;
	scope: string;
	subject: string;
	metric: string;
	message: string;
}

interface Report {
	level: string;
	exitCode: number;
	recommendations: Recommendation[];
	postgres: {endpoint: string; reachable: boolean; connections: number; tier: string; nodes: Array<Record<string, unknown>>};
	redis: {endpoint: string; mode: string; clusterState: string | null; nodes: Array<Record<string, unknown>>; sentinel?: {master: string; failovers: Array<{from: string; to: string}>}};
	qdrant: {reachable: boolean; peers: number; collections: Array<{name: string; status: string; points: number}>} | null;
}

/** Keys of one slot range on this master, filled until its memory passes 87 % of the maxmemory set here. */
async function fillPast87(node: RedisProcess, slots: string, maxmemory: string): Promise<void> {
	await redisCommand(node, 'CONFIG', 'SET', 'maxmemory', maxmemory);
	const [from, to] = slots.split('-').map(Number);
	let tag = '';
	for (let index = 0; tag === ''; index++) {
		const slot = Number(await redisCommand(node, 'CLUSTER', 'KEYSLOT', `{f${index}}`));
		if (slot >= from! && slot <= to!) tag = `{f${index}}`;
	}

	const value = 'x'.repeat(64 * 1024);
	for (let index = 0; ; index++) {
		const info = parseRedisInfo(String(await redisCommand(node, 'INFO', 'memory')));
		if (Number(info.used_memory) / Number(info.maxmemory) > 0.87) return;
		await redisCommand(node, 'SET', `${tag}:${index}`, value);
	}
}

describe.skipIf(!ready)('va-top against a primary with two replicas, a Sentinel set, a six-node cluster and the Qdrant stand-in', () => {
	const project = `tier-cli-${randomId()}`;
	let pg: PgReplicaSet;
	let sentinels: SentinelSet;
	let cluster: ClusterSet;
	let qdrant: QdrantStandIn;
	let live: LiveRun | undefined;

	beforeAll(async () => {
		[pg, sentinels, cluster, qdrant] = await Promise.all([
			pgReplicaSet({range: pgTestPorts.cli, replicas: 2, password: pgPassword}),
			sentinelSet({range: sentinelTestPorts.cli, password: redisPassword, sentinelPassword}),
			redisCluster({range: clusterTestPorts.cli, password: redisPassword}),
			startQdrantStandIn({state: {apiKey: qdrantKey}}),
		]);
	}, 180_000);

	afterEach(async () => {
		await live?.close();
		live = undefined;
	});

	afterAll(async () => {
		await Promise.allSettled([pg?.destroy(), sentinels?.destroy(), cluster?.destroy(), qdrant?.close()]);
	});

	/** Passwords and the key by environment, as documented; the nodes by flag. */
	const env = () => ({...process.env, DATABASE_URL: pg.primary.monitorUrl, REDIS_PASSWORD: redisPassword, REDIS_SENTINEL_PASSWORD: sentinelPassword, QDRANT_API_KEY: qdrantKey});
	const tierArgs = (redis: string[]) => ['--project', project, '--service', 'web', '--docker-host', `unix://${DOCKER_SOCKET}`, '--pg-replicas', pg.replicas.map(node => node.endpoint).join(','), ...redis, '--qdrant', qdrant.url];
	const sentinelArgs = () => ['--redis-sentinel', sentinels.sentinels.map(node => node.endpoint).join(','), '--redis-master', sentinels.name];
	const clusterArgs = () => ['--redis-cluster', cluster.nodes[0]!.endpoint];

	async function once(redis: string[]): Promise<{report: Report; stdout: string}> {
		const {stdout} = await run(process.execPath, [cli, '--once', '--json', ...tierArgs(redis)], {env: env(), timeout: 20_000}).catch((error: {stdout?: string}) => ({stdout: error.stdout ?? ''}));
		for (const secret of secrets) expect(stdout).not.toContain(secret);
		return {report: JSON.parse(stdout) as Report, stdout};
	}

	it('--once --json shows every node with its headroom: postgres.nodes[], redis.nodes[] and mode, qdrant peers and collections', async () => {
		const {report} = await once(sentinelArgs());
		expect(report.postgres.tier).toBe("1 primary + 2 replicas of the runbook's max 1 + 5");
		expect(report.postgres.endpoint).toBe(pg.primary.endpoint);
		expect(report.postgres.nodes.map(node => [node.endpoint, node.role, node.reachable, node.state])).toEqual([
			[pg.primary.endpoint, 'primary', true, null],
			[pg.replicas[0]!.endpoint, 'replica', true, 'streaming'],
			[pg.replicas[1]!.endpoint, 'replica', true, 'streaming'],
		]);
		for (const node of report.postgres.nodes) expect(Object.keys(node)).toEqual(expect.arrayContaining(['endpoint', 'role', 'reachable', 'error', 'connections', 'active', 'maxConnections', 'ratio', 'lagBytes', 'lagSeconds', 'state']));
		expect(report.redis.mode).toBe('sentinel');
		expect(report.redis.endpoint).toBe(await sentinels.currentMaster());
		expect(report.redis.nodes.map(node => node.role)).toEqual(['master', 'replica']);
		for (const node of report.redis.nodes) expect(Object.keys(node)).toEqual(expect.arrayContaining(['endpoint', 'role', 'reachable', 'usedMemoryBytes', 'maxMemoryBytes', 'ratio']));
		expect(report.qdrant).toMatchObject({reachable: true, peers: 3});
		expect(report.qdrant!.collections.map(collection => [collection.name, collection.status])).toEqual([['transcripts', 'green'], ['voice-embeddings', 'green']]);
	});

	it('names a lagging replica in --once --json and on the live screen (header and its node chart)', async () => {
		const replica = pg.replicas[0]!;
		await replica.query('SELECT pg_wal_replay_pause()');
		try {
			await pg.primary.query('INSERT INTO filler (body) SELECT repeat(md5(g::text), 60) FROM generate_series(1, 12000) AS g');
			await waitFor(async () => (await replica.query<{state: string}>('SELECT pg_get_wal_replay_pause_state() AS state'))[0]!.state === 'paused', {message: 'replay paused'});
			const {report} = await once(sentinelArgs());
			const lag = report.recommendations.find(item => item.subject === replica.endpoint && item.metric === 'replica-lag');
			expect(lag?.level).toBe('SOON');
			expect(lag?.message).toMatch(new RegExp(`^Replica ${replica.endpoint} is \\d+(\\.\\d)?M( \\(\\S+\\))? behind, replay paused: reads from it are stale`));
			// SOON overall; the exit code is 3 here only because the test's project has no app instances (not assessed).
			expect(report.level).toBe('SOON');
			expect(report.postgres.nodes[1]!.lagBytes as number).toBeGreaterThan(16 * MiB);

			live = await launch(tierArgs(sentinelArgs()), {width: 200, height: 50, env: {DATABASE_URL: pg.primary.monitorUrl, REDIS_PASSWORD: redisPassword, REDIS_SENTINEL_PASSWORD: sentinelPassword, QDRANT_API_KEY: qdrantKey}});
			const screen = await waitScreen(live, 'the lag named in the header', text => new RegExp(`lag ${replica.endpoint} \\d+(\\.\\d)?M ▲`).test(rows(text)[1] ?? ''), 20_000);
			expect(sourcesLine(screen)).toMatch(/postgres 1\+2 lag \d+(\.\d)?M/);
			// Page 2 is the access log's (read by default; this project has no nginx), page 3 the database nodes'.
			await live.pane.send(['c']);
			await waitScreen(live, 'chart page 2', text => text.includes('c charts 2/4'), 5_000);
			await live.pane.send(['c']);
			const nodes = await waitScreen(live, 'the database nodes page', text => text.includes(`DB ${replica.endpoint} replica`), 5_000);
			expect(nodes).toContain('c charts 3/4');
			expect(nodes).toMatch(new RegExp(`DB ${replica.endpoint} replica \\d+/20 \\S+ lag \\d+(\\.\\d)?M`));
			for (const secret of secrets) expect(nodes).not.toContain(secret);
		} finally {
			await replica.query('SELECT pg_wal_replay_resume()');
		}
	}, 90_000);

	it('names the one full cluster master IMMEDIATE in --once --json and on the live screen while the others are fine', async () => {
		const master = (await cluster.topology()).find(node => node.role === 'master')!;
		const node = cluster.nodes.find(candidate => candidate.endpoint === master.endpoint)!;
		await fillPast87(node, master.slots[0]!, '16mb');
		try {
			const {report} = await once(clusterArgs());
			expect(report.exitCode).toBe(2);
			expect(report.redis.mode).toBe('cluster');
			expect(report.redis.clusterState).toBe('ok');
			expect(report.redis.nodes).toHaveLength(6);
			const memory = report.recommendations.filter(item => item.metric === 'redis-memory');
			expect(memory.map(item => [item.level, item.subject])).toEqual([['IMMEDIATE', master.endpoint]]);
			expect(report.redis.endpoint).toBe(master.endpoint);
			for (const other of report.redis.nodes.filter(candidate => candidate.endpoint !== master.endpoint)) expect(other.ratio as number).toBeLessThan(0.7);

			live = await launch(tierArgs(clusterArgs()), {width: 200, height: 50, env: {DATABASE_URL: pg.primary.monitorUrl, REDIS_PASSWORD: redisPassword, QDRANT_API_KEY: qdrantKey}});
			await waitScreen(live, 'the full node named IMMEDIATE', text => new RegExp(`redis mem ${master.endpoint} \\d+% ▲▲`).test(rows(text)[1] ?? '') && /IMMEDIATE/.test(rows(text)[1] ?? ''), 20_000);
		} finally {
			await redisCommand(node, 'FLUSHALL');
			await redisCommand(node, 'CONFIG', 'SET', 'maxmemory', '64mb');
		}
	}, 90_000);

	it('reports the master the sentinels moved to after a failover: a fresh --once finds it through the sentinels', async () => {
		const before = await sentinels.currentMaster();
		await redisCommand(sentinels.sentinels[0]!, 'SENTINEL', 'FAILOVER', sentinels.name);
		const after = await waitFor(async () => {
			const now = await sentinels.currentMaster();
			return now === before ? undefined : now;
		}, {timeoutMs: 20_000, message: 'the sentinels moved the master'});
		// A fresh --once reads the new master through the sentinels.
		const {report} = await once(sentinelArgs());
		expect(report.redis.endpoint).toBe(after);
		expect(report.redis.sentinel!.master).toBe(after);
	}, 60_000);

	it('calls a red Qdrant collection IMMEDIATE, by name, in --once --json', async () => {
		qdrant.state.collections.get('voice-embeddings')!.status = 'red';
		try {
			const {report} = await once(sentinelArgs());
			expect(report.exitCode).toBe(2);
			expect(report.recommendations.filter(item => item.scope === 'qdrant').map(item => [item.level, item.subject])).toEqual([['IMMEDIATE', 'voice-embeddings']]);
			expect(report.qdrant!.collections.find(collection => collection.name === 'voice-embeddings')!.status).toBe('red');
		} finally {
			qdrant.state.collections.get('voice-embeddings')!.status = 'green';
		}
	});
});
