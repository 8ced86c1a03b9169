#!/usr/bin/env node
// Entry point: parse and validate, then either the one-shot check or the live monitor.
// First: heap settings, NODE_ENV and warnings, before any other module loads.
import './source/launch/prelude.js';
import {readFileSync} from 'node:fs';
import meow from 'meow';
import {tuneHeap} from './source/launch/heap.js';
import {camelCase, flagSpecs} from './source/config/flags.js';
import {helpText} from './source/config/help.js';
import {checkArgv, checkConfig, resolveOptions, type RawFlags} from './source/config/options.js';
import {UsageError} from './source/config/usage-error.js';
import {scrubSecrets} from './source/core/redact.js';
import {sources} from './source/sources/registry.js';
import {markPhase} from './source/ui/terminal/frame-profile.js';
import type {DemoStack} from './source/sources/demo/demo-stack.js';
import type {Stack} from './source/sources/stack.js';

async function main(argv: string[]): Promise<number> {
	checkArgv(argv);
	const cli = meow(helpText(), {
		importMeta: import.meta,
		argv,
		autoHelp: false,
		autoVersion: false,
		allowUnknownFlags: true,
		flags: Object.fromEntries(flagSpecs.map(spec => [camelCase(spec.name), {type: spec.kind === 'boolean' ? 'boolean' : 'string', ...(spec.repeatable ? {isMultiple: true} : {})}])) as never,
	});
	const given = new Set(argv.filter(token => token.startsWith('--')).map(token => token.slice(2).split('=')[0]!.replace(/^no-/, '')));
	const flags: RawFlags = {};
	for (const spec of flagSpecs) {
		if (given.has(spec.name)) flags[spec.name] = (cli.flags as Record<string, string | boolean | string[]>)[camelCase(spec.name)];
	}

	if (flags.help === true || argv.includes('-h')) {
		process.stdout.write(`\n  ${cli.pkg.description ?? ''}\n\n${helpText().replace(/^/gm, '  ')}\n`);
		return 0;
	}

	if (flags.version === true) {
		process.stdout.write(`${cli.pkg.version ?? 'unknown'}\n`);
		return 0;
	}

	let config: RawFlags = {};
	if (typeof flags.config === 'string') {
		const file = flags.config;
		let content: string;
		try {
			content = readFileSync(file, 'utf8');
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code;
			throw new UsageError(`--config: cannot read "${file}" (${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'a directory' : (code ?? 'error')}), expected a JSON file`);
		}

		config = checkConfig(content, file);
	}

	markPhase('options');
	const started = Date.now();
	const resolved = resolveOptions(flags, config, process.env);
	// Loaded only now: the data sources and the screen's modules (dockerode, pg, ioredis; Ink, React, yoga), which
	// bad input, --help and --version never need (the fault suite sends hundreds of bad inputs through this binary).
	const {openStack, resolveWorkload} = await import('./source/sources/live-stack.js');
	// Compose or a Swarm service: one question to the engine (a --swarm-service the manager lacks is bad input).
	markPhase('sources-loaded');
	const options = await resolveWorkload(resolved);
	// The live monitor's recorded hour is read on a worker thread while the stack opens and the screen loads.
	const live = !options.once && !options.record && !options.autoscale.headless && process.stdout.isTTY;
	const history = live ? await import('./source/record/open-history.js') : undefined;
	markPhase('history-module');
	const begun = history?.beginHistory(options, 'live') ?? null;
	markPhase('history-begun');
	let stack: Stack;
	let demo: DemoStack | undefined;
	try {
		({stack, demo} = await openStack(options, sources));
	} catch (error) {
		history?.abandonHistory(begun);
		throw error;
	}

	markPhase('stack-open');
	if (options.once) {
		const {runOnce, onceDeadlineMs} = await import('./source/commands/once.js');
		// The check still ends within its deadline, the question included.
		return runOnce(stack, options, text => process.stdout.write(text), Math.max(1000, onceDeadlineMs - (Date.now() - started)), sources);
	}

	if (options.record) {
		const {runRecord, processStopSignal} = await import('./source/commands/record.js');
		// Loaded, and running for days: the same small-heap settings as the monitor (source/launch/heap.ts).
		tuneHeap('running');
		return runRecord(stack, options, {write: text => process.stdout.write(text), stopSignal: processStopSignal()});
	}

	if (options.autoscale.headless) {
		const {runHeadlessAutoscale, stopSignal} = await import('./source/commands/autoscale.js');
		return runHeadlessAutoscale(stack, options, {write: text => process.stdout.write(text), error: text => process.stderr.write(`${text}\n`), stopSignal: stopSignal()}, demo);
	}

	// The readings start while the screen's modules load (~70 ms), so the first frame with numbers comes that much
	// sooner; runLive's own start() is then a no-op. Only on a terminal: without one runLive refuses before its
	// cleanup (which stops the stack) is in place.
	if (process.stdout.isTTY) stack.start();
	let screen: typeof import('./source/commands/live.js');
	try {
		screen = await import('./source/commands/live.js');
	} catch (error) {
		history?.abandonHistory(begun);
		await stack.stop();
		throw error;
	}

	markPhase('screen-loaded');
	// Loaded: from here on a small heap is worth more than a fast-growing one (source/launch/heap.ts).
	tuneHeap('running');

	return screen.runLive(stack, options, demo, {begun});
}

main(process.argv.slice(2)).then(
	code => {
		process.exitCode = code;
	},
	(error: unknown) => {
		if (error instanceof UsageError) {
			// scrubSecrets, not redactUrl: a message that begins `PGPORT: …` parses as a URL, whose scheme redactUrl lowercased.
			process.stderr.write(`va-top: ${scrubSecrets(error.message, [])}\n`);
			process.exitCode = 64;
			return;
		}

		const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
		process.stderr.write(`va-top: ${scrubSecrets(message ?? 'unknown error', [])}\n`);
		if (process.env.VA_TOP_DEBUG && error instanceof Error) process.stderr.write(`${error.stack ?? ''}\n`);
		process.exitCode = 70;
	},
);
