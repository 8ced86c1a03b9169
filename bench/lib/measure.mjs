// One measured run of one monitor in a tmux pane: launch, first full frame, a fixed window of CPU, memory,
// terminal bytes and the engine's CPU, then key-to-frame latency, then the render times it profiled.
import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {Pane} from './pane.mjs';
import {cpuSeconds, engineCpu, enginePids, machineCpu, procMemory, processTree, rssBytes} from './proc.mjs';
import {complete, firstFullFrame, screenSummary} from './screen.mjs';
import {containersCpu, summarize} from './stats.mjs';
import {watchForeignEvents} from './containers.mjs';

const now = () => performance.now();

/** Samples the resident memory of a process tree every intervalMs (the tree is rescanned every 2 s). */
function rssSampler(pid, intervalMs = 250) {
	let pids = processTree(pid);
	let lastScan = now();
	const samples = [];
	let peak = 0;
	const timer = setInterval(() => {
		if (now() - lastScan > 2000) {
			pids = processTree(pid);
			lastScan = now();
		}
		const rss = rssBytes(pids);
		if (rss > 0) {
			samples.push({t: now(), rss});
			peak = Math.max(peak, rss);
		}
	}, intervalMs);
	return {
		samples,
		peak: () => peak,
		current: () => rssBytes(pids),
		stop: () => clearInterval(timer),
	};
}

/** Engine, machine, containers and this harness's own CPU, at one instant. */
function snapshot(engine, containerIds) {
	return {
		t: now(),
		engine: engineCpu(engine),
		machine: machineCpu(),
		containers: containersCpu(containerIds),
		harness: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
	};
}

/** CPU used between two snapshots, in cores (CPU seconds per wall second). */
function cores(from, to, seconds) {
	const engine = {
		dockerd: (to.engine.dockerd - from.engine.dockerd) / seconds,
		containerd: (to.engine.containerd - from.engine.containerd) / seconds,
		shims: (to.engine.shims - from.engine.shims) / seconds,
	};
	engine.total = engine.dockerd + engine.containerd + engine.shims;
	return {
		engine,
		machine: (to.machine.busy - from.machine.busy) / seconds,
		containers: (to.containers - from.containers) / seconds,
		harness: (to.harness - from.harness) / seconds,
	};
}

/** The engine with no monitor at all, over the same length of time: what each monitor adds is measured against it. */
export async function measureBaseline({seconds, containerIds, engineProcesses}) {
	const engine = enginePids(engineProcesses);
	const events = watchForeignEvents();
	const from = snapshot(engine, containerIds);
	await sleep(seconds * 1000);
	const to = snapshot(engine, containerIds);
	const used = cores(from, to, (to.t - from.t) / 1000);
	return {seconds: (to.t - from.t) / 1000, ...used, other: used.machine - used.engine.total - used.containers - used.harness, events: events.stop()};
}

/** Captures until test(lines) holds; returns when the capture that showed it came back (null: timed out). */
async function pollUntil(pane, test, timeoutMs, intervalMs) {
	const started = now();
	for (;;) {
		const lines = await pane.capture();
		const at = now();
		if (test(lines)) return {at, lines};
		if (at - started > timeoutMs) return {at: null, lines};
		await sleep(intervalMs);
	}
}

/** Render times from the VA_TOP_PROFILE file: a JSON object per line ({renderMs}) or a line with a number of ms. */
export function parseProfile(text) {
	const values = [];
	for (const line of text.split('\n')) {
		if (!line.trim()) continue;
		let value = null;
		try {
			const entry = JSON.parse(line);
			if (typeof entry === 'number') value = entry;
			else for (const key of ['renderMs', 'render', 'ms', 'frameMs']) if (typeof entry?.[key] === 'number') value ??= entry[key];
		} catch {
			const match = /(\d+(?:\.\d+)?)\s*ms/.exec(line) ?? /^\s*(\d+(?:\.\d+)?)\s*$/.exec(line);
			if (match) value = Number(match[1]);
		}
		if (value !== null && Number.isFinite(value)) values.push(value);
	}
	return values;
}

/**
 * Runs `tool` against the containers and measures it. Options: project (bench-N), containerIds, seconds
 * (measured window), warmupSeconds, firstFrameTimeoutSeconds, keyPresses, workDir, width, height, log.
 */
