// `va-top --once`: one reading of everything, the runbook's rules without durations, a report and an exit code.
import type {Options} from '../config/options.js';
import {reportJson, reportText} from '../core/report.js';
import {evaluate, exitCodeFor} from '../core/rules.js';
import {scrubSecrets} from '../core/redact.js';
import type {SourceStatus, StackSnapshot} from '../core/types.js';
import type {Stack} from '../sources/stack.js';

/** The whole check ends within this, whatever the sources do. */
export const onceDeadlineMs = 3000;

export async function runOnce(stack: Stack, options: Options, write: (text: string) => void, deadlineMs = onceDeadlineMs): Promise<number> {
	const started = Date.now();
	stack.start();
	try {
		await waitUntil(() => isComplete(stack.snapshot()), started + deadlineMs);
		const snapshot = settle(stack.snapshot(), deadlineMs);
		// va-capacity-check applies 80 % at once; the duration is the live monitor's business.
		const {assessment} = evaluate(snapshot, {...options.thresholds, cpuSustainSeconds: 0});
		const code = exitCodeFor(assessment);
		const text = options.json ? `${JSON.stringify(reportJson(snapshot, assessment, code), null, 2)}\n` : reportText(snapshot, assessment);
		// Only URL credentials are scrubbed here: a password that is also a common word (the project's name, say) must not blank the report.
		write(scrubSecrets(text, []));
		return code;
	} finally {
		await Promise.race([stack.stop(), new Promise(resolve => setTimeout(resolve, 1000).unref())]);
	}
}

/** Every source has answered, and every running instance has a CPU delta (it needs two readings). */
export function isComplete(snapshot: StackSnapshot): boolean {
	const answered = (status: SourceStatus) => status.kind !== 'connecting';
	if (!answered(snapshot.docker.status) || !answered(snapshot.postgres.status) || !answered(snapshot.redis.status)) return false;
	// Several engines: each must have answered, not only the first.
	if (snapshot.docker.engines?.some(engine => !answered(engine.status))) return false;
	if (snapshot.postgres.status.kind === 'ok' && snapshot.postgres.sample === null) return false;
	if (snapshot.redis.status.kind === 'ok' && snapshot.redis.sample === null) return false;
	return snapshot.docker.instances.every(instance => instance.state !== 'running' || instance.cpuPercent !== null || instance.notAssessed !== undefined);
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
		postgres: {...snapshot.postgres, status: late(snapshot.postgres.status)},
		redis: {...snapshot.redis, status: late(snapshot.redis.status)},
	};
}

async function waitUntil(done: () => boolean, deadline: number): Promise<void> {
	while (!done() && Date.now() < deadline) {
		await new Promise(resolve => setTimeout(resolve, 50));
	}
}
