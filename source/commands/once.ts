// `va-top --once`: one reading of everything, the runbook's rules without durations, a report and an exit code.
import type {Options} from '../config/options.js';
import {reportJson, reportText} from '../core/report.js';
import {evaluate, exitCodeFor} from '../core/rules.js';
import {scrubSecrets} from '../core/redact.js';
import {readingComplete, type AnySourceModel} from '../core/source-model.js';
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
): Promise<number> {
	const started = Date.now();
	stack.start();
	try {
		await waitUntil(() => isComplete(stack.snapshot(), models), started + deadlineMs);
		const snapshot = settle(stack.snapshot(), deadlineMs);
		// va-capacity-check applies each threshold at once; the sustain is the live monitor's business (the message
		// says so), as is the hysteresis (it needs a history).
		const {assessment} = evaluate(snapshot, options.thresholds, undefined, snapshot.at, {sources: models, oneShot: true});
		const code = exitCodeFor(assessment);
		const text = options.json ? `${JSON.stringify(reportJson(snapshot, assessment, code, models), null, 2)}\n` : reportText(snapshot, assessment, models);
		// Only URL credentials are scrubbed here: a password that is also a common word (the project's name, say) must not blank the report.
		write(scrubSecrets(text, []));
		return code;
	} finally {
		await Promise.race([stack.stop(), new Promise(resolve => setTimeout(resolve, 1000).unref())]);
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
