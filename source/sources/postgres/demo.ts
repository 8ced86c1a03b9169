// Pure: the demo's PostgreSQL tier, a primary and two read replicas. In every 180 s cycle replica 2 falls behind (its
// replay stalls from 70 s, passing 16 MB at about 72 s and 256 MB at about 101 s), then catches up by 125 s.
import type {DemoWorld} from '../../core/source-model.js';
import {readPostgres} from '../demo/load-model.js';
import type {PostgresSample} from './parse.js';
import {buildTopology, type PgNodeRaw} from './topology.js';

export const demoNodes = ['db-primary:5432', 'db-replica-1:5432', 'db-replica-2:5432'] as const;

const cycleMs = 180_000;
const mebibyte = 1024 * 1024;

/** Replica 2's lag in the cycle: bytes and seconds behind. */
export function demoReplicaLag(elapsedMs: number): {bytes: number; seconds: number} {
	const t = (((elapsedMs % cycleMs) + cycleMs) % cycleMs) / 1000;
	if (t < 70 || t >= 125) return {bytes: 0, seconds: 0};
	// Stalled replay: the lag grows with the primary's writes (~10 MB/s), then replay catches up at ~20 MB/s.
	const peak = 105;
	const bytes = t <= peak ? (t - 70) * 9 * mebibyte : Math.max(0, (35 * 9 - (t - peak) * 16) * mebibyte);
	const seconds = t <= peak ? t - 70 : Math.max(0, (peak - 70) * (1 - (t - peak) / 20));
	return {bytes: Math.round(bytes), seconds};
}

const lsn = (bytes: number) => `${Math.floor(bytes / 2 ** 32).toString(16).toUpperCase()}/${(bytes % 2 ** 32).toString(16).toUpperCase()}`;

export function demoPostgresSample(world: DemoWorld, at: number): PostgresSample {
	// Every instance that has started holds its pool's connections until it exits.
	const holdingPools = world.instances.filter(instance => instance.phase !== 'created' && instance.phase !== 'exited').length;
	const reading = readPostgres(world.seed, world.elapsedMs, holdingPools);
	// The primary's WAL position: ~10 MB a second of writes since the demo began, from a few GB.
	const current = 0x3_0000_0000 + Math.round(world.elapsedMs / 1000) * 10 * mebibyte;
	const lag = demoReplicaLag(world.elapsedMs);
	const base = {hiddenSessions: 0, maxConnections: reading.maxConnections, systemId: '7301942518746371234', upstream: 'db-primary:5432'};
	const replica = (name: string, connections: number, behind: number, seconds: number): PgNodeRaw => ({
		...base,
		inRecovery: true,
		connections,
		active: Math.max(1, Math.round(connections / 4)),
		currentLsn: null,
		receiveLsn: lsn(current),
		replayLsn: lsn(current - behind),
		replayPaused: false,
		replayAgeSeconds: seconds,
		receiverStatus: 'streaming',
		streamingName: name,
		replication: [],
	});
	const readers = Math.round(reading.connections * 0.35);
	const primary: PgNodeRaw = {
		...base,
		upstream: null,
		inRecovery: false,
		connections: reading.connections,
		active: reading.active,
		currentLsn: lsn(current),
		receiveLsn: null,
		replayLsn: null,
		replayPaused: null,
		replayAgeSeconds: null,
		receiverStatus: null,
		streamingName: null,
		replication: ['replica-1', 'replica-2'].map(name => ({
			applicationName: name,
			clientAddr: null,
			state: 'streaming',
			syncState: 'async',
			replayLsn: lsn(current - (name === 'replica-2' ? lag.bytes : 0)),
			lagBytes: name === 'replica-2' ? lag.bytes : 0,
			writeLagSeconds: null,
			flushLagSeconds: null,
			replayLagSeconds: name === 'replica-2' && lag.seconds > 0 ? lag.seconds : null,
		})),
	};
	const topology = buildTopology(
		[
			{endpoint: demoNodes[0], raw: primary, error: null, at},
			{endpoint: demoNodes[1], raw: replica('replica-1', readers, 0, 0), error: null, at},
			{endpoint: demoNodes[2], raw: replica('replica-2', Math.max(1, readers - 2), lag.bytes, lag.seconds), error: null, at},
		],
		at,
	);
	return {connections: reading.connections, active: reading.active, maxConnections: reading.maxConnections, ratio: reading.connections / reading.maxConnections, at, topology};
}
