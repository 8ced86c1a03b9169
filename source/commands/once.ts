// `va-top --once`: one reading of everything, the runbook's rules, a report in the chosen format and an exit code.
// The sustained CPU rule is judged over the recorded history when the recorder has some up to now; without it,
// 80 % counts at once, as va-capacity-check has it, and the report says the sustain was not applied.
import {closeSync, constants, fsyncSync, openSync, renameSync, unlinkSync, writeSync} from 'node:fs';
import path from 'node:path';
import type {Options} from '../config/options.js';
import {UsageError} from '../config/usage-error.js';
import {nagiosOutput, prometheusOutput} from '../core/alert-formats.js';
import {replayedKey, replaySustain, seedHistory} from '../core/backfill.js';
import {capacityJson, capacityReport, capacityText} from '../core/capacity.js';
import {History} from '../core/history.js';
import type {RecordedHistory} from '../core/recorded-history.js';
import {reportJson, reportText, type ReportHistory, type ReportJsonWithSources} from '../core/report.js';
import {emptyClock, evaluate, exitCodeFor, formatDuration} from '../core/rules.js';
import {scrubSecrets} from '../core/redact.js';
import {readingComplete, type AnySourceModel} from '../core/source-model.js';
import {openHistory, sustainSeries} from '../record/open-history.js';
import {takeSnapshot} from '../record/snapshot-files.js';
import type {SourceStatus, StackSnapshot} from '../core/types.js';
import type {Stack} from '../sources/stack.js';

/** The whole check ends within this, whatever the sources do. */
export const onceDeadlineMs = 3000;

export async function runOnce(
	stack: Stack,
	options: Options,
	write: (text: string) => void,
	deadlineMs = onceDeadlineMs,
	models: readonly AnySourceModel[] = stack.models,
	note: (text: string) => void = text => process.stderr.write(text),
): Promise<number> {
	const started = Date.now();
	stack.start();
	try {
		// Read while the sources answer: a store that must not be used ends the check here (exit 64).
		// The snapshot charts every series; the report needs only the CPU ones (the sustained rule).
		const opened = openHistory({options, role: 'once', secrets: stack.secrets, now: started, only: options.snapshotFile === undefined ? sustainSeries : undefined});
		await waitUntil(() => isComplete(stack.snapshot(), models), started + deadlineMs);
		const snapshot = settle(stack.snapshot(), deadlineMs);
		const replay = opened.recorded === null ? null : replaySustain(opened.recorded, options.thresholds, snapshot.at, options.intervalMs);
		const applied = replay !== null && replay.reachesNow;
		// With history up to now the sustained CPU rule is judged over it, as the live monitor would have; every other
		// threshold (and, without that history, this one too) applies at once, as va-capacity-check has it (the
		// messages say where the live monitor differs).
		const {assessment} = evaluate(snapshot, options.thresholds, applied ? replay.clock : emptyClock, snapshot.at, {
			sources: models,
			oneShot: true,
			...(applied ? {overHistory: replayedKey, startedAt: started} : {}),
		});
		const code = exitCodeFor(assessment);
		// --capacity: the capacity report and the growth forecast after the check (advice: the exit code stays the check's).
		const capacity = options.capacity
			? capacityReport(snapshot, assessment, models, {growth: options.growth, scaleUpAt: options.autoscale.scaleUpAt, min: options.min, max: options.max, thresholds: options.thresholds})
			: null;
		const history = historyNote(options, opened.recorded, replay?.fromSeconds ?? null, applied, opened.paths.store);
		const report: ReportJsonWithSources = {...reportJson(snapshot, assessment, code, models), history};
		const text =
			options.format === 'json'
				? `${JSON.stringify(capacity === null ? report : {...report, capacity: capacityJson(capacity)}, null, 2)}\n`
				: options.format === 'nagios'
					? nagiosOutput({report, snapshot, thresholds: options.thresholds, models})
					: options.format === 'prometheus'
						? prometheusOutput({report, snapshot, thresholds: options.thresholds, models})
						: reportText(snapshot, assessment, models, history) + (capacity === null ? '' : capacityText(capacity));
		// Only URL credentials are scrubbed here: a password that is also a common word (the project's name, say) must not blank the report.
		const clean = scrubSecrets(text, []);
		if (options.output === undefined) write(clean);
		else writeAtomically(options.output, clean);

		if (options.snapshotFile !== undefined) {
			const charts = new History();
			if (opened.recorded !== null) seedHistory(charts, opened.recorded, snapshot.at, options.intervalMs);
			const paths = snapshotOrRefuse(options.snapshotFile, () => takeSnapshot({
				snapshot,
				assessment,
				history: charts,
				events: opened.recorded?.events ?? [],
				thresholds: options.thresholds,
				models,
				auditLog: options.auditLog,
				secrets: stack.secrets,
				historyInfo: {source: opened.recorded === null ? null : opened.paths.store, fromSeconds: replay?.fromSeconds ?? null, recording: null},
				target: {file: options.snapshotFile!},
			}));
			note(`va-top: snapshot written: ${paths.markdown} and ${paths.json}\n`);
		}

		return code;
	} finally {
		await Promise.race([stack.stop(), new Promise(resolve => setTimeout(resolve, 1000).unref())]);
	}
}

