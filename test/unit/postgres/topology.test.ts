// The PostgreSQL tier from its nodes' answers: roles, lag, streaming, promotion, the tier line. Pure.
import {describe, expect, it} from 'vitest';
import {streamingName} from '../../../source/sources/postgres/node-query.js';
import {buildTopology, lsnDiff, lsnToBigInt, tierText, topologyEvents, type PgNodeRaw, type PgNodeReading} from '../../../source/sources/postgres/topology.js';

const primaryRaw = (over: Partial<PgNodeRaw> = {}): PgNodeRaw => ({
	inRecovery: false,
	connections: 12,
	active: 3,
	hiddenSessions: 0,
	maxConnections: 100,
	systemId: '7300000000000000001',
	currentLsn: '0/5000000',
	receiveLsn: null,
	replayLsn: null,
	replayPaused: null,
	replayAgeSeconds: null,
	receiverStatus: null,
	upstream: null,
	streamingName: null,
	replication: [
		{applicationName: 'replica-a', clientAddr: '10.0.0.2', state: 'streaming', syncState: 'async', replayLsn: '0/4000000', lagBytes: 16777216, writeLagSeconds: null, flushLagSeconds: null, replayLagSeconds: null},
		{applicationName: 'replica-b', clientAddr: '10.0.0.3', state: 'streaming', syncState: 'async', replayLsn: '0/5000000', lagBytes: 0, writeLagSeconds: null, flushLagSeconds: null, replayLagSeconds: 0.4},
	],
	...over,
});

const replicaRaw = (name: string, replayLsn: string, over: Partial<PgNodeRaw> = {}): PgNodeRaw => ({
	inRecovery: true,
	connections: 4,
	active: 1,
	hiddenSessions: 0,
	maxConnections: 100,
	systemId: '7300000000000000001',
	currentLsn: null,
	receiveLsn: replayLsn,
	replayLsn,
	replayPaused: false,
	replayAgeSeconds: 120,
	receiverStatus: 'streaming',
	upstream: '10.0.0.1:5432',
	streamingName: name,
	replication: [],
	...over,
});

const ok = (endpoint: string, raw: PgNodeRaw): PgNodeReading => ({endpoint, raw, error: null, at: 1000});
const down = (endpoint: string, error = `connection refused at ${endpoint}`): PgNodeReading => ({endpoint, raw: null, error, at: null});

describe('PostgreSQL LSN arithmetic', () => {
	it('reads an LSN as its byte position and diffs two as pg_wal_lsn_diff does', () => {
		expect(lsnToBigInt('16/B374D848')).toBe(0x16b374d848n);
		expect(lsnDiff('1/0', '0/FFFFFFFF')).toBe(1);
		expect(lsnDiff('0/3000000', '0/5000000')).toBe(-0x2000000);
		expect(() => lsnToBigInt('garbage')).toThrow('not an LSN: garbage');
	});
});

describe("a replica's streaming name", () => {
	it("is primary_conninfo's application_name, else cluster_name, else walreceiver", () => {
		expect(streamingName("user=rep host=10.0.0.1 application_name='replica one' sslmode=prefer", 'c')).toBe('replica one');
		expect(streamingName('user=rep application_name=r2 host=x', 'c')).toBe('r2');
		expect(streamingName('user=rep host=x', 'main-replica')).toBe('main-replica');
		expect(streamingName(null, '')).toBe('walreceiver');
	});
});

