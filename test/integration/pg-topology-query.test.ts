// The node reading (node-query.ts) and the tier built from it (topology.ts), against a real primary and two real
// streaming replicas made with pg_basebackup -R (test/support/pg-replication.ts), on the test's own ports.
import pg from 'pg';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {queryNode} from '../../source/sources/postgres/node-query.js';
import {buildTopology, lsnDiff, topologyEvents, type PgNodeReading, type PgTopology} from '../../source/sources/postgres/topology.js';
import {pgBinariesAvailable, pgReplicaSet, type PgReplicaSet, type PgServer} from '../support/pg-replication.js';
import {pgTestPorts} from '../support/port-range.js';
import {requireTool} from '../faults/support/servers.js';
import {waitFor} from '../support/services.js';

const binaries = requireTool('PostgreSQL 15 binaries (pg_basebackup, pg_ctl)', await pgBinariesAvailable(), 'scripts/setup.sh installs them');

async function read(server: PgServer): Promise<PgNodeReading> {
	const client = new pg.Client({connectionString: server.monitorUrl, connectionTimeoutMillis: 2000});
	client.on('error', () => undefined);
	try {
		await client.connect();
		return {endpoint: server.endpoint, raw: await queryNode(client), error: null, at: Date.now()};
	} catch (error) {
		return {endpoint: server.endpoint, raw: null, error: error instanceof Error ? error.message : String(error), at: null};
	} finally {
		await client.end().catch(() => undefined);
	}
}

describe.skipIf(!binaries)('PostgreSQL node readings against a real primary and two streaming replicas', () => {
	let set: PgReplicaSet;
	let topology: PgTopology | undefined;
	const nodes = () => [set.replicas[0]!, set.primary, set.replicas[1]!];
	const readAll = async () => {
		topology = buildTopology(await Promise.all(nodes().map(read)), Date.now(), topology);
		return topology;
	};

	beforeAll(async () => {
		set = await pgReplicaSet({range: pgTestPorts.replication, replicas: 2, password: 'pg-Topology-Secret-3k'});
	}, 120_000);

	afterAll(async () => {
		await set?.destroy();
	});

	it('takes each role from pg_is_in_recovery(), not from the order the nodes are given in', async () => {
		const tier = await readAll();
		expect(tier.nodes.map(node => node.role)).toEqual(['replica', 'primary', 'replica']);
		expect(tier.primary).toBe(set.primary.endpoint);
		expect(tier.replicasConfigured).toBe(2);
		expect(tier.replicasStreaming).toBe(2);
		for (const replica of tier.nodes.filter(node => node.role === 'replica')) {
			expect(replica.state).toBe('streaming');
			expect(replica.streaming).toBe(true);
			expect(replica.upstream).toBe(set.primary.endpoint);
		}

		// The primary's pg_stat_replication rows are the replicas', by the names they stream under.
		const primary = tier.nodes[1]!;
		expect(primary.replication.map(row => row.applicationName)).toEqual(set.replicas.map(replica => replica.name).sort());
		expect(primary.maxConnections).toBe(20);
		expect(primary.connections).toBeGreaterThanOrEqual(1);
	});

	it("measures a replica's byte lag as pg_wal_lsn_diff does, while its replay is paused and the primary writes", async () => {
		const replica = set.replicas[0]!;
		await replica.query('SELECT pg_wal_replay_pause()');
		try {
			await waitFor(async () => (await replica.query<{paused: boolean}>('SELECT pg_is_wal_replay_paused() AS paused'))[0]!.paused, {message: 'replay paused'});
			// About 24 MB of WAL: past the 16 MB SOON default.
			await set.primary.query("INSERT INTO filler (body) SELECT repeat(md5(g::text), 60) FROM generate_series(1, 12000) AS g");
			const tier = await readAll();
			const node = tier.nodes[0]!;
			const [{lsn}] = await replica.query<{lsn: string}>('SELECT pg_last_wal_replay_lsn()::text AS lsn');
			const [{diff}] = await set.primary.query<{diff: string}>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::text AS diff', [lsn]);
			console.log(`replica lag: va-top ${node.lagBytes} bytes, pg_wal_lsn_diff ${diff} bytes, ${node.lagSeconds} s`);
			expect(node.replayPaused).toBe(true);
			expect(node.lagBytes).toBeGreaterThan(16 * 1024 * 1024);
			// Nothing writes between the two readings but the server's own small records (a running-xacts record every 15 s).
			expect(Math.abs(node.lagBytes! - Number(diff))).toBeLessThan(4096);
			// The exact arithmetic, on the same two positions.
			const [{exact}] = await set.primary.query<{exact: string}>('SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::text AS exact', ['16/B374D848', lsn]);
			expect(lsnDiff('16/B374D848', lsn)).toBe(Number(exact));
			// The other replica replays as it goes, while the paused one stays behind.
			const other = await waitFor(async () => {
				const next = await readAll();
				return (next.nodes[2]!.lagBytes ?? Infinity) < 1024 * 1024 ? next : undefined;
			}, {timeoutMs: 20_000, message: 'the other replica caught up'});
			expect(other.nodes[0]!.lagBytes).toBeGreaterThan(16 * 1024 * 1024);
		} finally {
			await replica.query('SELECT pg_wal_replay_resume()');
		}

		await waitFor(async () => ((await readAll()).nodes[0]!.lagBytes ?? Infinity) < 1024 * 1024, {timeoutMs: 20_000, message: 'replica caught up'});
	});

	it('says a stopped replica is not streaming, as the primary confirms, and counts one streaming replica of two', async () => {
		const replica = set.replicas[1]!;
		await replica.stop('fast');
		try {
			await waitFor(async () => (await readAll()).replicasStreaming === 1, {timeoutMs: 20_000, message: 'primary sees one streaming replica'});
			const node = topology!.nodes[2]!;
			expect(node.reachable).toBe(false);
			expect(node.role).toBe('replica');
			expect(node.streaming).toBe(false);
			expect(node.state).toBe('not streaming');
			expect(node.error).toMatch(/ECONNREFUSED|connect/);
		} finally {
			await replica.start();
		}

		await set.waitStreaming();
	});

	it('notices a promotion between two readings and says what became of the old primary', async () => {
		const before = await readAll();
		await set.primary.stop('fast');
		await set.replicas[0]!.query('SELECT pg_promote(true, 30)');
		const after = await readAll();
		const events = topologyEvents(before, after);
		expect(after.primary).toBe(set.replicas[0]!.endpoint);
		expect(after.nodes[0]!.role).toBe('primary');
		expect(events.map(event => event.text)).toEqual([`postgres: replica ${set.replicas[0]!.endpoint} was promoted to primary (the old primary ${set.primary.endpoint} is unreachable)`]);
		// Nothing new happened since: no second event.
		expect(topologyEvents(after, await readAll())).toEqual([]);
	});
});
