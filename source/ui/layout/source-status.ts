// How fresh each source's data is, in words for the header: `redis: stale 12s`, `docker: reconnecting`,
// `postgres: unreachable (connection refused at 127.0.0.1:5432)`. Pure; the words are core's (source-model.ts).
import {dockerDataAt} from '../../core/rules.js';
import {healthOf, type AnySourceModel, type SourceHealth, type SourceStatus} from '../../core/source-model.js';
import type {StackSnapshot} from '../../core/types.js';
import {formatAge} from './format.js';
import {valueFormat} from './value-format.js';

export {staleAfterMs, type SourceHealth} from '../../core/source-model.js';

export interface SourceLine {
	/** `docker`, or a source's id. */
	name: string;
	health: SourceHealth;
	/** Epoch ms of the newest data this source gave, null when none. */
	dataAt: number | null;
	text: string;
}

function describe(name: string, status: SourceStatus, dataAt: number | null, now: number, intervalMs: number, summary?: () => string): SourceLine {
	const health = healthOf(status, dataAt, now, intervalMs);
	switch (health) {
		case 'connecting':
			return {name, health, dataAt, text: `${name}: connecting`};
		case 'reconnecting':
			return {name, health, dataAt, text: `${name}: reconnecting`};
		case 'unreachable':
			return {name, health, dataAt, text: `${name}: unreachable (${status.kind === 'unreachable' ? status.reason : ''})`};
		case 'stale': {
			const at = dataAt ?? (status.kind === 'ok' ? status.at : now);
			return {name, health, dataAt: at, text: `${name}: stale ${formatAge(now - at)}`};
		}

		case 'ok':
			return {name, health, dataAt: dataAt ?? (status.kind === 'ok' ? status.at : null), text: summary ? `${name} ${summary()}` : `${name} ok`};
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
	// The verdict's data is as old as the oldest engine that answers.
	let oldest: number | null = null;
	for (const engine of engines) {
		const streaming = snapshot.docker.instances.some(instance => instance.host === engine.name && instance.state === 'running');
		const dataAt = engine.status.kind === 'ok' ? (streaming ? engine.status.at : snapshot.at) : null;
		const line = describe('docker', engine.status, dataAt, now, intervalMs);
		if (line.health === 'ok') {
			ok++;
			if (line.dataAt !== null && (oldest === null || line.dataAt < oldest)) oldest = line.dataAt;
			continue;
		}

		lines.push({...line, text: line.text.replace(/^docker: /, `docker: ${engine.name} `)});
	}

	lines.push({name: 'docker', health: 'ok', dataAt: oldest, text: `docker: ${ok}/${engines.length} hosts ok`});
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
	// The verdict's data is as old as the oldest engine that answers (the manager's task list included).
	let oldest: number | null = null;
	const answered = (line: SourceLine) => {
		if (line.dataAt !== null && (oldest === null || line.dataAt < oldest)) oldest = line.dataAt;
	};

	if (manager !== undefined) {
		const line = describe('docker', manager.status, manager.status.kind === 'ok' ? manager.status.at : null, now, Math.max(intervalMs, swarmStaleMs / 3));
		if (line.health === 'ok') answered(line);
		else lines.push({...line, text: line.text.replace(/^docker: /, `docker: manager ${manager.name} `)});
	}

	for (const engine of nodeEngines) {
		const streaming = snapshot.docker.instances.some(instance => instance.host === engine.name && instance.state === 'running');
		const line = describe('docker', engine.status, engine.status.kind === 'ok' ? (streaming ? engine.status.at : snapshot.at) : null, now, intervalMs);
		if (line.health === 'ok') answered(line);
		else lines.push({...line, text: line.text.replace(/^docker: /, `docker: ${engine.name} `)});
	}

	for (const node of swarm.nodes) {
		if (node.state !== 'ready') lines.push({name: 'docker', health: 'unreachable', dataAt: null, text: `swarm: ${node.hostname} ${node.state}`});
		else if (node.engine === null && node.reason !== null && node.tasks > 0) lines.push({name: 'docker', health: 'unreachable', dataAt: null, text: `swarm: ${node.hostname} not assessed (${node.reason})`});
	}

	const ready = swarm.nodes.filter(node => node.state === 'ready').length;
	const drained = swarm.nodes.filter(node => node.availability !== 'active').map(node => `${node.hostname} ${node.availability}`);
	const version = swarm.version === null ? '' : ` v${swarm.version}`;
	lines.push({name: 'docker', health: 'ok', dataAt: oldest, text: `swarm${version}: ${ready}/${swarm.nodes.length} nodes ready${drained.length > 0 ? ` (${drained.join(', ')})` : ''}`});
	return lines;
}

/** The workload's lines: a Swarm service's, several engines', or the one engine's. */
function workloadLines(snapshot: StackSnapshot, now: number, intervalMs: number): SourceLine[] {
	if (snapshot.docker.swarm !== undefined && snapshot.docker.status.kind === 'ok') return swarmLines(snapshot, now, intervalMs);
	if ((snapshot.docker.engines?.length ?? 0) > 1) return engineLines(snapshot, now, intervalMs);
	return [describe('docker', snapshot.docker.status, dockerDataAt(snapshot), now, intervalMs)];
}

/** Docker first, then every configured source in the registry's order (models give the order and the summaries). */
export function sourceLines(snapshot: StackSnapshot, now: number, intervalMs: number, models: readonly AnySourceModel[] = []): SourceLine[] {
	const lines = workloadLines(snapshot, now, intervalMs);
	const ids = [...models.map(model => model.id).filter(id => snapshot.sources[id] !== undefined), ...Object.keys(snapshot.sources).filter(id => !models.some(model => model.id === id))];
	for (const id of ids) {
		const reading = snapshot.sources[id]!;
		const model = models.find(candidate => candidate.id === id);
		const sample = reading.sample;
		const summary = model?.summary && sample !== null ? () => model.summary!(sample, valueFormat) : undefined;
		lines.push(describe(id, reading.status, sample?.at ?? null, now, intervalMs, summary));
	}

	return lines;
}

/** Age of the oldest data a source still answering gave (what the verdict used), null when none has given any. */
export function oldestDataAge(lines: readonly SourceLine[], now: number): number | null {
	let oldest: number | null = null;
	for (const line of lines) {
		if ((line.health === 'ok' || line.health === 'stale') && line.dataAt !== null && (oldest === null || line.dataAt < oldest)) oldest = line.dataAt;
	}

	return oldest === null ? null : Math.max(0, now - oldest);
}
