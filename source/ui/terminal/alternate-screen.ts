// The one place that enters and leaves the alternate screen. Every way out (q, Ctrl-C, SIGTERM, SIGHUP,
// an uncaught error, process exit) leaves it exactly once, with the cursor shown and raw mode off, so the shell
// prompt comes back clean. Ink 6 has no alternateScreen option, hence this.

export const enterAlternateScreen = '\u001B[?1049h';
export const leaveAlternateScreen = '\u001B[?1049l';
export const showCursor = '\u001B[?25h';

/** Exit codes: 128 + signal number for signals, EX_SOFTWARE for a crash. */
export const exitCodes = {quit: 0, SIGHUP: 129, SIGINT: 130, SIGTERM: 143, crash: 70} as const;

type Signal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';
const signals: readonly Signal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface OutputLike {
	write(chunk: string): unknown;
	on?(event: 'error', listener: (error: Error) => void): unknown;
	off?(event: 'error', listener: (error: Error) => void): unknown;
}

export interface InputLike {
	isTTY?: boolean;
	setRawMode?(mode: boolean): unknown;
}

/** The bits of `process` used here; tests pass an EventEmitter. */
export interface ProcessLike {
	on(event: string, listener: (...args: any[]) => void): unknown;
	off(event: string, listener: (...args: any[]) => void): unknown;
	exit(code?: number): unknown;
	env: Record<string, string | undefined>;
}

export interface TerminalSessionOptions {
	stdout: OutputLike;
	stdin?: InputLike;
	stderr?: OutputLike;
	proc?: ProcessLike;
	/** Unmounts the UI; called before leaving, so Ink's last writes land on the alternate screen, not the shell's. */
	teardown?: () => void;
	/** A signal arrived (after teardown and leave): the caller resolves with the code and stops its sources. */
	onSignal?: (code: number, signal: Signal) => void;
	/** After a signal, exit with its code anyway if the caller has not finished within this time. */
	graceMs?: number;
}

export interface TerminalSession {
	/** Tears the UI down and leaves the alternate screen; safe to call any number of times. */
	restore(): void;
	/** Removes the process handlers: call after a normal exit. */
	dispose(): void;
}

/** `va-top: message` on one line; the stack only with VA_TOP_DEBUG. */
export function crashLine(error: unknown, debug: boolean): string {
	if (debug && error instanceof Error && error.stack) return `va-top: ${error.stack}\n`;
	const message = error instanceof Error ? error.message : String(error);
	const line = message.split(/\r?\n/, 1)[0]!.trim() || 'unexpected error';
	return `va-top: ${line}\n`;
}

function safely(action: () => unknown): void {
	try {
		action();
	} catch {
		// The terminal may be gone (SIGHUP, EIO): nothing useful left to do with the error.
	}
}

export function openTerminalSession(options: TerminalSessionOptions): TerminalSession {
	const {stdout, stdin, stderr, teardown, onSignal} = options;
	const proc = options.proc ?? (process as unknown as ProcessLike);
	const graceMs = options.graceMs ?? 3000;
	let left = false;
	let disposed = false;

	const restore = () => {
		if (left) return;
		left = true;
		if (teardown) safely(teardown);
		if (stdin?.isTTY && stdin.setRawMode) safely(() => stdin.setRawMode!(false));
		safely(() => stdout.write(showCursor + leaveAlternateScreen));
	};

	let signalled = false;
	const onSignalEvent = (signal: Signal) => {
		const code = exitCodes[signal];
		// A second signal while shutting down: the user insists, exit now.
		if (signalled) {
			proc.exit(code);
			return;
		}

		signalled = true;
		restore();
		if (onSignal) {
			safely(() => onSignal(code, signal));
			// Unref'd: it only fires if something (a hung source) would keep the process alive.
			const timer = setTimeout(() => proc.exit(code), graceMs);
			(timer as {unref?: () => void}).unref?.();
		} else {
			proc.exit(code);
		}
	};

	const handlers = new Map<Signal, () => void>(signals.map(signal => [signal, () => onSignalEvent(signal)]));

	const onCrash = (error: unknown) => {
		restore();
		dispose();
		safely(() => (stderr ?? {write: () => undefined}).write(crashLine(error, Boolean(proc.env['VA_TOP_DEBUG']))));
		proc.exit(exitCodes.crash);
	};

	// Writing to a closed terminal: behave as on hang-up instead of crashing on an 'error' event.
	const onOutputError = () => onSignalEvent('SIGHUP');
	const onExit = () => restore();

	function dispose() {
		// After a signal the handlers stay until the process ends: Ink's signal-exit re-raises the signal (killing
		// the process before the caller can stop its sources) as soon as it is the only listener left.
		if (disposed || signalled) return;
		disposed = true;
		for (const [signal, handler] of handlers) proc.off(signal, handler);
		proc.off('uncaughtException', onCrash);
		proc.off('unhandledRejection', onCrash);
		proc.off('exit', onExit);
		stdout.off?.('error', onOutputError);
	}

	for (const [signal, handler] of handlers) proc.on(signal, handler);
	proc.on('uncaughtException', onCrash);
	proc.on('unhandledRejection', onCrash);
	proc.on('exit', onExit);
	stdout.on?.('error', onOutputError);
	safely(() => stdout.write(enterAlternateScreen));

	return {restore, dispose};
}
