// PostgreSQL as several nodes, end to end below the screen: the nodes collector (one connection per node) and the
// tier's rules, against a real primary and two real streaming replicas made with pg_basebackup -R -X stream
// (test/support/pg-replication.ts), on the test's own ports. Lag is made real by pausing replay while writing.
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {Concern} from '../../source/core/assessment.js';
import type {SourceReading} from '../../source/core/source-model.js';
import {createJudge, emptyClock} from '../../source/core/threshold-judge.js';
import {defaultThresholds} from '../../source/core/thresholds.js';
import type {Collector} from '../../source/sources/collector.js';
import {createKit} from '../../source/sources/kit/index.js';
import {createPgNodesCollector, type PgNodesSample} from '../../source/sources/postgres/nodes-collector.js';
import {pgNodesConcerns} from '../../source/sources/postgres/nodes-rules.js';
import {tierText, topologyEvents} from '../../source/sources/postgres/topology.js';
import {requireTool} from '../faults/support/servers.js';
import {pgBinariesAvailable, pgReplicaSet, type PgReplicaSet} from '../support/pg-replication.js';
import {pgTestPorts} from '../support/port-range.js';
import {waitFor} from '../support/services.js';

const binaries = requireTool('PostgreSQL 15 binaries (pg_basebackup, pg_ctl)', await pgBinariesAvailable(), 'scripts/setup.sh installs them');
const password = 'pg-Nodes-Secret-6h';
const MiB = 1024 * 1024;

function concernsOf(sample: PgNodesSample): Concern[] {
	const judge = createJudge(emptyClock, sample.at, {hysteresis: 5, oneShot: true});
	const rungs = {immediate: 80, soon: 70, immediateAction: 'Scale database connections or add read replica', soonAction: 'Plan database capacity'};
	return pgNodesConcerns(sample.topology, rungs, {judge, thresholds: defaultThresholds, oneShot: true, project: 'p', service: 's', now: sample.at});
}

