#!/usr/bin/env node
// `npm run bench`: the monitor's own cost (CPU, memory, the Docker engine's CPU, terminal bytes, first
// frame, key-to-frame latency, render time) against `docker stats` and glances, on the same real
// containers in the same 120x40 tmux pane. Writes bench/results/latest.{json,md}; --soak writes soak.{json,md}.
//
// usage: node bench/run-bench.mjs [--sizes 10,50,200] [--variants idle,busy] [--seconds 30] [--warmup 5]
//          [--keys 12] [--rounds 1] [--tools va-top,va-top-api,docker-stats,glances] [--out bench/results] [--soak SECONDS]
//          [--va-top-cli dist/cli.js] [--engine private|soak|main] [--http SECONDS] [--no-http-case]
// The access-log case (nginx logging ~2,000 requests/s, va-top with and without reading it) runs after the sizes;
// --http SECONDS runs only it (results/http.{json,md}); --no-http-case skips it.
// --tools va-top-sentinel,va-top-cluster: va-top also watching a data tier of the benchmark's own (a primary with two
// streaming replicas, the Qdrant stand-in, and three sentinels or a six-node cluster; bench/lib/tier.mjs).
// --engine private (default): the containers run on a Docker engine of the benchmark's own (bench/engine.sh),
// so the engine's CPU is the tools' alone; main: on the machine's engine, shared with everyone else.
// Needs: the Docker engine, PostgreSQL and Redis of scripts/services-up.sh, a built dist/ (npm run build),
// and glances (bench/setup-bench.sh). Containers are labelled va-top.bench=1 and always removed at the end.
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync} from 'node:fs';
import {cpus, tmpdir, totalmem} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {fileURLToPath} from 'node:url';
import {busyCount, countRunning, createContainers, dockerVersion, projectName, removeBenchContainers, useDockerSocket} from './lib/containers.mjs';
import {combineRounds, medianDeep} from './lib/combine.mjs';
import {measureBaseline, measureTool} from './lib/measure.mjs';
import {killBenchTmuxServer, Pane, useTmuxSocket} from './lib/pane.mjs';
import {cpuSeconds, engineCpu, enginePids, processTree, rssBytes} from './lib/proc.mjs';
import {markdown, soakMarkdown} from './lib/report.mjs';
import {screenSummary, firstFullFrame} from './lib/screen.mjs';
import {slope} from './lib/stats.mjs';
import {startTier} from './lib/tier.mjs';
import {tierTools, tools as toolsFor, vaTopLiveAvailable} from './lib/tools.mjs';
import {httpMarkdown, removeHttpBench, runHttpCase} from './lib/http-case.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// The test fixtures of scripts/services-up.sh (loopback only). The URL's password is never written out.
const pgUrl = process.env.VA_BENCH_PG_URL || 'postgres://voiceassist:voiceassist@127.0.0.1:5432/voiceassist';
const redisUrl = process.env.VA_BENCH_REDIS_URL || 'redis://127.0.0.1:6379';

