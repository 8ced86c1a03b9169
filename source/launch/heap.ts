// V8 heap settings for a program that runs for hours with a small live heap (~25 MB) and a steady trickle of
// short-lived allocations (a frame a second). By default V8 grows the young generation to two 16 MB semi-spaces
// within seconds of launch, all of it resident: a third of va-top's memory, for no measurable gain in CPU.
import {setFlagsFromString} from 'node:v8';

/**
 * Keeps the young generation at its initial size (1 MB semi-spaces), as `node --max-semi-space-size=1` would.
 * A bin cannot pass node flags portably (`#!/usr/bin/env -S` is missing from busybox and older coreutils, and a
 * re-exec doubles the process tree), but V8 reads this flag each time it would grow the young generation, so
 * setting it at run time, before the modules load, has the same effect.
 */
export const heapFlags: readonly string[] = ['--semi-space-growth-factor=1'];

/** Flags of node's own command line or NODE_OPTIONS that size the young generation: the user's choice wins. */
const youngGenerationFlag = /^--(?:max|min)[-_]semi[-_]space[-_]size|^--semi[-_]space[-_]growth[-_]factor/;

/** V8 majors known to have the flag: an unknown flag makes V8 print an error on stderr (Node 20 has V8 11). */
const knownV8 = (version: string) => {
	const major = Number.parseInt(version, 10);
	return major >= 10 && major <= 13;
};

export interface HeapContext {
	/** process.execArgv */
	execArgv: readonly string[];
	/** process.env */
	env: NodeJS.ProcessEnv;
	/** process.versions.v8 */
	v8Version: string;
}

/** The flags to apply in this context: none when the user sized the heap or asked for V8's defaults. */
export function heapFlagsFor({execArgv, env, v8Version}: HeapContext): readonly string[] {
	if (env['VA_TOP_V8_DEFAULTS']) return [];
	if (!knownV8(v8Version)) return [];
	const given = [...execArgv, ...(env['NODE_OPTIONS'] ?? '').split(/\s+/)];
	if (given.some(arg => youngGenerationFlag.test(arg))) return [];
	return heapFlags;
}

/** Applies heapFlagsFor(context) to this process's V8 and returns them. */
export function tuneHeap(context: HeapContext = {execArgv: process.execArgv, env: process.env, v8Version: process.versions.v8}, set: (flags: string) => void = setFlagsFromString): readonly string[] {
	const flags = heapFlagsFor(context);
	for (const flag of flags) set(flag);
	return flags;
}
