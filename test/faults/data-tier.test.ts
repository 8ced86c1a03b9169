// The data tier failing under va-top in a real pane: a streaming replica stopped, a Sentinel failover, a Redis Cluster
// master killed, and Qdrant gone or slow. The PostgreSQL primary and replicas, the sentinels and the cluster are real
// and the suite's own, on its own ports (test/support/pg-replication.ts, redis-topology.ts); Qdrant is the project's
// STAND-IN (test/support/qdrant-stand-in.ts), because no Qdrant server can be installed on these machines.
import {afterAll, afterEach, beforeAll, describe, expect} from 'vitest';
import {randomId} from '../support/docker-fixtures.js';
import {pgBinariesAvailable, pgReplicaSet, type PgReplicaSet} from '../support/pg-replication.js';
import {clusterTestPorts, pgTestPorts, sentinelTestPorts} from '../support/port-range.js';
import {startQdrantStandIn, type QdrantStandIn} from '../support/qdrant-stand-in.js';
import {redisBinariesAvailable, redisCluster, redisCommand, sentinelSet, type ClusterSet, type SentinelSet} from '../support/redis-topology.js';
import {DOCKER_SOCKET, requireDocker} from '../support/services.js';
import {tmuxAvailable} from '../support/tmux.js';
import {launch, rows, sourcesLine, waitScreen, type LiveRun} from './support/live.js';
import {faultTest, seconds} from './support/results.js';
import {requireTool} from './support/servers.js';

const dockerUp = await requireDocker();
const tmux = requireTool('tmux', await tmuxAvailable(), 'scripts/setup.sh installs it');
const pgBinaries = requireTool('PostgreSQL 15 binaries (pg_basebackup, pg_ctl)', await pgBinariesAvailable(), 'scripts/setup.sh installs them');
const redisBinaries = requireTool('redis-server and redis-cli', await redisBinariesAvailable(), 'scripts/setup.sh installs them');
const ready = dockerUp && tmux && pgBinaries && redisBinaries;

const pgPassword = 'pg-Tier-Fault-Secret-2v';
const redisPassword = 'redis-Tier-Fault-Secret-7c';
const sentinelPassword = 'sentinel-Fault-Secret-3x';
const qdrantKey = 'qdrant-Fault-Key-8p';

function expectNoSecrets(screen: string): void {
	for (const secret of [pgPassword, redisPassword, sentinelPassword, qdrantKey]) expect(screen).not.toContain(secret);
}

/** The event log's lines (below the EVENTS heading). */
function eventLines(screen: string): string[] {
	const all = rows(screen);
	const start = all.findIndex(line => line.startsWith('EVENTS'));
	return start === -1 ? [] : all.slice(start + 1);
}