function historyNote(options: Options, recorded: RecordedHistory | null, fromSeconds: number | null, applied: boolean, store: string): ReportHistory {
	const rule = `the sustained CPU rule (${options.thresholds.cpuImmediate}% for ${formatDuration(options.thresholds.cpuSustainSeconds)})`;
	const notApplied = `${rule} was not applied: ${options.thresholds.cpuImmediate}% counts at once, as va-capacity-check has it`;
	if (!options.history) return {source: 'none', fromSeconds: null, sustainApplied: false, store: null, note: `--no-history: ${notApplied}`};
	if (recorded === null || recorded.to === null) {
		return {source: 'none', fromSeconds: null, sustainApplied: false, store: null, note: `none recorded for this stack (va-top --record keeps it); ${notApplied}`};
	}

	if (!applied) {
		const ago = formatDuration((Date.now() - recorded.to) / 1000);
		return {source: 'none', fromSeconds, sustainApplied: false, store, note: `the recorded history ends ${ago} ago; ${notApplied}`};
	}

	return {source: 'recorded', fromSeconds, sustainApplied: true, store, note: `recorded, ${formatDuration(fromSeconds ?? 0)} back (${store}); ${rule} was judged over it`};
}

function snapshotOrRefuse<T>(file: string, take: () => T): T {
	try {
		return take();
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new UsageError(`--snapshot: cannot write "${file}" (${code === 'ENOENT' ? 'no such directory' : code === 'EACCES' ? 'permission denied' : code === 'ENOSPC' ? 'no space left on the device' : code === 'EISDIR' ? 'a directory' : (code ?? String(error))}), expected a writable file path`);
	}
}

/** For node_exporter's textfile collector (and any reader): never a half-written file, via a temporary one and rename. */
export function writeAtomically(file: string, text: string): void {
	const target = path.resolve(file);
	const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
	let fd: number | undefined;
	try {
		fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
		const buffer = Buffer.from(text, 'utf8');
		let done = 0;
		while (done < buffer.length) done += writeSync(fd, buffer, done, buffer.length - done);
		fsyncSync(fd);
		closeSync(fd);
		fd = undefined;
		renameSync(temporary, target);
	} catch (error) {
		if (fd !== undefined) closeSync(fd);
		try {
			unlinkSync(temporary);
		} catch {
			// Never made.
		}

		const code = (error as NodeJS.ErrnoException).code;
		throw new UsageError(`--output: cannot write "${file}" (${code === 'ENOENT' ? 'no such directory' : code === 'EACCES' ? 'permission denied' : code === 'ENOSPC' ? 'no space left on the device' : code === 'EISDIR' ? 'a directory' : (code ?? String(error))}), expected a writable file path`);
	}
}

/** Every source has answered (as its model judges), and every running instance has a CPU delta (it needs two readings). */
export function isComplete(snapshot: StackSnapshot, models: readonly AnySourceModel[] = []): boolean {
	if (snapshot.docker.status.kind === 'connecting') return false;
	// Several engines: each must have answered, not only the first.
	if (snapshot.docker.engines?.some(engine => engine.status.kind === 'connecting')) return false;
	for (const [id, reading] of Object.entries(snapshot.sources)) {
		const model = models.find(candidate => candidate.id === id);
		const complete = model ? readingComplete(model, reading) : reading.status.kind !== 'connecting' && !(reading.status.kind === 'ok' && reading.sample === null);
		if (!complete) return false;
	}

	// The project's other services' containers too: their figures are in the report.
	const read = (instance: StackSnapshot['docker']['instances'][number]) => instance.state !== 'running' || instance.cpuPercent !== null || instance.notAssessed !== undefined;
	return snapshot.docker.instances.every(read) && (snapshot.docker.others ?? []).every(read);
}

/** A source that has not answered by the deadline is reported as unreadable, not as zero. */
function settle(snapshot: StackSnapshot, deadlineMs: number): StackSnapshot {
	const late = (status: SourceStatus): SourceStatus =>
		status.kind === 'connecting' ? {kind: 'unreachable', reason: `no answer within ${deadlineMs / 1000}s`, since: status.since} : status;
	return {
		...snapshot,
		docker: {
			...snapshot.docker,
			status: late(snapshot.docker.status),
			...(snapshot.docker.engines === undefined ? {} : {engines: snapshot.docker.engines.map(engine => ({...engine, status: late(engine.status)}))}),
		},
		sources: Object.fromEntries(Object.entries(snapshot.sources).map(([id, reading]) => [id, {...reading, status: late(reading.status)}])),
	};
}

async function waitUntil(done: () => boolean, deadline: number): Promise<void> {
	while (!done() && Date.now() < deadline) {
		await new Promise(resolve => setTimeout(resolve, 50));
	}
}
