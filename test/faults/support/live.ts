// The built va-top in a real tmux pane: started by the pane's shell as a user would, its pid found, its exit code read
// from the shell, its screen captured.
import {execFile} from 'node:child_process';
import {existsSync} from 'node:fs';
import path from 'node:path';
import {promisify} from 'node:util';
import {waitFor} from '../../support/services.js';
import {openPane, type Pane} from '../../support/tmux.js';
import {root} from './results.js';

const run = promisify(execFile);

export const cli = path.join(root, 'dist/cli.js');

export function requireBuilt(): void {
	if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (npm test does)`);
}

/** One argument as the shell should see it, literally. */
export function shellQuote(value: string): string {
	return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export interface LiveRun {
	pane: Pane;
	/** va-top's pid (the pane shell's child). */
	pid: number;
	/** Resolves with the exit code the shell printed. */
	exitCode(timeoutMs?: number): Promise<number>;
	/** Whether the process is still there. */
	alive(): boolean;
	/** Kills the pane (and va-top with it, if still running). */
	close(): Promise<void>;
}

export interface LaunchOptions {
	width?: number;
	height?: number;
	env?: Record<string, string>;
	/** Options for node itself, e.g. ['--import', file]. */
	nodeArgs?: string[];
}

/** Starts `node dist/cli.js ARGS` in a fresh pane and waits until its process exists. */
export async function launch(args: readonly string[], options: LaunchOptions = {}): Promise<LiveRun> {
	requireBuilt();
	const pane = await openPane({width: options.width ?? 120, height: options.height ?? 40, env: options.env});
	const command = [process.execPath, ...(options.nodeArgs ?? []), cli, ...args].map(shellQuote).join(' ');
	// `clear` first so an exit line can only be this run's.
	await pane.type(`clear; ${command}; echo "exit=$?"`);
	const shellPid = await pane.display('#{pane_pid}');
	const pid = await waitFor(
		async () => {
			// Its name is node until meow sets process.title to va-top; `clear` may still be there a moment before.
			const {stdout} = await run('ps', ['-o', 'pid=,comm=', '--ppid', shellPid]).catch(() => ({stdout: ''}));
			const found = stdout
				.trim()
				.split('\n')
				.map(line => line.trim().split(/\s+/))
				.filter(([, comm]) => comm === 'node' || comm === 'va-top')
				.map(([pid]) => Number(pid));
			return found.length === 1 ? found[0] : undefined;
		},
		{timeoutMs: 10_000, intervalMs: 50, message: 'va-top process started'},
	);
	return {
		pane,
		pid,
		async exitCode(timeoutMs = 10_000) {
			const screen = await pane.waitForScreen(/exit=\d+/, timeoutMs);
			return Number(/exit=(\d+)/.exec(screen)![1]);
		},
		alive() {
			try {
				process.kill(pid, 0);
				return true;
			} catch {
				return false;
			}
		},
		async close() {
			await pane.kill();
		},
	};
}

/** The screen's rows. */
export function rows(screen: string): string[] {
	return screen.split('\n');
}

/** The third header line: data age and each source's state. */
export function sourcesLine(screen: string): string {
	return rows(screen)[2] ?? '';
}

/** Milliseconds since `from`. */
export function since(from: number): number {
	return Date.now() - from;
}

/** The table row of the instance whose name ends with `suffix`, or undefined when it is not on screen. */
export function instanceRow(screen: string, suffix: string): string | undefined {
	return rows(screen).find(line => new RegExp(`^[ ▸] \\S*${suffix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `).test(line));
}

/** Samples in the row's CPU trend: one block character per reading still in the trend's window. */
export function trendCells(screen: string, suffix: string): number {
	const row = instanceRow(screen, suffix);
	const match = row === undefined ? null : /([▁▂▃▄▅▆▇█]+)\s*$/.exec(row);
	return match ? [...match[1]!].length : 0;
}

/** Waits until the screen passes `test`; the error names `what` and shows the last screen. */
export async function waitScreen(run: LiveRun, what: string, test: (screen: string) => boolean, timeoutMs = 10_000): Promise<string> {
	let last = '';
	try {
		return await waitFor(
			async () => {
				last = await run.pane.capture();
				return test(last) ? last : undefined;
			},
			{timeoutMs, intervalMs: 50},
		);
	} catch {
		throw new Error(`never on screen within ${timeoutMs} ms: ${what}; last screen:\n${last}`);
	}
}