function parseArgs(argv) {
	const options = {
		sizes: [10, 50, 200],
		variants: ['idle', 'busy'],
		seconds: 30,
		warmupSeconds: 5,
		keyPresses: 12,
		rounds: 1,
		engine: 'private',
		tools: ['va-top', 'va-top-api', 'docker-stats', 'glances'],
		out: join(repo, 'bench/results'),
		soak: 0,
		// The access-log case: 0 runs it after the sizes with --seconds; N > 0 runs only it, N seconds per run.
		http: 0,
		httpCase: true,
		cli: join(repo, 'dist/cli.js'),
		width: 120,
		height: 40,
	};
	const list = value => value.split(',').map(item => item.trim()).filter(Boolean);
	const number = (flag, value) => {
		const parsed = Number(value);
		if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`${flag}: expected a positive number, got ${value}`);
		return parsed;
	};
	for (let index = 0; index < argv.length; index++) {
		const flag = argv[index];
		const value = () => {
			const next = argv[++index];
			if (next === undefined) throw new Error(`${flag} needs a value`);
			return next;
		};
		if (flag === '--sizes') options.sizes = list(value()).map(size => number('--sizes', size));
		else if (flag === '--variants') options.variants = list(value());
		else if (flag === '--seconds') options.seconds = number(flag, value());
		else if (flag === '--warmup') options.warmupSeconds = number(flag, value());
		else if (flag === '--keys') options.keyPresses = number(flag, value());
		else if (flag === '--rounds') options.rounds = number(flag, value());
		else if (flag === '--engine') options.engine = value();
		else if (flag === '--tools') options.tools = list(value());
		else if (flag === '--out') options.out = resolve(value());
		else if (flag === '--soak') options.soak = number(flag, value());
		else if (flag === '--http') options.http = number(flag, value());
		else if (flag === '--no-http-case') options.httpCase = false;
		else if (flag === '--va-top-cli') options.cli = resolve(value());
		else if (flag === '-h' || flag === '--help') {
			process.stdout.write(readFileSync(fileURLToPath(import.meta.url), 'utf8').split("\n").slice(1, 10).join('\n').replace(/^\/\/ ?/gm, '') + '\n');
			process.exit(0);
		} else throw new Error(`unknown argument ${flag} (see --help)`);
	}
	if (!['private', 'soak', 'main'].includes(options.engine)) throw new Error(`--engine: private, soak or main, got ${options.engine}`);
	for (const variant of options.variants) if (!['idle', 'busy'].includes(variant)) throw new Error(`--variants: idle or busy, got ${variant}`);
	for (const tool of options.tools) if (!['va-top', 'va-top-api', 'docker-stats', 'glances', ...tierTools].includes(tool)) throw new Error(`--tools: va-top, va-top-api, docker-stats, glances, ${tierTools.join(', ')}, got ${tool}`);
	return options;
}

const engines = {
	private: {name: 'va-top-bench', socket: '/var/run/va-top-bench.sock', pidFile: '/var/run/va-top-bench.pid', execRoot: '/var/run/va-top-bench'},
	// A second private engine, for a soak that runs while the benchmark uses the first.
	soak: {name: 'va-top-soak', socket: '/var/run/va-top-soak.sock', pidFile: '/var/run/va-top-soak.pid', execRoot: '/var/run/va-top-soak'},
	main: {socket: '/var/run/docker.sock', pidFile: '/var/run/docker.pid', execRoot: '/var/run/docker'},
};
let engine = engines.private;
/** Whether this run started the private engine (then it stops it, however it ends). */
let startedEngine = false;
/** The data tier of the tier tools, when they are asked for. */
let tier = null;

function stopEngineIfStarted() {
	if (!startedEngine) return;
	startedEngine = false;
	execFileSync('bash', [join(repo, 'bench/engine.sh'), 'down'], {stdio: ['ignore', 'ignore', 'inherit'], env: {...process.env, VA_BENCH_ENGINE: engine.name}});
}

const log = message => process.stderr.write(`bench: ${message}\n`);

function text(command, args, {env = process.env} = {}) {
	try {
		return execFileSync(command, args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: repo, env}).trim();
	} catch {
		return 'unknown';
	}
}

async function machineInfo() {
	return {
		nproc: Number(text('nproc', [])),
		cpuModel: cpus()[0]?.model ?? 'unknown',
		memTotalBytes: totalmem(),
		kernel: text('uname', ['-r']),
		docker: await dockerVersion(),
		node: process.version,
		tmux: text('tmux', ['-V']),
		glances: text('glances', ['-V']).split('\n')[0],
	};
}

function commit() {
	const head = text('git', ['rev-parse', '--short', 'HEAD']);
	const dirty = text('git', ['status', '--porcelain', '--untracked-files=no', '--', 'source', 'cli.tsx']);
	return dirty && dirty !== 'unknown' ? `${head} (source modified)` : head;
}

function checkPrerequisites(options) {
	const problems = [];
	if (text('docker', ['version', '--format', '{{.Server.Version}}']) === 'unknown') problems.push('the Docker engine does not answer (scripts/services-up.sh)');
	if (text('docker', ['image', 'inspect', '--format', 'ok', 'va-top/busybox:1']) !== 'ok') problems.push('image va-top/busybox:1 missing (scripts/build-image.sh)');
	if (options.tools.includes('glances') && text('glances', ['-V']) === 'unknown') problems.push('glances not installed (bench/setup-bench.sh)');
	if (text('tmux', ['-V']) === 'unknown') problems.push('tmux not installed (scripts/setup.sh)');
	if (problems.length > 0) throw new Error(problems.join('; '));
}