describe.skipIf(!ready)('faults: the data tier (replicas, sentinels, cluster, Qdrant stand-in)', () => {
	const project = `fault-tier-${randomId()}`;
	let pg: PgReplicaSet;
	let sentinels: SentinelSet;
	let cluster: ClusterSet;
	let qdrant: QdrantStandIn;
	let live: LiveRun | undefined;

	beforeAll(async () => {
		[pg, sentinels, cluster, qdrant] = await Promise.all([
			pgReplicaSet({range: pgTestPorts.faults, replicas: 2, password: pgPassword}),
			sentinelSet({range: sentinelTestPorts.faults, password: redisPassword, sentinelPassword}),
			redisCluster({range: clusterTestPorts.faults, password: redisPassword}),
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

	/** va-top on this suite's tier; URLs with passwords and the keys go by environment, never on the command line. */
	async function start(args: string[], env: Record<string, string> = {}): Promise<LiveRun> {
		return launch(['--project', project, '--service', 'web', '--docker-host', `unix://${DOCKER_SOCKET}`, ...args], {
			width: 230,
			height: 50,
			env: {DATABASE_URL: pg.primary.monitorUrl, REDIS_PASSWORD: redisPassword, REDIS_SENTINEL_PASSWORD: sentinelPassword, QDRANT_API_KEY: qdrantKey, ...env},
		});
	}

	faultTest(
		{id: 'replica-down', group: 'fault', order: 62, title: 'A PostgreSQL streaming replica stopped', checked: 'named "not streaming" IMMEDIATE, the primary one replica short; back to 1+2 by itself'},
		async record => {
			const replica = pg.replicas[1]!;
			live = await start(['--pg-replicas', pg.replicas.map(node => node.endpoint).join(',')]);
			await waitScreen(live, 'the tier read', screen => /postgres 1\+2 ok/.test(sourcesLine(screen)), 20_000);

			const down = Date.now();
			await replica.stop('fast');
			const trouble = await waitScreen(live, 'the replica not streaming', screen => screen.includes(`replica ${replica.endpoint} not streaming ▲▲`) && /postgres 1\+1 1 not streaming/.test(sourcesLine(screen)), 20_000);
			record.figure(`"replica ${replica.endpoint.replace(/^127\.0\.0\.1/, 'HOST')} not streaming ▲▲" after ${seconds(Date.now() - down)}`);
			expect(rows(trouble)[1]).toMatch(/IMMEDIATE/);
			expect(rows(trouble)[1]).toContain('pg replicas 1/2 ▲');
			expectNoSecrets(trouble);

			const up = Date.now();
			await replica.start();
			await waitScreen(live, 'the tier whole again', screen => /postgres 1\+2 ok/.test(sourcesLine(screen)), 30_000);
			record.figure(`1+2 ok again ${seconds(Date.now() - up)} after the replica was started`);
			expect(live.alive()).toBe(true);
		},
		120_000,
	);

	faultTest(
		{id: 'sentinel-failover', group: 'fault', order: 64, title: 'Redis Sentinel failover (SENTINEL FAILOVER)', checked: 'the new master followed without a restart; "redis master moved A → B" in the event log'},
		async record => {
			const before = await sentinels.currentMaster();
			live = await start(['--redis-sentinel', sentinels.sentinels.map(node => node.endpoint).join(','), '--redis-master', sentinels.name]);
			await waitScreen(live, 'the master read', screen => sourcesLine(screen).includes(`redis sentinel 3/3 master ${before}`), 20_000);

			const asked = Date.now();
			await redisCommand(sentinels.sentinels[0]!, 'SENTINEL', 'FAILOVER', sentinels.name);
			const after = await waitScreen(live, 'the new master followed', screen => /redis sentinel 3\/3 master (\S+)/.exec(sourcesLine(screen))?.[1] !== before && eventLines(screen).some(line => line.includes('redis master moved')), 30_000);
			const now = /redis sentinel 3\/3 master (\S+)/.exec(sourcesLine(after))![1]!;
			record.figure(`followed ${seconds(Date.now() - asked)} after SENTINEL FAILOVER`);
			expect(eventLines(after).some(line => line.includes(`redis master moved ${before} → ${now}`))).toBe(true);
			expect(now).toBe(await sentinels.currentMaster());
			expectNoSecrets(after);
			expect(live.alive()).toBe(true);
		},
		90_000,
	);

	faultTest(
		{id: 'sentinels-below-quorum', group: 'fault', order: 65, title: 'Two of three sentinels stopped (below the quorum of 2)', checked: 'IMMEDIATE: no failover could be authorised; recovers when they are back'},
		async record => {
			live = await start(['--redis-sentinel', sentinels.sentinels.map(node => node.endpoint).join(','), '--redis-master', sentinels.name]);
			await waitScreen(live, 'the sentinels read', screen => /redis sentinel 3\/3/.test(sourcesLine(screen)), 20_000);
			const down = Date.now();
			await Promise.all([sentinels.sentinels[1]!.stop(), sentinels.sentinels[2]!.stop()]);
			try {
				const trouble = await waitScreen(live, 'below quorum', screen => rows(screen)[1]!.includes('sentinels 1/3 < quorum 2 ▲▲'), 20_000);
				record.figure(`"sentinels 1/3 < quorum 2 ▲▲" after ${seconds(Date.now() - down)}`);
				expect(rows(trouble)[1]).toMatch(/IMMEDIATE/);
			} finally {
				await Promise.all([sentinels.sentinels[1]!.start(), sentinels.sentinels[2]!.start()]);
			}

			await waitScreen(live, 'the sentinels back', screen => /redis sentinel 3\/3/.test(sourcesLine(screen)), 30_000);
		},
		90_000,
	);

	faultTest(
		{id: 'cluster-node-down', group: 'fault', order: 66, title: 'A Redis Cluster master killed (SIGKILL)', checked: 'its replica taking over is an event; the dead node and the orphaned master named; no restart'},
		async record => {
			live = await start(['--redis-cluster', cluster.nodes[0]!.endpoint]);
			await waitScreen(live, 'the cluster read', screen => /redis cluster ok 3\+3/.test(sourcesLine(screen)), 20_000);
			const topology = await cluster.topology();
			const master = topology.find(node => node.role === 'master')!;
			const replica = topology.find(node => node.masterId === master.id)!;
			const killed = Date.now();
			await cluster.nodes.find(node => node.endpoint === master.endpoint)!.kill();
			const after = await waitScreen(
				live,
				'the failover',
				screen => eventLines(screen).some(line => line.includes(`redis cluster failover: ${replica.endpoint} took over from ${master.endpoint}`)) && /redis cluster ok 3\+2, 1 failed/.test(sourcesLine(screen)),
				40_000,
			);
			record.figure(`failover on screen ${seconds(Date.now() - killed)} after the kill (cluster-node-timeout 2 s)`);
			expect(rows(after)[1]).toContain(`redis ${master.endpoint} fail ▲`);
			expect(rows(after)[1]).toContain(`redis ${replica.endpoint} no replica ▲`);
			expectNoSecrets(after);
			expect(live.alive()).toBe(true);
		},
		90_000,
	);

	faultTest(
		{id: 'qdrant-gone-or-slow', group: 'fault', order: 68, title: 'Qdrant (the stand-in) gone, then answering after 3 s', checked: 'reconnecting with the reason (refused, then timed out at 2 s); keys still answered; recovers'},
		async record => {
			live = await start(['--qdrant', qdrant.url]);
			await waitScreen(live, 'qdrant read', screen => /qdrant 3 peers green/.test(sourcesLine(screen)), 20_000);

			const gone = Date.now();
			await qdrant.close();
			try {
				await waitScreen(live, 'qdrant refused', screen => /qdrant: reconnecting/.test(sourcesLine(screen)) && rows(screen)[1]!.includes('connection refused'), 15_000);
				record.figure(`refused shown after ${seconds(Date.now() - gone)}`);
			} finally {
				await qdrant.reopen();
			}

			await waitScreen(live, 'qdrant back', screen => /qdrant 3 peers green/.test(sourcesLine(screen)), 15_000);
			qdrant.state.delayMs = 3000;
			try {
				const slow = Date.now();
				await waitScreen(live, 'qdrant timed out', screen => /qdrant: reconnecting/.test(sourcesLine(screen)) && rows(screen)[1]!.includes('timed out after 2s'), 20_000);
				record.figure(`"timed out after 2s" shown after ${seconds(Date.now() - slow)}`);
				// The screen is not held up by a slow source: help opens at once.
				const key = Date.now();
				await live.pane.send(['?']);
				await waitScreen(live, 'help open', screen => screen.includes('show or close this help'), 5_000);
				record.figure(`a key answered in ${Date.now() - key} ms meanwhile`);
				await live.pane.send(['Escape']);
			} finally {
				qdrant.state.delayMs = 0;
			}

			await waitScreen(live, 'qdrant back again', screen => /qdrant 3 peers green/.test(sourcesLine(screen)), 20_000);
			expectNoSecrets(await live.pane.capture());
			expect(live.alive()).toBe(true);
		},
		120_000,
	);
});
