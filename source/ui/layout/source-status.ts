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

/** Docker first, then every configured source in the registry's order (models give the order and the summaries). */
export function sourceLines(snapshot: StackSnapshot, now: number, intervalMs: number, models: readonly AnySourceModel[] = []): SourceLine[] {
	const lines = [describe('docker', snapshot.docker.status, dockerDataAt(snapshot), now, intervalMs)];
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