/** Makes the containers and waits until they run and the engine has calmed down after making them. */
async function prepareContainers(size, variant) {
	const started = performance.now();
	const containers = await createContainers(size, variant);
	const ids = containers.map(container => container.id);
	const deadline = performance.now() + 60_000;
	while ((await countRunning(ids)) < size) {
		if (performance.now() > deadline) throw new Error(`only ${await countRunning(ids)} of ${size} containers running after 60 s`);
		await sleep(200);
	}
	const createSeconds = (performance.now() - started) / 1000;
	// Settle: until dockerd uses under 5 % of a core over a second (at most 20 s).
	const processes = enginePids(engine);
	for (let tries = 0; tries < 20; tries++) {
		const before = engineCpu(processes).dockerd;
		await sleep(1000);
		if (engineCpu(processes).dockerd - before < 0.05) break;
	}
	return {ids, createSeconds};
}

async function runOne(size, variant, options, workDir) {
	const run = {size, variant, busyContainers: variant === 'busy' ? busyCount(size) : 0, rounds: []};
	log(`${size} containers, ${variant}: making them`);
	const {ids, createSeconds} = await prepareContainers(size, variant);
	run.createSeconds = createSeconds;
	log(`  made in ${createSeconds.toFixed(1)} s`);
	const available = vaTopLiveAvailable(options.cli);
	const selected = toolsFor({cli: options.cli, size, ids, workDir, pgUrl, redisUrl, dockerHost: `unix://${engine.socket}`, tier}).filter(tool => options.tools.includes(tool.id));
	for (let round = 0; round < options.rounds; round++) {
		log(`  round ${round + 1}/${options.rounds}: engine baseline for ${options.seconds} s`);
		const baseline = await measureBaseline({seconds: options.seconds, containerIds: ids, engineProcesses: engine});
		const results = {};
		// Each round starts with another tool, so none always runs first (or last) on this machine.
		const order = selected.map((_, index) => selected[(index + round) % selected.length]);
		for (const tool of order) {
			if (tool.id.startsWith('va-top') && !available) {
				results[tool.id] = {tool: tool.id, label: tool.label, unavailable: 'the live monitor is not built yet (dist/cli.js exits 69 without --once)'};
				continue;
			}
			log(`  ${tool.label}`);
			const result = await measureTool(tool, {
				project: projectName(size),
				variant,
				containerIds: ids,
				seconds: options.seconds,
				warmupSeconds: options.warmupSeconds,
				firstFrameTimeoutSeconds: Math.max(20, options.warmupSeconds + 10),
				keyPresses: options.keyPresses,
				workDir,
				width: options.width,
				height: options.height,
				log,
				engineProcesses: engine,
			});
			if (result.engine) result.engineIncrement = result.engine.total - baseline.engine.total;
			results[tool.id] = result;
			if (result.error) log(`    failed: ${result.error}`);
			else
				log(
					`    cpu ${(result.cpu * 100).toFixed(1)} %, rss ${(result.rssPeak / 1e6).toFixed(1)} MB, engine ${(result.engine.total * 100).toFixed(1)} % (baseline ${(baseline.engine.total * 100).toFixed(1)}), ${(result.bytesPerSecond / 1000).toFixed(2)} KB/s, first frame ${result.firstFrame?.seconds.toFixed(2) ?? 'none'} s, keys median ${result.keys?.median?.toFixed(0) ?? 'n/a'} ms, foreign events ${result.events.foreign}`,
				);
			await sleep(3000); // its streams close; the next tool starts on a quiet engine
		}
		run.rounds.push({baseline, tools: results});
	}
	run.baseline = medianDeep(run.rounds.map(round => round.baseline));
	run.tools = selected.map(tool => combineRounds(run.rounds.map(round => round.tools[tool.id])));
	// The rounds keep their figures; the screens are kept once, in the combined result.
	for (const round of run.rounds) for (const result of Object.values(round.tools)) delete result.screen;
	return run;
}

