// Every fault test records what it checked and the figures it measured, survived or not, as one JSON file in
// test/faults/.results/ (or $VA_TOP_FAULT_RESULTS). scripts/faults-report.mjs turns them into docs/reliability.md.
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {it} from 'vitest';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const resultsDir = process.env.VA_TOP_FAULT_RESULTS || path.join(root, 'test/faults/.results');

export type Group = 'fault' | 'bad-input' | 'security';

export interface FaultMeta {
	/** Stable, file-name safe: also the results file's name. */
	id: string;
	group: Group;
	/** Where it sits in its table. */
	order: number;
	/** The row's first column: what was done to va-top. */
	title: string;
	/** What must hold, in a few words. */
	checked: string;
	/** Only with VA_TOP_SLOW_FAULTS=1 (said in the table). */
	slow?: boolean;
}

export interface FaultRecord extends FaultMeta {
	survived: boolean;
	figures: string[];
	/** Bad inputs: how many were tried. */
	tried?: number;
	error?: string;
	/** Why it was not run (it was skipped on purpose); the table says so. */
	skipped?: string;
	durationMs: number;
	at: string;
}

export interface Recorder {
	/** A measured figure for the table, e.g. "stale shown after 3.1 s". */
	figure(text: string): void;
	/** For the bad-input table. */
	tried(count: number): void;
}

export const slowFaults = process.env.VA_TOP_SLOW_FAULTS === '1';

function write(record: FaultRecord): void {
	mkdirSync(resultsDir, {recursive: true});
	writeFileSync(path.join(resultsDir, `${record.id}.json`), `${JSON.stringify(record, null, 2)}\n`);
}

/** `it(title, ...)` that records the outcome and the figures, whether the test passes or not. */
export function faultTest(meta: FaultMeta, body: (recorder: Recorder) => Promise<void> | void, timeoutMs = 60_000): void {
	it(meta.title, async () => {
		const figures: string[] = [];
		let tried: number | undefined;
		const started = Date.now();
		const recorder: Recorder = {
			figure: text => figures.push(text),
			tried: count => {
				tried = count;
			},
		};
		try {
			await body(recorder);
			write({...meta, survived: true, figures, tried, durationMs: Date.now() - started, at: new Date().toISOString()});
		} catch (error) {
			const message = error instanceof Error ? error.message.split('\n').slice(0, 3).join(' ') : String(error);
			write({...meta, survived: false, figures, tried, error: message, durationMs: Date.now() - started, at: new Date().toISOString()});
			throw error;
		}
	}, timeoutMs);
}

/** For a fault skipped on purpose (e.g. it would disturb a shared machine): its row says why instead of vanishing. */
export function recordNotRun(meta: FaultMeta, reason: string): void {
	write({...meta, survived: false, figures: [], skipped: reason, durationMs: 0, at: new Date().toISOString()});
}

/** 3140 → "3.1 s". */
export function seconds(ms: number): string {
	return `${(ms / 1000).toFixed(1)} s`;
}

/** 91234567 → "87.0 MB" (MiB, as ps and top count). */
export function megabytes(bytes: number): string {
	return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
