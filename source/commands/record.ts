// `va-top --record`: headless. Reads every source at the interval, runs the same monitor as the screen (so its
// event log is the same) and keeps the history on disk. For a systemd unit or a tmux window of its own: one line
// per event on stdout, and SIGTERM, SIGINT or SIGHUP end it cleanly (exit 0), the store closed and the lock freed.
import type {Options} from '../config/options.js';
import {replaySustain} from '../core/backfill.js';
import type {EventEntry} from '../core/event-log.js';
import {createMonitor} from '../core/monitor.js';
import {scrubSecrets} from '../core/redact.js';
import {beginHistory, openBegunHistory, recorderEvents, recordingMonitor, sustainSeries} from '../record/open-history.js';
import {TappedHistory} from '../record/recorder.js';
import type {Stack} from '../sources/stack.js';

/** Closing connections must not hold up a systemd stop. */
const stopGraceMs = 1500;

export interface RecordIo {
	write(text: string): void;
	/** Resolves with the signal that asks to stop. */
	stopSignal: Promise<NodeJS.Signals>;
}

/** The first stop signal; the handlers stay, so a second one (timeout(1) signals the group too) cannot cut the stop short. */
export function processStopSignal(proc: NodeJS.Process = process): Promise<NodeJS.Signals> {
	return new Promise(resolve => {
		for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) proc.on(signal, () => resolve(signal));
	});
}

export async function runRecord(stack: Stack, options: Options, io: RecordIo): Promise<number> {
	const startedAt = Date.now();
	// The recorder needs no charts in memory: two samples a series are enough for the monitor's own bookkeeping.
	const history = new TappedHistory(2);
	// The sustained rule's clocks are all the recorder needs of what was recorded: replayed on a thread of its own,
	// so the hour's buffers never sit in this long-running process's heap (where the allocator would keep them).
	const begun = beginHistory(options, 'record', process.env, startedAt);
	const opened = await openBegunHistory(begun, {options, role: 'record', history, secrets: stack.secrets, now: startedAt, only: sustainSeries});
	const recorder = opened.recorder!;
	const replay = opened.replayed ?? (opened.recorded === null ? null : replaySustain(opened.recorded, options.thresholds, startedAt, options.intervalMs));
	const recordedEvents = opened.recorded?.events.slice(-recorderEvents) ?? [];
	const historyFrom = opened.recorded?.from ?? null;
	// Not kept: the loaded hour is a few MB the recorder has no use for once the clocks are replayed.
	opened.recorded = null;
	recorder.skipEvents(recordedEvents);
	const monitor = recordingMonitor(
		createMonitor({
			thresholds: options.thresholds,
			sources: stack.models,
			history,
			intervalMs: options.intervalMs,
			clock: replay?.reachesNow ? replay.clock : undefined,
			clockValidUntil: replay?.validUntil,
			events: recordedEvents,
			startedAt,
			eventCapacity: 50,
		}),
		recorder,
	);

	const line = (at: number, level: string, text: string) => io.write(`${new Date(at).toISOString()} ${level.padEnd(9)} ${scrubSecrets(text, stack.secrets)}\n`);
	const status = recorder.status();
	line(startedAt, 'INFO', `va-top --record: ${options.project}/${options.service} every ${options.intervalMs / 1000} s to ${opened.paths.store}: ${status.text}${historyFrom === null ? '' : ` (history from ${new Date(historyFrom).toISOString()})`}`);

	let lastPrinted: EventEntry | undefined = recordedEvents.at(-1);
	const tick = () => {
		const frame = monitor.tick(stack.snapshot());
		const index = lastPrinted === undefined ? -1 : frame.events.lastIndexOf(lastPrinted);
		const fresh = index === -1 && lastPrinted !== undefined ? frame.events.filter(event => event.at > lastPrinted!.at) : frame.events.slice(index + 1);
		for (const event of fresh) line(event.at, event.level, event.text);
		lastPrinted = frame.events.at(-1) ?? lastPrinted;
	};

	stack.start();
	const timer = setInterval(tick, Math.max(100, options.intervalMs));
	try {
		const signal = await io.stopSignal;
		line(Date.now(), 'INFO', `va-top --record: ${signal}, stopping`);
		return 0;
	} finally {
		clearInterval(timer);
		recorder.close();
		await Promise.race([stack.stop(), new Promise(resolve => setTimeout(resolve, stopGraceMs).unref())]);
	}
}