/**
 * One long run of va-top alone at 50 idle containers: RSS every 5 s, to show whether memory stays flat.
 * The figures so far are handed to `write` every minute, so a soak that is killed still leaves them.
 */
async function soak(options, workDir, write) {
	const size = 50;
	const variant = 'idle';
	if (!vaTopLiveAvailable(options.cli)) throw new Error('the live monitor is not built yet: nothing to soak');
	const {ids} = await prepareContainers(size, variant);
	const tool = toolsFor({cli: options.cli, size, ids, workDir, pgUrl, redisUrl, dockerHost: `unix://${engine.socket}`}).find(candidate => candidate.id === 'va-top');
	const pane = new Pane({name: 'soak', argv: tool.argv, env: tool.env, width: options.width, height: options.height, outputFile: join(workDir, 'soak.out'), cwd: workDir});
	const launched = pane.go();
	const timeline = [];
	while (performance.now() - launched < 20_000) {
		const lines = await pane.capture();
		timeline.push({t: performance.now() - launched, ...screenSummary(lines, projectName(size), tool.rowComplete)});
		if (firstFullFrame(timeline) && performance.now() - launched > 3000) break;
		await sleep(20);
	}
	const processes = enginePids(engine);
	const cpuFrom = cpuSeconds(processTree(pane.pid));
	const engineFrom = engineCpu(processes);
	const bytesFrom = pane.bytesWritten();
	const samples = [];
	const started = performance.now();
	const figures = complete => {
		const seconds = (performance.now() - started) / 1000;
		const engineTo = engineCpu(processes);
		const after = samples.filter(sample => sample.t >= 60);
		const minutes = [];
		for (let minute = 1; minute * 60 <= samples.at(-1).t; minute++) minutes.push(samples.findLast(sample => sample.t <= minute * 60));
		return {
			size,
			variant,
			engine: options.engine,
			complete,
			plannedSeconds: options.soak,
			seconds,
			firstFrameSeconds: (firstFullFrame(timeline)?.ms ?? Number.NaN) / 1000,
			cpu: (cpuSeconds(processTree(pane.pid)) - cpuFrom) / seconds,
			engineCpu: {total: (engineTo.dockerd + engineTo.containerd + engineTo.shims - engineFrom.dockerd - engineFrom.containerd - engineFrom.shims) / seconds},
			bytesPerSecond: (pane.bytesWritten() - bytesFrom) / seconds,
			rssAfterFirstMinute: after[0]?.rss ?? null,
			rssEnd: samples.at(-1).rss,
			rssPeak: Math.max(...samples.map(sample => sample.rss)),
			rssSlopeBytesPerHour: (slope(after.map(sample => ({x: sample.t, y: sample.rss}))) ?? Number.NaN) * 3600,
			minutes: minutes.map(sample => ({t: sample.t, rss: sample.rss})),
			samples,
		};
	};
	let last = started;
	try {
		while (performance.now() - started < options.soak * 1000) {
			if (pane.dead()) throw new Error(`va-top exited after ${((performance.now() - started) / 1000).toFixed(0)} s`);
			const rss = rssBytes(processTree(pane.pid));
			samples.push({t: (performance.now() - launched) / 1000, rss});
			if (performance.now() - last > 60_000) {
				last = performance.now();
				log(`  soak ${((last - started) / 60_000).toFixed(0)} min: rss ${(rss / 1e6).toFixed(1)} MB`);
				write(figures(false));
			}
			await sleep(5000);
		}
		return figures(true);
	} finally {
		pane.kill();
	}
}

async function cleanup() {
	killBenchTmuxServer();
	const removed = await removeBenchContainers();
	if (removed > 0) log(`removed ${removed} bench containers`);
}

