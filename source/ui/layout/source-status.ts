// How fresh each source's data is, in words for the header: `redis: stale 12s`, `docker: reconnecting`,
// `postgres: unreachable (connection refused at 127.0.0.1:5432)`. Pure.
import type {SourceName, SourceStatus, StackSnapshot} from '../../core/types.js';
import {formatAge} from './format.js';

export type SourceHealth = 'ok' | 'stale' | 'connecting' | 'reconnecting' | 'unreachable';

export interface SourceLine {
	name: SourceName;
	health: SourceHealth;
	/** Epoch ms of the newest data this source gave, null when none. */
	dataAt: number | null;
	text: string;
}

/** A source is stale when its newest data is older than three readings, and never sooner than 3 s. */
export function staleAfterMs(intervalMs: number): number {
	return Math.max(3 * intervalMs, 3000);
}

function describe(name: SourceName, status: SourceStatus, dataAt: number | null, now: number, intervalMs: number): SourceLine {
	switch (status.kind) {
		case 'connecting':
			return {name, health: 'connecting', dataAt, text: `${name}: connecting`};
		case 'reconnecting':
			return {name, health: 'reconnecting', dataAt, text: `${name}: reconnecting`};
		case 'unreachable':
			return {name, health: 'unreachable', dataAt, text: `${name}: unreachable (${status.reason})`};
		case 'ok': {
			const at = dataAt ?? status.at;
			const age = now - at;
			if (age > staleAfterMs(intervalMs)) return {name, health: 'stale', dataAt: at, text: `${name}: stale ${formatAge(age)}`};
			return {name, health: 'ok', dataAt: at, text: `${name} ok`};
		}
	}
}

/**
 * Several engines: each troubled one on its own (`docker: app2 unreachable (…)`, `docker: app3 stale 12s`), then how
 * many answer (`docker: 3/3 hosts ok`); all of them down is one line, as for one engine.
 */
function engineLines(snapshot: StackSnapshot, now: number, intervalMs: number): SourceLine[] {
	const engines = snapshot.docker.engines ?? [];
	if (snapshot.docker.status.kind !== 'ok') return [describe('docker', snapshot.docker.status, null, now, intervalMs)];
	const lines: SourceLine[] = [];
	let ok = 0;
	let newest: number | null = null;
	for (const engine of engines) {
		const streaming = snapshot.docker.instances.some(instance => instance.host === engine.name && instance.state === 'running');
		const dataAt = engine.status.kind === 'ok' ? (streaming ? engine.status.at : snapshot.at) : null;
		const line = describe('docker', engine.status, dataAt, now, intervalMs);
		if (line.health === 'ok') {
			ok++;
			if (line.dataAt !== null && (newest === null || line.dataAt > newest)) newest = line.dataAt;
			continue;
		}

		lines.push({...line, text: line.text.replace(/^docker: /, `docker: ${engine.name} `)});
	}

	lines.push({name: 'docker', health: 'ok', dataAt: newest, text: `docker: ${ok}/${engines.length} hosts ok`});
	return lines;
}

/** The manager's data are its task re-reads (every 2 s): older than this, the swarm's state on screen is stale. */
export const swarmStaleMs = 5000;

/**
 * A Swarm service: the manager (unreachable, or stale when it stops answering), each node engine in trouble, each
 * node that is not ready or whose engine va-top has no way to reach, then `swarm: 3/3 nodes ready (vaswarm-n2 drain)`.
 */
function swarmLines(snapshot: StackSnapshot, now: number, intervalMs: number): SourceLine[] {
	const swarm = snapshot.docker.swarm!;
	const [manager, ...nodeEngines] = snapshot.docker.engines ?? [];
	const lines: SourceLine[] = [];
	let newest: number | null = null;
	if (manager !== undefined) {
		const line = describe('docker', manager.status, manager.status.kind === 'ok' ? manager.status.at : null, now, Math.max(intervalMs, swarmStaleMs / 3));
		if (line.health === 'ok') newest = line.dataAt;
		else lines.push({...line, text: line.text.replace(/^docker: /, `docker: manager ${manager.name} `)});
	}

	for (const engine of nodeEngines) {
		const streaming = snapshot.docker.instances.some(instance => instance.host === engine.name && instance.state === 'running');
		const line = describe('docker', engine.status, engine.status.kind === 'ok' ? (streaming ? engine.status.at : snapshot.at) : null, now, intervalMs);
		if (line.health !== 'ok') lines.push({...line, text: line.text.replace(/^docker: /, `docker: ${engine.name} `)});
	}

	for (const node of swarm.nodes) {
		if (node.state !== 'ready') lines.push({name: 'docker', health: 'unreachable', dataAt: null, text: `swarm: ${node.hostname} ${node.state}`});
		else if (node.engine === null && node.reason !== null && node.tasks > 0) lines.push({name: 'docker', health: 'unreachable', dataAt: null, text: `swarm: ${node.hostname} not assessed (${node.reason})`});
	}

	const ready = swarm.nodes.filter(node => node.state === 'ready').length;
	const drained = swarm.nodes.filter(node => node.availability !== 'active').map(node => `${node.hostname} ${node.availability}`);
	const version = swarm.version === null ? '' : ` v${swarm.version}`;
	lines.push({name: 'docker', health: 'ok', dataAt: newest, text: `swarm${version}: ${ready}/${swarm.nodes.length} nodes ready${drained.length > 0 ? ` (${drained.join(', ')})` : ''}`});
	return lines;
}

export function sourceLines(snapshot: StackSnapshot, now: number, intervalMs: number): SourceLine[] {
	if (snapshot.docker.swarm !== undefined && snapshot.docker.status.kind === 'ok') {
		return [
			...swarmLines(snapshot, now, intervalMs),
			describe('postgres', snapshot.postgres.status, snapshot.postgres.sample?.at ?? null, now, intervalMs),
			describe('redis', snapshot.redis.status, snapshot.redis.sample?.at ?? null, now, intervalMs),
		];
	}

	// Docker's data are the stats streams of running instances; with none running a quiet daemon is not a stale one.
	const streaming = snapshot.docker.instances.some(instance => instance.state === 'running');
	const dockerAt = snapshot.docker.status.kind === 'ok' ? (streaming ? snapshot.docker.status.at : snapshot.at) : null;
	return [
		...((snapshot.docker.engines?.length ?? 0) > 1 ? engineLines(snapshot, now, intervalMs) : [describe('docker', snapshot.docker.status, dockerAt, now, intervalMs)]),
		describe('postgres', snapshot.postgres.status, snapshot.postgres.sample?.at ?? null, now, intervalMs),
		describe('redis', snapshot.redis.status, snapshot.redis.sample?.at ?? null, now, intervalMs),
	];
}

/** Age of the newest data from any source, null when no source has given any. */
export function newestDataAge(lines: readonly SourceLine[], now: number): number | null {
	let newest: number | null = null;
	for (const line of lines) {
		if (line.dataAt !== null && (newest === null || line.dataAt > newest)) newest = line.dataAt;
	}

	return newest === null ? null : Math.max(0, now - newest);
}