describe('PostgreSQL tier from the nodes', () => {
	it('takes roles from recovery state whatever the order, and lag from the primary position', () => {
		const tier = buildTopology([ok('db-b:5432', replicaRaw('replica-a', '0/4000000')), ok('db-a:5432', primaryRaw()), ok('db-c:5432', replicaRaw('replica-b', '0/5000000'))], 2000);
		expect(tier.primary).toBe('db-a:5432');
		expect(tier.nodes.map(node => node.role)).toEqual(['replica', 'primary', 'replica']);
		expect(tier.nodes[0]).toMatchObject({lagBytes: 0x1000000, lagSeconds: 0, state: 'streaming', streaming: true});
		expect(tier.nodes[2]).toMatchObject({lagBytes: 0, lagSeconds: 0.4});
		expect(tier.replicasConfigured).toBe(2);
		expect(tier.replicasStreaming).toBe(2);
		expect(tierText(tier)).toBe("1 primary + 2 replicas of the runbook's max 1 + 5");
	});

	it("counts a replica's own replay delay while it has received more than it replayed", () => {
		const behind = replicaRaw('replica-a', '0/4000000', {receiveLsn: '0/4800000', replayAgeSeconds: 42, replayPaused: true});
		const tier = buildTopology([ok('db-a:5432', primaryRaw()), ok('db-b:5432', behind)], 1);
		expect(tier.nodes[1]).toMatchObject({lagSeconds: 42, replayPaused: true});
	});

	it("never computes a lag against a primary of another cluster", () => {
		const stranger = replicaRaw('replica-x', '0/1000000', {systemId: '999'});
		const tier = buildTopology([ok('db-a:5432', primaryRaw({replication: []})), ok('db-x:5432', stranger)], 1);
		expect(tier.nodes[1]!.lagBytes).toBeNull();
	});

	it('says a replica whose WAL receiver does not run is not streaming', () => {
		const stopped = replicaRaw('replica-a', '0/4000000', {receiverStatus: null});
		const tier = buildTopology([ok('db-a:5432', primaryRaw()), ok('db-b:5432', stopped)], 1);
		expect(tier.nodes[1]).toMatchObject({state: 'not streaming', streaming: false});
	});

	it('lets the primary vouch for a replica va-top cannot reach, by the name it last streamed under', () => {
		const first = buildTopology([ok('db-a:5432', primaryRaw()), ok('db-b:5432', replicaRaw('replica-a', '0/4000000'))], 1);
		const gone = buildTopology([ok('db-a:5432', primaryRaw({replication: []})), down('db-b:5432')], 2, first);
		expect(gone.nodes[1]).toMatchObject({role: 'replica', reachable: false, streaming: false, state: 'not streaming', error: 'connection refused at db-b:5432'});
		expect(gone.replicasStreaming).toBe(0);
		// Still streaming, only hidden from va-top (a firewall): the primary says so.
		const hidden = buildTopology([ok('db-a:5432', primaryRaw()), down('db-b:5432')], 2, first);
		expect(hidden.nodes[1]).toMatchObject({reachable: false, streaming: true, lagBytes: 16777216});
		// Without a primary nobody can tell.
		const blind = buildTopology([down('db-a:5432'), down('db-b:5432')], 3, first);
		expect(blind.nodes[1]!.streaming).toBeNull();
	});

	it('keeps an unreachable node at its last role, and one never seen unknown', () => {
		const tier = buildTopology([down('db-a:5432'), ok('db-b:5432', replicaRaw('replica-a', '0/4000000'))], 1);
		expect(tier.nodes[0]!.role).toBe('unknown');
		expect(tier.primary).toBeNull();
		expect(tierText(tier)).toBe("0 primaries + 1 replica of the runbook's max 1 + 5");
	});

	it('logs a promotion once, naming what became of the old primary', () => {
		const before = buildTopology([ok('db-a:5432', primaryRaw()), ok('db-b:5432', replicaRaw('replica-a', '0/4000000'))], 1);
		const after = buildTopology([down('db-a:5432'), ok('db-b:5432', primaryRaw({replication: []}))], 2, before);
		expect(topologyEvents(before, after)).toEqual([
			{level: 'IMMEDIATE', key: 'postgres.promotion:db-b:5432', text: 'postgres: replica db-b:5432 was promoted to primary (the old primary db-a:5432 is unreachable)'},
		]);
		expect(topologyEvents(after, buildTopology([down('db-a:5432'), ok('db-b:5432', primaryRaw({replication: []}))], 3, after))).toEqual([]);
		const both = buildTopology([ok('db-a:5432', primaryRaw()), ok('db-b:5432', primaryRaw({replication: []}))], 2, before);
		expect(topologyEvents(before, both)[0]!.text).toContain('is still a primary: two primaries');
		expect(both.primaries).toEqual(['db-a:5432', 'db-b:5432']);
	});
});
