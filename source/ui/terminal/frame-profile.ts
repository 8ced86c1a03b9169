// VA_TOP_PROFILE=FILE: one JSON line per frame, {renderMs, bytes, atMs}: renderMs from the tick that asked for it to
// the bytes written, atMs when they were written (ms since the process started). Read by the benchmark; off (and
// free) otherwise.
import {openSync, writeSync} from 'node:fs';
import {performance} from 'node:perf_hooks';

const file = process.env['VA_TOP_PROFILE'];
let fd: number | undefined;
let tickAt: number | undefined;

/** A tick began: the frame it causes is measured from here. */
export function markTick(): void {
	if (file !== undefined) tickAt ??= performance.now();
}

/** A frame reached the terminal. */
export function markFrameWritten(bytes: number): void {
	if (file === undefined || tickAt === undefined) return;
	const now = performance.now();
	const renderMs = Math.round((now - tickAt) * 1000) / 1000;
	tickAt = undefined;
	try {
		// Opened once and kept: an open and close per frame cost more than the frame's own write.
		fd ??= openSync(file, 'a');
		writeSync(fd, `${JSON.stringify({renderMs, bytes, atMs: Math.round(now)})}\n`);
	} catch {
		// Profiling must never take the screen down.
	}
}

/** A step of the start reached (the benchmark splits launch → first frame by these): {phase, atMs}. */
export function markPhase(phase: string): void {
	if (file === undefined) return;
	try {
		fd ??= openSync(file, 'a');
		writeSync(fd, `${JSON.stringify({phase, atMs: Math.round(performance.now())})}\n`);
	} catch {
		// Profiling must never take the screen down.
	}
}
