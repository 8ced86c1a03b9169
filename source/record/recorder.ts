// The recorder: after each monitor tick, what went into the history (every series, whichever source it is from)
// and the new events go to the stack's store. One writer per stack (lock.ts); any other process only reads. A write
// that fails (no space left, an I/O error) stops the recording, never the monitor; it is tried again a minute later.
import {mkdirSync} from 'node:fs';
import {History} from '../core/history.js';
import type {RingParts} from '../core/ring-buffer.js';
import type {EventEntry} from '../core/event-log.js';
import type {MonitorFrame, RecordingStatus} from '../core/monitor.js';
import {scrubSecrets} from '../core/redact.js';
import {acquireLock, describeHolder, type LockHolder, type LockResult, type StoreLock} from './lock.js';
import type {StackPaths} from './stack-paths.js';
import type {StoreIdentity} from './store-format.js';
import {StoreError, StoreWriter, type StoreSample, type WriterState} from './store.js';

/** A History that also keeps what was pushed since the last drain, for the recorder. */
export class TappedHistory extends History {
	tapping = false;
	private pending: Array<{key: string; time: number; value: number}> = [];

	override push(key: string, time: number, value: number): void {
		super.push(key, time, value);
		if (this.tapping && Number.isFinite(value)) this.pending.push({key, time, value});
	}

	override pushMany(key: string, times: Float64Array, values: Float64Array, from = 0, to = times.length): void {
		if (!this.tapping) return super.pushMany(key, times, values, from, to);
		for (let i = from; i < to; i++) this.push(key, times[i]!, values[i]!);
	}

	override adopt(series: ReadonlyArray<{key: string; ring: RingParts}>): void {
		if (!this.tapping) return super.adopt(series);
		for (const {key, ring} of series) {
			for (let i = 0; i < ring.count; i++) {
				const index = (ring.start + i) % ring.capacity;
				this.push(key, ring.times[index]!, ring.values[index]!);
			}
		}
	}

	drain(): Array<{key: string; time: number; value: number}> {
		const out = this.pending;
		this.pending = [];
		return out;
	}
}

/** After a failed write, the next attempt this much later (the disk may have been cleared). */
export const retryAfterMs = 60_000;
/** A reader tries to become the writer this often (the writer may have stopped). */
export const takeOverEveryMs = 15_000;
/** The writer checks this often that its lock is still its own. */
const lockCheckEveryMs = 10_000;

export interface RecorderOptions {
	paths: StackPaths;
	identity: StoreIdentity;
	role: LockHolder['role'];
	history: TappedHistory;
	/** Masked in every event text written. */
	secrets: readonly string[];
	now?: () => number;
	/** fdatasync each reading (default true). */
	sync?: boolean;
	/** The stack's lock as this process already tried it (beginLiveHistory): used for the first attempt. */
	held?: LockResult;
	/** The store as read under that lock: the writer goes on from it without reading it again. */
	resume?: WriterState;
}

export interface Recorder {
	status(): RecordingStatus;
	/** Writes what the tick added; returns an event to log when the recording state changed. */
	record(frame: MonitorFrame): EventEntry | null;
	/** Events already in the store (the backfilled log), so they are not written twice. */
	skipEvents(events: readonly EventEntry[]): void;
	close(): void;
}