/** The access-log case alone (--http SECONDS): nginx at ~2,000 requests/s on the main engine, va-top with and without it. */
async function httpOnly(options, seconds) {
	useTmuxSocket('va-top-bench-http');
	const onSignal = () => {
		killBenchTmuxServer();
		removeHttpBench();
		process.exit(130);
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	mkdirSync(options.out, {recursive: true});
	log(`access-log case: ${seconds} s per run after ${options.warmupSeconds} s warm-up`);
	try {
		const result = await runHttpCase({repo, cli: options.cli, pgUrl, redisUrl, seconds, warmupSeconds: options.warmupSeconds, out: options.out});
		process.stdout.write(httpMarkdown(result));
	} finally {
		killBenchTmuxServer();
	}
}

function vaTopTools(options) {
	return options.tools.includes('va-top');
}

async function main() {
	const options = parseArgs(process.argv.slice(2));
	if (options.http > 0) return httpOnly(options, options.http);
	checkPrerequisites(options);
	engine = engines[options.engine];
	const engineEnv = {...process.env, VA_BENCH_ENGINE: engine.name};
	if (options.engine !== 'main' && text('bash', [join(repo, 'bench/engine.sh'), 'status'], {env: engineEnv}) === 'unknown') {
		log(`starting the private engine ${engine.name} (bench/engine.sh up)`);
		execFileSync('bash', [join(repo, 'bench/engine.sh'), 'up'], {stdio: ['ignore', 'ignore', 'inherit'], env: engineEnv});
		startedEngine = true;
	}
	useDockerSocket(engine.socket);
	useTmuxSocket(`va-top-bench-${options.engine}`);
	let cleaning = null;
	const onSignal = signal => {
		log(`${signal}: removing the containers`);
		cleaning ??= cleanup()
			.then(stopEngineIfStarted)
			.finally(() => process.exit(130));
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	process.on('SIGHUP', onSignal);
	await cleanup(); // leftovers of an interrupted run
	const workDir = mkdtempSync(join(tmpdir(), 'va-top-bench-'));
	mkdirSync(options.out, {recursive: true});
	if (options.tools.some(tool => tierTools.includes(tool))) {
		log('starting the data tier: a primary with two replicas, three sentinels, a six-node cluster, the Qdrant stand-in');
		tier = await startTier(repo, workDir);
	}
	const command = `node bench/run-bench.mjs ${process.argv.slice(2).join(' ')}`.trim();
	try {
		const machine = await machineInfo();
		if (options.soak > 0) {
			log(`soak: va-top at 50 idle containers for ${options.soak} s`);
			const head = {date: new Date().toISOString(), commit: commit(), command, machine};
			const write = figures => {
				const result = {...head, ...figures};
				writeFileSync(join(options.out, 'soak.json'), `${JSON.stringify(result, null, '\t')}\n`);
				writeFileSync(join(options.out, 'soak.md'), soakMarkdown(result));
				return result;
			};
			process.stdout.write(soakMarkdown(write(await soak(options, workDir, write))));
			return;
		}
		const results = {version: 1, date: new Date().toISOString(), commit: commit(), command, machine, options: {...options, out: undefined}, runs: []};
		for (const size of options.sizes) {
	for (const variant of options.variants) {
				try {
					results.runs.push(await runOne(size, variant, options, workDir));
				} catch (error) {
					log(`${size} ${variant}: ${error.message}`);
					results.runs.push({size, variant, error: error.message, tools: []});
				} finally {
					await removeBenchContainers();
				}
			}
		}
		writeFileSync(join(options.out, 'latest.json'), `${JSON.stringify(results, null, '\t')}\n`);
		writeFileSync(join(options.out, 'latest.md'), markdown(results));
		process.stdout.write(markdown(results));
		log(`wrote ${join(options.out, 'latest.json')} and latest.md`);
		if (options.httpCase && vaTopTools(options)) {
			log('access-log case (nginx at ~2,000 requests/s on the main engine): --no-http-case skips it');
			try {
				process.stdout.write(httpMarkdown(await runHttpCase({repo, cli: options.cli, pgUrl, redisUrl, seconds: options.seconds, warmupSeconds: options.warmupSeconds, out: options.out})));
			} catch (error) {
				log(`access-log case: ${error.message}`);
			}
		}
	} finally {
		await (cleaning ?? cleanup());
		await tier?.stop();
		rmSync(workDir, {recursive: true, force: true});
		stopEngineIfStarted();
	}
}

main().catch(error => {
	log(`FAILED: ${error.message}`);
	process.exitCode = 1;
});