export async function measureTool(tool, options) {
	const {project, containerIds, seconds, warmupSeconds, firstFrameTimeoutSeconds, keyPresses, workDir, width, height, log, engineProcesses} = options;
	// Several engines (bench/engines-bench.mjs): each one's CPU over the same window, by name.
	const engineSets = options.engineSets ?? [];
	const name = `${tool.id}-${project}-${options.variant}`;
	const profileFile = join(workDir, `${name}.profile`);
	const env = {...tool.env};
	if (tool.profile) env.VA_TOP_PROFILE = profileFile;
	const pane = new Pane({name, argv: tool.argv, env, width, height, outputFile: join(workDir, `${name}.out`), cwd: workDir});
	const result = {tool: tool.id, label: tool.label, refreshSeconds: tool.refreshSeconds, pane: pane.size, pid: pane.pid};
	const rss = rssSampler(pane.pid);
	try {
		// 1. Launch, and the first full frame: capture every 10 ms until every instance it can show has numbers.
		const launched = pane.go();
		const timeline = [];
		let lines = [];
		for (;;) {
			lines = await pane.capture();
			const t = now() - launched;
			timeline.push({t, ...screenSummary(lines, project, tool.rowComplete)});
			// Settled: every capture of the last 1.5 s was complete.
			const settled = t >= 1500 && timeline.every(entry => entry.t < t - 1500 || complete(entry));
			if (t >= warmupSeconds * 1000 && settled) break;
			if (t >= firstFrameTimeoutSeconds * 1000 || pane.dead()) break;
			await sleep(10);
		}
		const frame = firstFullFrame(timeline);
		result.firstFrame = frame ? {seconds: frame.ms / 1000, visible: frame.visible} : null;
		// How the screen filled in: the captures where what it showed changed (seconds, shown, with readings).
		result.fillIn = timeline
			.filter((entry, index) => index === 0 || entry.visible !== timeline[index - 1].visible || entry.withNumbers !== timeline[index - 1].withNumbers)
			.map(entry => [Number((entry.t / 1000).toFixed(3)), entry.visible, entry.withNumbers]);
		if (pane.dead()) {
			result.error = `exited before the window: ${lines.filter(line => line.trim()).slice(-3).join(' | ')}`;
			return result;
		}

		// 2. The measured window: nothing but /proc reads (no screen captures) while it runs.
		const engine = enginePids(engineProcesses);
		const sets = engineSets.map(set => ({name: set.name, pids: enginePids(set)}));
		const setsFrom = sets.map(set => engineCpu(set.pids));
		const pidsAtStart = processTree(pane.pid);
		const bytesFrom = pane.bytesWritten();
		const profileFrom = existsSync(profileFile) ? parseProfile(readFileSync(profileFile, 'utf8')).length : 0;
		const cpuFrom = cpuSeconds(pidsAtStart);
		const events = watchForeignEvents();
		const from = snapshot(engine, containerIds);
		await sleep(seconds * 1000);
		const pids = [...new Set([...pidsAtStart, ...processTree(pane.pid)])];
		const cpuTo = cpuSeconds(pids);
		const to = snapshot(engine, containerIds);
		const setsTo = sets.map(set => engineCpu(set.pids));
		result.events = events.stop();
		const windowSeconds = (to.t - from.t) / 1000;
		const used = cores(from, to, windowSeconds);
		result.window = {seconds: windowSeconds, startedAfterLaunchSeconds: (from.t - launched) / 1000};
		result.cpu = (cpuTo - cpuFrom) / windowSeconds;
		result.rssEnd = rss.current();
		result.rssPeak = Math.max(rss.peak(), result.rssEnd);
		result.hwm = procMemory(pane.pid)?.hwm ?? null;
		result.processes = pids.length;
		result.engine = used.engine;
		if (sets.length > 0) {
			result.engines = Object.fromEntries(
				sets.map((set, index) => {
					const part = key => (setsTo[index][key] - setsFrom[index][key]) / windowSeconds;
					const cpu = {dockerd: part('dockerd'), containerd: part('containerd'), shims: part('shims')};
					return [set.name, {...cpu, total: cpu.dockerd + cpu.containerd + cpu.shims}];
				}),
			);
		}
		result.containers = used.containers;
		result.machine = used.machine;
		result.harness = used.harness;
		result.other = used.machine - result.cpu - used.engine.total - used.containers - used.harness;
		result.bytesPerSecond = (pane.bytesWritten() - bytesFrom) / windowSeconds;
		result.screen = await pane.capture();
		result.screenSummary = screenSummary(result.screen, project, tool.rowComplete);
		if (tool.profile) {
			const values = existsSync(profileFile) ? parseProfile(readFileSync(profileFile, 'utf8')) : [];
			const inWindow = values.slice(profileFrom);
			result.render = inWindow.length > 0 ? {framesPerSecond: inWindow.length / windowSeconds, ...summarize(inWindow), samples: inWindow} : null;
		}

		// 3. Key to frame: a key whose effect can be recognised, timed until the screen shows it.
		if (tool.keyProbe) {
			const latencies = [];
			let timeouts = 0;
			for (let index = 0; index < keyPresses; index++) {
				const step = tool.keyProbe[index % tool.keyProbe.length];
				const before = await pane.capture();
				const test = step.expect(before);
				const sent = now();
				await pane.sendKeys(step.key);
				const seen = await pollUntil(pane, test, 3000, 2);
				if (seen.at === null) {
					timeouts++;
					log(`  ${tool.label}: key ${step.label} had no visible effect within 3 s`);
				} else {
					// An upper bound: it includes sending the key and one capture (about 3 ms each here).
					latencies.push(seen.at - sent);
				}
				await sleep(250 + Math.random() * 350);
			}
			result.keys = {presses: keyPresses, timeouts, ...summarize(latencies), samples: latencies.map(ms => Number(ms.toFixed(1)))};
		}
		return result;
	} finally {
		rss.stop();
		pane.kill();
		// The program must be gone before the next one starts (its streams would still cost the engine).
		const deadline = now() + 5000;
		while (existsSync(`/proc/${pane.pid}`) && now() < deadline) await sleep(50);
		if (existsSync(`/proc/${pane.pid}`)) {
			try {
				process.kill(pane.pid, 'SIGKILL');
			} catch {
				// gone meanwhile
			}
		}
	}
}
