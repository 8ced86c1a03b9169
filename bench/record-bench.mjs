#!/usr/bin/env node
// The recorder's costs (issue 15), on the real engine with N idle app containers (default 50):
//   - the history store: bytes per reading, write cost per reading (with and without fdatasync), time to load
//     the last hour and replay it (load + chart seeding + sustained-rule replay);
//   - launch → first full frame of the live monitor with one recorded hour to backfill (a real tmux pane);
//   - `va-top --record`: CPU (% of a core) and memory over a window, and disk bytes per hour.
// usage: npm run build && node bench/record-bench.mjs [--size 50] [--seconds 60]
// Writes bench/results/record-<commit>.json and .md. Its containers carry the label va-top.bench-record and the
// project varecbench; they are removed at the end (and at the start, if an earlier run left any).
import {execFile, execFileSync, spawn} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {loadavg, tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {Pane, killBenchTmuxServer, useTmuxSocket} from './lib/pane.mjs';
import {procMemory, procStat} from './lib/proc.mjs';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist/cli.js');
const args = process.argv.slice(2);
const arg = (name, fallback) => {
	const index = args.indexOf(`--${name}`);
	return index === -1 ? fallback : Number(args[index + 1]);
};
const size = arg('size', 50);
const seconds = arg('seconds', 60);
const project = 'varecbench';
const service = 'app';
const label = 'va-top.bench-record';
const pgUrl = process.env.BENCH_PG_URL ?? 'postgres://voiceassist:voiceassist@127.0.0.1:5432/voiceassist';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

const {StoreWriter, loadStore} = await import(path.join(root, 'dist/source/record/store.js'));
const {storePaths, storeIdentity, bucketLookbackMs} = await import(path.join(root, 'dist/source/record/open-history.js'));
const {replaySustain, seedHistory, backfillWindowMs} = await import(path.join(root, 'dist/source/core/backfill.js'));
const {History} = await import(path.join(root, 'dist/source/core/history.js'));
const {defaultThresholds} = await import(path.join(root, 'dist/source/core/thresholds.js'));

const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const log = text => process.stderr.write(`record-bench: ${text}\n`);

async function docker(argv) {
	return (await run('docker', argv, {maxBuffer: 16 * 1024 * 1024})).stdout.trim();
}

async function removeContainers() {
	const ids = await docker(['ps', '-aq', '--filter', `label=${label}`]);
	if (ids) await docker(['rm', '-f', ...ids.split('\n')]);
}

async function createContainers() {
	const ids = [];
	for (let from = 1; from <= size; from += 8) {
		const batch = Array.from({length: Math.min(8, size - from + 1)}, (_, i) => from + i);
		ids.push(
			...(await Promise.all(
				batch.map(number =>
					docker(['run', '-d', '--name', `${project}-${service}-${number}`, '--network', 'none', '--memory', '64m', '--label', `${label}=1`, '--label', `com.docker.compose.project=${project}`, '--label', `com.docker.compose.service=${service}`, '--label', `com.docker.compose.container-number=${number}`, 'va-top/busybox:1', 'sleep', '100000']),
				),
			)),
		);
	}

	return ids;
}

function fileBytes(file) {
	try {
		return statSync(file).blocks * 512;
	} catch {
		return 0;
	}
}

/** One recorded hour for these containers, ending now: what the recorder would have written at 1 s. */
function syntheticHour(file, ids, sync) {
	const end = Date.now();
	const writer = StoreWriter.open(file, storeIdentity({project, service, dockerHost: undefined}), {sync});
	const times = [];
	for (let s = 3600; s >= 1; s--) {
		const at = end - s * 1000;
		const samples = [];
		for (const [index, id] of ids.entries()) {
			samples.push({key: `cpu:${id}`, name: `${project}-${service}-${index + 1}`, time: at - 40, value: 1 + ((s + index) % 7)});
			samples.push({key: `mem:${id}`, name: `${project}-${service}-${index + 1}`, time: at - 40, value: 0.4 + (index % 3) / 10});
		}

		samples.push({key: 'service:cpu', name: null, time: at, value: 4}, {key: 'service:mem', name: null, time: at, value: 0.5}, {key: 'db:ratio', name: null, time: at, value: 20}, {key: 'redis:ratio', name: null, time: at, value: 0.1});
		const started = performance.now();
		writer.appendReading(at, samples);
		times.push(performance.now() - started);
	}

	writer.close();
	return {msPerReading: median(times), p99: [...times].sort((a, b) => a - b)[Math.floor(times.length * 0.99)], entries: ids.length * 2 + 4};
}

function loadHour(file) {
	const now = Date.now();
	const cpu = process.cpuUsage();
	const started = performance.now();
	const recorded = loadStore(file, {since: now - backfillWindowMs, bucketsSince: now - bucketLookbackMs});
	const loaded = performance.now();
	const history = new History();
	const points = seedHistory(history, recorded, now, 1000);
	replaySustain(recorded, defaultThresholds, now, 1000);
	const used = process.cpuUsage(cpu);
	return {loadMs: loaded - started, totalMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000, points};
}

async function firstFrame(env, names) {
	useTmuxSocket('va-top-record-bench');
	const workDir = mkdtempSync(path.join(tmpdir(), 'va-top-record-bench-pane-'));
	// VA_TOP_PROFILE: the program's own record of when its first frame reached the terminal (ms since it started), free
	// of this script's polling, which spawns a tmux client per look and so competes for the same two cores.
	const profile = path.join(workDir, 'profile');
	const pane = new Pane({name: `rec${Date.now() % 100000}`, argv: [process.execPath, cli, '--project', project, '--service', service, '--pg', pgUrl, '--redis', redisUrl], env: {...env, VA_TOP_PROFILE: profile}, width: 120, height: 40, outputFile: path.join(workDir, 'out')});
	const launched = pane.go();
	// Two moments: the first frame that shows the recorded hour (the charts drawn from the store), and the first
	// full frame (every visible row with its live CPU figure as well).
	let backfilled = null;
	let full = null;
	let lines = [];
	while (performance.now() - launched < 30_000 && full === null) {
		lines = await pane.capture();
		const chartLine = lines.some(line => /┤.*[─╭╮╯╰]{30,}/.test(line));
		if (chartLine && backfilled === null) backfilled = performance.now() - launched;
		const rows = lines.filter(line => line.includes(`${service}-`) && / running .*?\d+\.\d%/.test(line));
		if (rows.length > 0 && chartLine) full = performance.now() - launched;
		await new Promise(resolve => setTimeout(resolve, 50));
	}

	pane.kill();
	const firstWritten = readFileSync(profile, 'utf8').split('\n').filter(Boolean).map(line => JSON.parse(line)).find(line => line.bytes !== undefined);
	rmSync(workDir, {recursive: true, force: true});
	if (backfilled === null) throw new Error(`no frame with the backfilled charts in 30 s (names: ${names.slice(0, 2).join(', ')}…); last screen:\n${lines.join('\n')}`);
	return {backfilledMs: backfilled, fullMs: full, firstFrameWrittenMs: firstWritten?.atMs ?? null};
}

async function recorderCost(env, store) {
	const child = spawn(process.execPath, [cli, '--record', '--project', project, '--service', service, '--pg', pgUrl, '--redis', redisUrl], {env, stdio: ['ignore', 'ignore', 'inherit']});
	await new Promise(resolve => setTimeout(resolve, 15_000)); // warm up: connections, first readings, JIT
	const cpu0 = procStat(child.pid).cpuSeconds;
	const disk0 = fileBytes(store);
	const epoch0 = Date.now();
	const load0 = loadavg()[0];
	const t0 = performance.now();
	const rss = [];
	while (performance.now() - t0 < seconds * 1000) {
		await new Promise(resolve => setTimeout(resolve, 1000));
		rss.push(procMemory(child.pid).rss);
	}

	const elapsed = (performance.now() - t0) / 1000;
	const cpu = procStat(child.pid).cpuSeconds - cpu0;
	const disk = fileBytes(store) - disk0;
	const memory = procMemory(child.pid);
	child.kill('SIGTERM');
	await new Promise(resolve => child.once('exit', resolve));
	// What went into the rings in the window, from the records themselves: a reading record is 30 bytes and 8 a
	// value, a minute's bucket record 30 bytes and 16 a series (allocated blocks say little of a sparse file).
	const window = loadStore(store, {since: epoch0});
	const series = [...window.series.values()].filter(one => one.times.length > 0);
	const values = series.reduce((sum, one) => sum + one.times.length, 0);
	const readings = window.series.get('service:cpu')?.times.length ?? 0;
	const written = readings * 30 + values * 8 + (elapsed / 60) * (30 + 16 * series.length);
	return {
		windowSeconds: Math.round(elapsed),
		cpuPercentOfCore: Math.round((cpu / elapsed) * 1000) / 10,
		rssMedianMB: Math.round(median(rss) / 1e5) / 10,
		rssPeakMB: Math.round(memory.hwm / 1e5) / 10,
		readingsInWindow: readings,
		seriesInWindow: series.length,
		ringBytesPerHour: Math.round((written / elapsed) * 3600),
		allocatedBytesGrowthPerHour: Math.round((disk / elapsed) * 3600),
		machineLoad1m: [Math.round(load0 * 10) / 10, Math.round(loadavg()[0] * 10) / 10],
	};
}

let loadStartValue = 0;

async function main() {
	const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {cwd: root, encoding: 'utf8'}).trim();
	loadStartValue = loadavg()[0];
	await removeContainers();
	log(`starting ${size} idle containers`);
	const ids = await createContainers();
	const names = ids.map((_, index) => `${project}-${service}-${index + 1}`);
	const state = mkdtempSync(path.join(tmpdir(), 'va-top-record-bench-'));
	const env = {...process.env, XDG_STATE_HOME: state};
	const paths = storePaths({project, service, dockerHost: undefined, historyDir: undefined}, env);
	mkdirSync(paths.dir, {recursive: true, mode: 0o700});
	try {
		log('the store: one hour of readings, without and with fdatasync');
		const plain = syntheticHour(paths.store, ids, false);
		const bytesFor = fileBytes(paths.store);
		const loads = [1, 2, 3, 4, 5].map(() => loadHour(paths.store));
		rmSync(paths.store);
		const synced = syntheticHour(paths.store, ids, true);
		const store = {
			series: plain.entries,
			bytesPerReading: 28 + 2 + 8 * plain.entries, // a reading record: header, count, 8 bytes a series
			storeBytesAfterHour: bytesFor,
			writeMsPerReading: Math.round(plain.msPerReading * 1000) / 1000,
			writeMsPerReadingWithFdatasync: Math.round(synced.msPerReading * 1000) / 1000,
			writeMsP99WithFdatasync: Math.round(synced.p99 * 1000) / 1000,
			loadLastHourMs: Math.round(median(loads.map(load => load.loadMs)) * 10) / 10,
			loadAndReplayLastHourMs: Math.round(median(loads.map(load => load.totalMs)) * 10) / 10,
			loadCpuMs: Math.round(median(loads.map(load => load.cpuMs)) * 10) / 10,
			pointsSeeded: loads[0].points,
			storeMaxBytes: 4096 + 8192 * 256 + (12 + 9) * 1024 * 1024 + 512 * 1024,
		};
		log(JSON.stringify(store));

		log('launch → first full frame with one hour backfilled (5 launches)');
		const frames = [];
		for (let i = 0; i < 5; i++) {
			frames.push(await firstFrame(env, names));
			await new Promise(resolve => setTimeout(resolve, 1500));
		}

		const firstFrameMs = {
			backfilledRuns: frames.map(frame => Math.round(frame.backfilledMs)),
			backfilledMedian: Math.round(median(frames.map(frame => frame.backfilledMs))),
			fullRuns: frames.map(frame => (frame.fullMs === null ? null : Math.round(frame.fullMs))),
			writtenRuns: frames.map(frame => frame.firstFrameWrittenMs),
		};
		log(JSON.stringify(firstFrameMs));

		log(`va-top --record for ${seconds} s after a 15 s warm-up`);
		const recorder = await recorderCost(env, paths.store);
		log(JSON.stringify(recorder));

		const result = {commit, size, date: new Date().toISOString(), loadAtStart: Math.round(loadStartValue * 10) / 10, store, firstFrameMs, recorder};
		const out = path.join(root, 'bench/results', `record-${commit}`);
		writeFileSync(`${out}.json`, `${JSON.stringify(result, null, 2)}\n`);
		writeFileSync(
			`${out}.md`,
			[
				`# Recorder benchmark at ${commit} (${size} idle instances, ${result.date})`,
				'',
				'| measure | value | target |',
				'| --- | ---: | --- |',
				`| va-top --record CPU, % of a core (${recorder.windowSeconds} s window) | ${recorder.cpuPercentOfCore} | < 1 |`,
				`| va-top --record RSS, median / peak MB | ${recorder.rssMedianMB} / ${recorder.rssPeakMB} | < 60 |`,
				`| disk, bytes written into the rings per hour (${recorder.readingsInWindow} readings of ${recorder.seriesInWindow} series in the window) | ${recorder.ringBytesPerHour} | bounded: the store never passes ${Math.round(store.storeMaxBytes / 1024 / 1024 * 10) / 10} MiB |`,
				`| disk, allocated blocks' growth per hour (the sparse file filling) | ${recorder.allocatedBytesGrowthPerHour} | |`,
				`| bytes per reading (${store.series} series) | ${store.bytesPerReading} | |`,
				`| write per reading, ms (median; with fdatasync; p99 with) | ${store.writeMsPerReading}; ${store.writeMsPerReadingWithFdatasync}; ${store.writeMsP99WithFdatasync} | |`,
				`| load the last hour, ms (and with chart seeding + sustain replay) | ${store.loadLastHourMs} (${store.loadAndReplayLastHourMs}) | |`,
				`| launch → first frame with the recorded hour on its charts, ms (median of ${frames.length}) | ${firstFrameMs.backfilledMedian} (${firstFrameMs.backfilledRuns.join(', ')}) | < 1000 |`,
				`| launch → first full frame (live figures too), ms | ${firstFrameMs.fullRuns.map(ms => ms ?? 'over 30 s').join(', ')} | |`,
				`| process start → first frame (with the recorded hour) written, by va-top's own VA_TOP_PROFILE, ms | ${firstFrameMs.writtenRuns.join(', ')} | < 1000 |`,
				`| load the last hour, CPU ms (the wall time above includes waiting for a busy machine) | ${store.loadCpuMs} | |`,
				'',
				`Machine load (1 min) during the recorder window: ${recorder.machineLoad1m.join(' → ')} on 2 cores; at the start: ${result.loadAtStart}.`,
				'',
			].join('\n'),
		);
		log(`wrote ${out}.json and .md`);
	} finally {
		killBenchTmuxServer();
		await removeContainers();
		rmSync(state, {recursive: true, force: true});
	}
}

await main();
