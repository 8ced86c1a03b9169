// VA_TOP_PROFILE=FILE: one JSON line per frame, {renderMs, bytes}, from the tick that asked for it to the bytes
// written. Read by the benchmark; off (and free) otherwise.
import {appendFileSync} from 'node:fs';
import {performance} from 'node:perf_hooks';

const file = process.env['VA_TOP_PROFILE'];
let tickAt: number | undefined;

/** A tick began: the frame it causes is measured from here. */
export function markTick(): void {
	if (file !== undefined) tickAt ??= performance.now();
}

/** A frame reached the terminal. */
export function markFrameWritten(bytes: number): void {
	if (file === undefined || tickAt === undefined) return;
	const renderMs = Math.round((performance.now() - tickAt) * 1000) / 1000;
	tickAt = undefined;
	try {
		appendFileSync(file, `${JSON.stringify({renderMs, bytes})}\n`);
	} catch {
		// Profiling must never take the screen down.
	}
}
