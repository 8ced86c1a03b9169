// A real terminal for tests: a tmux pane of a given size, read with capture-pane, driven with send-keys.
import {execFile} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {promisify} from 'node:util';
import {waitFor} from './services.js';

const run = promisify(execFile);

export async function tmuxAvailable(): Promise<boolean> {
	try {
		await run('tmux', ['-V']);
		return true;
	} catch {
		return false;
	}
}

export interface Pane {
	readonly session: string;
	/** The screen as text, one string per row. */
	capture(): Promise<string>;
	/** tmux key names or literal text (literal: true sends it as typed). */
	send(keys: string[], options?: {literal?: boolean}): Promise<void>;
	/** Types a shell command line and presses Enter. */
	type(line: string): Promise<void>;
	/** A tmux format, e.g. #{alternate_on}, #{cursor_flag}, #{pane_pid}. */
	display(format: string): Promise<string>;
	resize(width: number, height: number): Promise<void>;
	/** Waits until the screen matches, and returns it; on timeout the error shows the last screen. */
	waitForScreen(pattern: RegExp | ((screen: string) => boolean), timeoutMs?: number): Promise<string>;
	kill(): Promise<void>;
}

/** A private tmux server per pane (-L), so tests never touch an operator's sessions. */
export async function openPane(options: {width: number; height: number; env?: Record<string, string>}): Promise<Pane> {
	const socket = `va-top-test-${randomBytes(4).toString('hex')}`;
	const session = 'test';
	const tmux = async (args: string[]) => (await run('tmux', ['-L', socket, '-f', '/dev/null', ...args], {timeout: 10_000})).stdout;
	const env = Object.entries({PS1: '$ ', TERM: 'xterm-256color', ...options.env}).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
	await tmux(['new-session', '-d', '-s', session, '-x', String(options.width), '-y', String(options.height), ...env, 'bash --norc --noprofile']);
	await tmux(['set-option', '-t', session, 'status', 'off']);
	// A pane can be smaller than the window's size was; force it.
	await tmux(['resize-window', '-t', session, '-x', String(options.width), '-y', String(options.height)]).catch(() => undefined);

	const pane: Pane = {
		session,
		capture: async () => tmux(['capture-pane', '-p', '-t', session]),
		async send(keys, sendOptions) {
			await tmux(['send-keys', '-t', session, ...(sendOptions?.literal ? ['-l'] : []), ...keys]);
		},
		async type(line) {
			await tmux(['send-keys', '-t', session, '-l', line]);
			await tmux(['send-keys', '-t', session, 'Enter']);
		},
		display: async format => (await tmux(['display-message', '-p', '-t', session, format])).trim(),
		async resize(width, height) {
			await tmux(['resize-window', '-t', session, '-x', String(width), '-y', String(height)]);
		},
		async waitForScreen(pattern, timeoutMs = 10_000) {
			const test = typeof pattern === 'function' ? pattern : (screen: string) => pattern.test(screen);
			let last = '';
			try {
				return await waitFor(
					async () => {
						last = await pane.capture();
						return test(last) ? last : undefined;
					},
					{timeoutMs, intervalMs: 50},
				);
			} catch {
				throw new Error(`screen never matched ${String(pattern)} within ${timeoutMs} ms; last screen:\n${last}`);
			}
		},
		async kill() {
			await tmux(['kill-server']).catch(() => undefined);
		},
	};
	return pane;
}