/** What a store's error says, for the screen: the reason without the path. */
function reasonOf(error: unknown): string {
	if (error instanceof StoreError) return error.message.replace(/^history store \S+ (cannot [^(]*\()?/, '').replace(/\)$/, '');
	const code = (error as NodeJS.ErrnoException).code;
	if (code === 'ENOSPC') return 'no space left on the device';
	if (code === 'EDQUOT') return 'disk quota exceeded';
	return code ?? (error instanceof Error ? error.message : String(error));
}

/**
 * Takes the lock and opens the store for writing, or finds it held and reads only. Throws StoreError for a store
 * that must not be touched (not ours, newer, corrupt, another stack's); any other failure becomes a stopped state.
 */
export function createRecorder(options: RecorderOptions): Recorder {
	const now = options.now ?? Date.now;
	const {paths} = options;
	let lock: StoreLock | null = null;
	let writer: StoreWriter | null = null;
	let status: RecordingStatus;
	let nextAttempt = 0;
	let lastLockCheck = now();
	let lastEvent: EventEntry | undefined;
	let {held, resume} = options;

	const tryWrite = (): RecordingStatus => {
		try {
			mkdirSync(paths.dir, {recursive: true, mode: 0o700});
		} catch (error) {
			if (held?.kind === 'held') held.lock.release();
			held = undefined;
			nextAttempt = now() + retryAfterMs;
			return {kind: 'stopped', text: `recording stopped: cannot create ${paths.dir} (${reasonOf(error)})`, path: paths.store};
		}

		const result = held ?? acquireLock(paths.lock, options.role);
		const resumeFrom = held?.kind === 'held' ? resume : undefined;
		held = undefined;
		resume = undefined;
		if (result.kind === 'busy') {
			nextAttempt = now() + takeOverEveryMs;
			if (result.holder === null && /ENOSPC|EDQUOT|EROFS|EACCES/.test(result.reason)) {
				return {kind: 'stopped', text: `recording stopped: ${result.reason}`, path: paths.store};
			}

			return {kind: 'reading', text: `read-only: ${result.holder === null ? result.reason : `${describeHolder(result.holder)} records`}`, path: paths.store};
		}

		try {
			writer = StoreWriter.open(paths.store, options.identity, {sync: options.sync, resume: resumeFrom});
		} catch (error) {
			result.lock.release();
			if (error instanceof StoreError && error.kind !== 'io') throw error;
			nextAttempt = now() + retryAfterMs;
			return {kind: 'stopped', text: `recording stopped: ${reasonOf(error)}`, path: paths.store};
		}

		lock = result.lock;
		options.history.tapping = true;
		return {kind: 'recording', text: 'recording', path: paths.store};
	};

	const stop = (why: string): EventEntry => {
		status = {kind: 'stopped', text: `recording stopped: ${why}`, path: paths.store};
		nextAttempt = now() + retryAfterMs;
		return {at: now(), level: 'UNKNOWN', key: 'recording', text: `recording stopped: ${why} (the monitor goes on; tried again every ${retryAfterMs / 1000} s)`};
	};

	try {
		status = tryWrite();
	} catch (error) {
		if (error instanceof StoreError && error.kind !== 'io') throw error;
		status = {kind: 'stopped', text: `recording stopped: ${reasonOf(error)}`, path: paths.store};
		nextAttempt = now() + retryAfterMs;
	}

	const newEvents = (events: readonly EventEntry[]): EventEntry[] => {
		if (events.length === 0) return [];
		const index = lastEvent === undefined ? -1 : events.lastIndexOf(lastEvent);
		const fresh = index === -1 && lastEvent !== undefined ? events.filter(event => event.at > lastEvent!.at) : events.slice(index + 1);
		lastEvent = events.at(-1);
		return fresh;
	};

	return {
		status: () => status,
		skipEvents(events) {
			lastEvent = events.at(-1) ?? lastEvent;
		},
		record(frame) {
			const samples = options.history.drain();
			const events = newEvents(frame.events);
			// Stopped or reading only: try again now and then; meanwhile the readings stay in memory only.
			if (status.kind !== 'recording' && now() < nextAttempt) return null;
			if (writer === null) {
				const before = status.kind;
				try {
					status = tryWrite();
				} catch (error) {
					return stop(error instanceof Error ? error.message : String(error));
				}

				if (status.kind === 'recording' && before !== 'recording') {
					return {at: now(), level: 'INFO', key: 'recording', text: `recording ${before === 'stopped' ? 'resumed' : 'taken over'}: ${paths.store}`};
				}

				return null;
			}

			if (now() - lastLockCheck >= lockCheckEveryMs) {
				lastLockCheck = now();
				if (lock !== null && !(lock as StoreLock).stillOurs()) {
					// Another process judged this one dead and took the store: two writers would tear it.
					(writer as StoreWriter).close();
					writer = null;
					lock = null;
					options.history.tapping = false;
					status = {kind: 'reading', text: 'read-only: another va-top took the lock over', path: paths.store};
					nextAttempt = now() + takeOverEveryMs;
					return {at: now(), level: 'UNKNOWN', key: 'recording', text: 'recording stopped: another va-top took the store over'};
				}
			}

			const names = new Map<string, string>();
			for (const instance of frame.snapshot.docker.instances) names.set(instance.id, instance.name);
			const rows: StoreSample[] = samples.map(sample => ({...sample, name: names.get(sample.key.slice(sample.key.indexOf(':') + 1)) ?? null}));
			try {
				(writer as StoreWriter).appendReading(frame.snapshot.at, rows);
				(writer as StoreWriter).appendEvents(events.map(event => ({...event, text: scrubSecrets(event.text, options.secrets)})));
			} catch (error) {
				return stop(reasonOf(error));
			}

			if (status.kind !== 'recording') {
				status = {kind: 'recording', text: 'recording', path: paths.store};
				return {at: now(), level: 'INFO', key: 'recording', text: `recording resumed: ${paths.store}`};
			}

			return null;
		},
		close() {
			try {
				(writer as StoreWriter | null)?.close();
			} catch {
				// Closing after a failed disk: what was written stays as it is.
			}

			writer = null;
			(lock as StoreLock | null)?.release();
			lock = null;
		},
	};
}
