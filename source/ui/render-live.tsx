// Entry for the CLI: `va-top` without --once. Mounts <App/> full screen and resolves with the exit code
// (0 q, 130 Ctrl-C/SIGINT, 143 SIGTERM, 129 SIGHUP, 70 a crash). The caller starts and stops the stack.
// The screen's lines go straight to ScreenWriter, which writes only the changed ones (see screen-writer.ts for why
// not Ink 6.8's incrementalRendering); Ink, in debug mode, only writes a frame of its own on a render error.
import {render, type Instance} from 'ink';
import React from 'react';
import type {ActionRunner} from '../actions/action-runner.js';
import type {Autoscaler} from '../actions/autoscaler.js';
import {createMonitor, type Monitor} from '../core/monitor.js';
import type {Options} from '../config/options.js';
import {redactUrl} from '../core/redact.js';
import type {AnySourceModel} from '../core/source-model.js';
import {App} from './app.js';
import type {FrameOutput} from './contexts/frame-output-context.js';
import type {ScreenSettings} from './contexts/monitor-state-context.js';
import type {SnapshotSource} from './hooks/use-monitor.js';
import {sgrSupported} from './layout/styled-text.js';
import {colorEnabled} from './layout/symbols.js';
import {crashLine, exitCodes, openTerminalSession, type ProcessLike} from './terminal/alternate-screen.js';
import {ScreenWriter} from './terminal/screen-writer.js';

/** What the screen needs of a stack (createStack's Stack fits). */
export interface LiveStack extends SnapshotSource {
	readonly mode: 'live' | 'demo';
	/** The sources' models (the registry's); omitted: none. */
	readonly models?: readonly AnySourceModel[];
}

/** What the screen needs of the options: the CLI's Options fits; readOnly and dryRun come with the actions. */
export type LiveOptions = Pick<Options, 'project' | 'service' | 'dockerHost' | 'thresholds' | 'intervalMs' | 'max' | 'bell' | 'color'> & {
	readOnly?: boolean;
	dryRun?: boolean;
	min?: number;
};

export interface RenderLiveOptions {
	stack: LiveStack;
	options: LiveOptions;
	stdout?: NodeJS.WriteStream;
	stdin?: NodeJS.ReadStream;
	stderr?: NodeJS.WriteStream;
	/** Defaults to a new monitor with the options' thresholds. */
	monitor?: Monitor;
	env?: NodeJS.ProcessEnv;
	proc?: ProcessLike;
	/** Scale and drain (createActions' runner); omitted: a monitor without action keys. */
	runner?: ActionRunner | null;
	/** The autoscaler (its preview line, A and its countdown); omitted: no autoscale line. */
	autoscaler?: Autoscaler | null;
	autoscaleSummary?: string;
	/** The S key: writes an incident snapshot (and logs its path); omitted: S does nothing. */
	onSnapshot?: () => void;
}

/** Frames are paced by the interval; this only caps bursts (keys, resize). Low for slow SSH links. */
export const maxFps = 10;
export const bell = '\u0007';

export function screenSettings(stack: LiveStack, options: LiveOptions, env: NodeJS.ProcessEnv = process.env): ScreenSettings {
	return {
		project: options.project,
		service: options.service,
		// Until the first snapshot names the endpoint the collector really uses.
		dockerEndpoint: redactUrl(options.dockerHost ?? 'unix:///var/run/docker.sock'),
		mode: stack.mode,
		readOnly: options.readOnly ?? false,
		dryRun: options.dryRun ?? false,
		intervalMs: Math.max(100, Math.round(options.intervalMs)),
		thresholds: options.thresholds,
		min: options.min ?? 2,
		max: options.max,
		color: colorEnabled(!options.color, env),
		sources: stack.models,
	};
}

export function renderLive({stack, options, stdout = process.stdout, stdin = process.stdin, stderr = process.stderr, monitor, env = process.env, proc, runner = null, autoscaler = null, autoscaleSummary, onSnapshot}: RenderLiveOptions): Promise<number> {
	const settings = screenSettings(stack, options, env);
	const liveMonitor = monitor ?? createMonitor({thresholds: options.thresholds, sources: stack.models, intervalMs: options.intervalMs});
	return new Promise<number>(resolve => {
		let instance: Instance | undefined;
		let screen: ScreenWriter | undefined;
		let done = false;
		const session = openTerminalSession({
			stdout,
			stdin,
			stderr,
			proc,
			teardown() {
				instance?.unmount();
				screen?.close();
			},
			onSignal: code => finish(code),
		});

		function finish(code: number, error?: unknown) {
			if (done) return;
			done = true;
			session.restore();
			session.dispose();
			// After leaving the alternate screen, so the message stays on the shell's screen.
			if (error !== undefined) stderr.write(crashLine(error, Boolean(env['VA_TOP_DEBUG'])));
			resolve(code);
		}

		const ring = options.bell ? () => stdout.write(bell) : undefined;
		const writer = new ScreenWriter(stdout, {maxFps});
		screen = writer;
		// Frames go to the writer as lines: Ink only reconciles and reads keys (see frame-output-context.ts).
		const output: FrameOutput = {sgr: sgrSupported(stdout, env), draw: lines => writer.draw(lines)};
		instance = render(<App stack={stack} monitor={liveMonitor} settings={settings} onQuit={code => finish(code)} onBell={ring} runner={runner} output={output} autoscaler={autoscaler} autoscaleSummary={autoscaleSummary} onSnapshot={onSnapshot} />, {
			stdout: screen as unknown as NodeJS.WriteStream,
			stdin,
			stderr,
			debug: true,
			maxFps,
			exitOnCtrlC: false,
			patchConsole: false,
		});
		// A render error: Ink's error boundary exits the app with it.
		instance.waitUntilExit().then(
			() => finish(exitCodes.quit),
			(error: unknown) => finish(exitCodes.crash, error),
		);
	});
}