describe.skipIf(!binaries)('PostgreSQL nodes collector against a real primary and two real streaming replicas', () => {
	let set: PgReplicaSet;
	let source: Collector<SourceReading<PgNodesSample>> | undefined;

	/** The collector over the three nodes, given replica first: roles must not come from the order. */
	function open(): Collector<SourceReading<PgNodesSample>> {
		const nodes = [set.replicas[0]!, set.primary, set.replicas[1]!].map(server => ({url: server.monitorUrl, endpoint: server.endpoint}));
		source = createPgNodesCollector({nodes, endpoint: nodes[0]!.endpoint, secrets: [password]}, createKit({intervalMs: 250, timeoutMs: 2000}));
		source.start();
		return source;
	}

	async function sampleAfter(after: number, check: (sample: PgNodesSample) => boolean = () => true, timeoutMs = 10_000): Promise<PgNodesSample> {
		return waitFor(() => {
			const view = source!.view();
			return view.status.kind === 'ok' && view.sample !== null && view.sample.at > after && check(view.sample) ? view.sample : undefined;
		}, {timeoutMs, intervalMs: 50, message: 'a reading after the set-up'});
	}

	beforeAll(async () => {
		set = await pgReplicaSet({range: pgTestPorts.replication, replicas: 2, password});
	}, 120_000);

	afterEach(async () => {
		await source?.stop();
		source = undefined;
	});

	afterAll(async () => {
		await set?.destroy();
	});

	it("shows every node with its role from pg_is_in_recovery(), its headroom, and the primary's figures in the single-node fields", async () => {
		open();
		const sample = await sampleAfter(0);
		const {topology} = sample;
		expect(topology.nodes.map(node => [node.endpoint, node.role, node.reachable, node.state])).toEqual([
			[set.replicas[0]!.endpoint, 'replica', true, 'streaming'],
			[set.primary.endpoint, 'primary', true, null],
			[set.replicas[1]!.endpoint, 'replica', true, 'streaming'],
		]);
		for (const node of topology.nodes) {
			expect(node.maxConnections).toBe(20);
			expect(node.ratio).toBeCloseTo(node.connections! / 20, 10);
		}

		expect(sample.connections).toBe(topology.nodes[1]!.connections);
		expect(tierText(topology)).toBe("1 primary + 2 replicas of the runbook's max 1 + 5");
		expect(concernsOf(sample)).toEqual([]);
		expect(JSON.stringify(source!.view())).not.toContain(password);
	});

	it('names a replica LAG behind once its replay is paused while the primary writes, with the lag pg_wal_lsn_diff gives', async () => {
		open();
		await sampleAfter(0);
		const replica = set.replicas[0]!;
		await replica.query('SELECT pg_wal_replay_pause()');
		try {
			// About 24 MB of WAL: over the 16 MB SOON default, under the 256 MB IMMEDIATE one.
			await set.primary.query('INSERT INTO filler (body) SELECT repeat(md5(g::text), 60) FROM generate_series(1, 12000) AS g');
			// synchronous_commit is off here: the tail of that WAL reaches pg_current_wal_lsn() (the write position, which
			// both va-top and the check below read) only when the WAL writer gets to it. Wait for it, or the two differ by it.
			const [{inserted}] = await set.primary.query<{inserted: string}>('SELECT pg_current_wal_insert_lsn()::text AS inserted');
			await waitFor(async () => (await set.primary.query<{written: boolean}>('SELECT pg_current_wal_lsn() >= $1::pg_lsn AS written', [inserted]))[0]!.written, {message: 'WAL written'});
			// A pause takes effect at the next record replayed: wait until replay has really stopped.
			await waitFor(async () => (await replica.query<{state: string}>('SELECT pg_get_wal_replay_pause_state() AS state'))[0]!.state === 'paused', {message: 'replay paused'});
			const sample = await sampleAfter(Date.now(), next => (next.topology.nodes[0]!.lagBytes ?? 0) > 16 * MiB);
			const node = sample.topology.nodes[0]!;
			const [{lsn}] = await replica.query<{lsn: string}>('SELECT pg_last_wal_replay_lsn()::text AS lsn');
			const [{diff}] = await set.primary.query<{diff: string}>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::text AS diff', [lsn]);
			console.log(`replica lag: va-top ${node.lagBytes} bytes, pg_wal_lsn_diff ${diff} bytes`);
			// Only the server's own small records (a running-xacts record every 15 s) can come between the two readings.
			expect(Math.abs(node.lagBytes! - Number(diff))).toBeLessThan(4096);
			expect(node.replayPaused).toBe(true);
			const lag = concernsOf(sample).find(concern => concern.key === `database.replica-lag:${replica.endpoint}`);
			expect(lag?.level).toBe('SOON');
			expect(lag?.message).toMatch(new RegExp(`^Replica ${replica.endpoint} is \\d+(\\.\\d)?M( \\(\\S+\\))? behind, replay paused: reads from it are stale \\(\\S+ > 16M\\)`));
		} finally {
			await replica.query('SELECT pg_wal_replay_resume()');
		}

		await sampleAfter(Date.now(), next => (next.topology.nodes[0]!.lagBytes ?? Infinity) < MiB, 20_000);
	});

	it('says a stopped replica is not streaming (IMMEDIATE) and the primary short of a replica (SOON)', async () => {
		open();
		await sampleAfter(0);
		const replica = set.replicas[1]!;
		await replica.stop('fast');
		try {
			// The first failure may still be the shutdown itself ("shutting down"); the next attempt finds it gone.
			const sample = await sampleAfter(Date.now(), next => next.topology.replicasStreaming === 1 && (next.topology.nodes[2]!.error ?? '').startsWith('connection refused'));
			const found = concernsOf(sample);
			expect(found.map(concern => [concern.level, concern.key])).toEqual([
				['IMMEDIATE', `database.streaming:${replica.endpoint}`],
				['SOON', 'database.replicas'],
			]);
			expect(found[0]!.message).toContain(`Replica ${replica.endpoint} is not streaming (unreachable: connection refused at ${replica.endpoint}; the primary has no stream to it)`);
			expect(sample.topology.nodes[2]).toMatchObject({reachable: false, role: 'replica', state: 'not streaming'});
		} finally {
			await replica.start();
		}

		await set.waitStreaming();
		await sampleAfter(Date.now(), next => next.topology.replicasStreaming === 2 && next.topology.nodes[2]!.reachable);
	});

	it('follows a promotion without a restart: the promoted replica is the primary, and the change is an event', async () => {
		open();
		const before = await sampleAfter(0);
		await set.primary.stop('fast');
		await set.replicas[0]!.query('SELECT pg_promote(true, 30)');
		const after = await sampleAfter(Date.now(), next => next.topology.primary === set.replicas[0]!.endpoint);
		expect(topologyEvents(before.topology, after.topology).map(event => event.text)).toEqual([
			`postgres: replica ${set.replicas[0]!.endpoint} was promoted to primary (the old primary ${set.primary.endpoint} is unreachable)`,
		]);
		// The single-node fields now describe the new primary; the old one is not assessed, not zero.
		expect(after.connections).toBe(after.topology.nodes[0]!.connections);
		expect(concernsOf(after).find(concern => concern.key === `database.node:${set.primary.endpoint}`)?.level).toBe('UNKNOWN');
	});
});
