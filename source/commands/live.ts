// `va-top`: the full-screen monitor. Starts the stack and the actions, hands the screen to the UI, and on every way
// out lets an action in progress settle, closes the audit log and stops the stack.
import {createActions, type Actions} from '../actions/create-actions.js';
import {settled} from '../actions/settled.js';
import type {Autoscaler} from '../actions/autoscaler.js';
import {autoscaleSummary, createAutoscalerFor} from '../actions/create-autoscaler.js';
import type {Options} from '../config/options.js';
import {UsageError} from '../config/usage-error.js';
import {replaySustain} from '../core/backfill.js';
import {createMonitor, type Monitor, type MonitorFrame} from '../core/monitor.js';
import {noSelfMadeChanges} from '../core/rules.js';
import {selfMadeChanges} from '../actions/self-made.js';
import {abandonHistory, openBegunHistory, recordingMonitor, type BegunHistory} from '../record/open-history.js';
import {TappedHistory} from '../record/recorder.js';
import {takeSnapshot} from '../record/snapshot-files.js';
import type {DemoStack} from '../sources/demo/demo-stack.js';
import type {Stack} from '../sources/stack.js';
import {renderLive} from '../ui/render-live.js';
import {markPhase} from '../ui/terminal/frame-profile.js';

/** Closing connections must not hold the prompt hostage. */
const stopGraceMs = 1500;
/**
 * Leaving mid-drain aborts it (the screen's unmount does): the instance goes back into the balancer, or, once the
 * stop has begun, the stop and removal finish. Wait that long for it before closing the audit log under it.
 */
export const settleMs = 20_000;

export {settled};

export interface RunLiveExtras {
	stderr?: NodeJS.WritableStream;
	/** The history as begun before the screen loaded (cli.tsx): the lock tried, the store being read on a thread. */
	begun?: BegunHistory | null;
}

export async function runLive(stack: Stack, options: Options, demo?: DemoStack, {stderr = process.stderr, begun = null}: RunLiveExtras = {}): Promise<number> {
	if (!process.stdout.isTTY) {
		abandonHistory(begun);
		throw new UsageError('the live monitor needs a terminal on stdout, expected a TTY (use --once for a report)');
	}

	// The recorded history first (before the first frame): the charts' last hour, the sustained rules' clocks and
	// the event log go on from it, and from now on this monitor records too (or only reads, when another one does).
	const startedAt = Date.now();
	const history = new TappedHistory();
	const opened = await openBegunHistory(begun, {options, role: 'live', history, seedCharts: true, secrets: stack.secrets, now: startedAt});
	const recorded = opened.recorded;
	markPhase('history-loaded');
	// Replayed on the loading thread when the history was begun early (cli.tsx), else here.
	const replay = opened.replayed ?? (recorded === null ? null : replaySustain(recorded, options.thresholds, startedAt, options.intervalMs));
	opened.recorder?.skipEvents(recorded?.events ?? []);
	// The monitor is made here so the actions write into the same event log the screen shows, and so the rules know
	// which instances the actions are changing (those raise no breach).
	let actions: Actions | undefined;
	const recording = recordingMonitor(
		createMonitor({
			thresholds: options.thresholds,
			sources: stack.models,
			history,
			intervalMs: options.intervalMs,
			selfMade: () => (actions === undefined ? noSelfMadeChanges : selfMadeChanges(actions.runner)),
			clock: replay?.reachesNow ? replay.clock : undefined,
			clockValidUntil: replay?.validUntil,
			events: recorded?.events,
			startedAt,
		}),
		opened.recorder,
	);
	// S asks for a snapshot; it is taken with the next frame, so what was just done (an action's result, its audit
	// line, its event) is in it, as it is on the screen a moment later.
	let snapshotWanted = false;
	const monitor: Monitor = {
		history: recording.history,
		tick(next) {
			const frame = recording.tick(next);
			if (snapshotWanted) {
				snapshotWanted = false;
				writeSnapshot(frame);
			}

			return frame;
		},
		log: entry => recording.log(entry),
		current: () => recording.current(),
	};
	const snapshot = () => {
		snapshotWanted = true;
	};

	const writeSnapshot = (frame: MonitorFrame) => {
		try {
			const paths = takeSnapshot({
				snapshot: frame.snapshot,
				assessment: frame.assessment,
				history,
				events: frame.events,
				thresholds: options.thresholds,
				models: stack.models,
				auditLog: options.auditLog,
				secrets: stack.secrets,
				historyInfo: {source: recorded === null ? null : opened.paths.store, fromSeconds: replay?.fromSeconds ?? null, recording: frame.recording?.text ?? null},
				target: {dir: options.snapshotDir ?? process.cwd()},
			});
			monitor.log({at: Date.now(), level: 'INFO', key: 'snapshot', text: `snapshot written: ${paths.markdown} and ${paths.json}`});
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code;
			const why = code === 'ENOSPC' ? 'no space left on the device' : code === 'EACCES' ? 'permission denied' : code === 'ENOTDIR' ? 'not a directory' : code === 'EROFS' ? 'read-only file system' : (code ?? String(error));
			monitor.log({at: Date.now(), level: 'UNKNOWN', key: 'snapshot', text: `snapshot not written: ${why} in ${options.snapshotDir ?? process.cwd()}`});
		}
	};
	let autoscaler: Autoscaler | undefined;

	try {
		actions = createActions({options, log: entry => monitor.log(entry), demo, secrets: stack.secrets, ...(stack.workload === undefined ? {} : {workload: stack.workload})});
		// Always there: its line previews the policy even when autoscaling is off.
		autoscaler = createAutoscalerFor({options, runner: actions.runner, sources: stack.models, log: entry => monitor.log(entry), headless: false, now: demo === undefined ? undefined : () => demo.now()});
		stack.start();
		markPhase('render');
		return await renderLive({stack, options, monitor, runner: actions.runner, autoscaler, autoscaleSummary: autoscaleSummary(options), onSnapshot: snapshot});
	} finally {
		// No new act from here; its drain in progress is aborted like the screen's own (settled below).
		const stopping = autoscaler?.stop();
		opened.recorder?.close();
		if (actions) {
			const busy = actions.runner.inProgress();
			if (busy !== null) {
				const what = busy.kind === 'drain' ? `drain of ${busy.instance.name}` : busy.title;
				stderr.write(`va-top: waiting up to ${settleMs / 1000} s for the ${what} to finish or be put back…\n`);
				if (!(await settled(actions.runner, settleMs))) stderr.write(`va-top: the ${what} did not finish; check the audit log (its "began" line has no result)\n`);
			}

			// Cancels whatever still waits for the Docker daemon, so a hung daemon never holds the exit.
			await actions.close();
		}

		await stopping;

		await Promise.race([stack.stop(), new Promise(resolve => setTimeout(resolve, stopGraceMs).unref())]);
	}
}
