#!/usr/bin/env node
// What reading the Compose project's other services costs: va-top live (80x24 tmux pane) on a project with the app and
// N containers of other services, against the same app in a project without them, the same containers running
// throughout (so the engine's own load is the same). Rounds alternate A/B; va-top's CPU and the engine's (dockerd,
// containerd, shims) are read from /proc over each window.
//
// usage: node bench/stack-services-cost.mjs [--others 10] [--seconds 40] [--rounds 2] [--docker-stats auto|api] [--engine NAME]
// --engine NAME: a private engine started with `VA_BENCH_ENGINE=NAME bash bench/engine.sh up` (its CPU is then the
// tools' alone); default: the machine's engine, shared with everyone else's tests (its figure is noisy).
// Needs tmux and a built dist/. Containers are labelled va-top.bench-stack=RUN and removed.
import {execFileSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {dirname, join, resolve} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {fileURLToPath} from 'node:url';
import {cpuSeconds, enginePids, processTree, rssBytes} from './lib/proc.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
	const index = args.indexOf(`--${name}`);
	return index === -1 ? fallback : args[index + 1];
};
const others = Number(option('others', 10));
const seconds = Number(option('seconds', 40));
const rounds = Number(option('rounds', 2));
const statsSource = option('docker-stats', 'auto');
const engineName = option('engine', null);
const host = engineName === null ? 'unix:///var/run/docker.sock' : `unix:///var/run/${engineName}.sock`;
const run = randomBytes(3).toString('hex');
const label = `va-top.bench-stack=${run}`;
const withOthers = `bstk-${run}`;
const alone = `bsolo-${run}`;
const socket = `va-top-bench-stack-${run}`;
const docker = (...argv) => execFileSync('docker', ['-H', host, ...argv], {encoding: 'utf8'}).trim();
const tmux = (...argv) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...argv], {encoding: 'utf8'}).trim();

function container(project, service, number, command) {
	docker('run', '-d', '--network', 'none', '--name', `${project}_${service}_${number}`, '--label', label, '--label', `com.docker.compose.project=${project}`,
		'--label', `com.docker.compose.service=${service}`, '--label', `com.docker.compose.container-number=${number}`, '--label', 'com.docker.compose.oneoff=False',
		'--memory', '64m', 'va-top/busybox:1', ...command);
}

async function measure(project) {
	tmux('new-session', '-d', '-s', 'b', '-x', '80', '-y', '24', `exec node ${join(repo, 'dist/cli.js')} --project ${project} --service web --read-only --docker-host ${host} --docker-stats ${statsSource} --pg postgres://x@127.0.0.1:1/x --redis redis://127.0.0.1:1`);
	const pid = Number(tmux('display-message', '-p', '-t', 'b', '#{pane_pid}'));
	await sleep(5000);
	const parts = engineName === null ? enginePids() : enginePids({pidFile: `/var/run/${engineName}.pid`, execRoot: `/var/run/${engineName}`});
	const engine = [...parts.dockerd, ...parts.containerd, ...parts.shims];
	const before = {va: cpuSeconds(processTree(pid)), engine: cpuSeconds(engine), at: Date.now()};
	await sleep(seconds * 1000);
	const after = {va: cpuSeconds(processTree(pid)), engine: cpuSeconds(engine), at: Date.now()};
	const rss = rssBytes(processTree(pid));
	tmux('kill-server');
	const window = (after.at - before.at) / 1000;
	return {va: ((after.va - before.va) / window) * 100, engine: ((after.engine - before.engine) / window) * 100, rssMiB: rss / 1024 ** 2};
}

function cleanUp() {
	try {
		tmux('kill-server');
	} catch {}
	const ids = docker('ps', '-aq', '--filter', `label=${label}`);
	if (ids) docker('rm', '-f', ...ids.split('\n'));
}

for (const signal of ['SIGINT', 'SIGTERM']) {
	process.once(signal, () => {
		cleanUp();
		process.exit(130);
	});
}

try {
	container(withOthers, 'web', 1, ['sleep', '100000']);
	container(alone, 'web', 1, ['sleep', '100000']);
	const services = ['postgres', 'redis', 'nginx', 'qdrant', 'worker'];
	for (let index = 0; index < others; index++) {
		// Same containers either way: in the measured project, or in a third project nobody reads.
		container(withOthers, services[index % services.length], Math.floor(index / services.length) + 1, ['sleep', '100000']);
		container(`bnone-${run}`, services[index % services.length], Math.floor(index / services.length) + 1, ['sleep', '100000']);
	}

	const results = {with: [], without: []};
	for (let round = 0; round < rounds; round++) {
		results.with.push(await measure(withOthers));
		results.without.push(await measure(alone));
	}

	const mean = (list, key) => list.reduce((sum, entry) => sum + entry[key], 0) / list.length;
	const line = (name, list) => `${name}: va-top ${mean(list, 'va').toFixed(2)} % of a core (${list.map(entry => entry.va.toFixed(2)).join(', ')}), engine ${mean(list, 'engine').toFixed(2)} % (${list.map(entry => entry.engine.toFixed(2)).join(', ')}), va-top RSS ${mean(list, 'rssMiB').toFixed(1)} MiB`;
	console.log(`stack services cost, engine ${engineName ?? 'shared'}, --docker-stats ${statsSource}, ${others} containers of other services, ${seconds} s windows, ${rounds} rounds, load ${execFileSync('cat', ['/proc/loadavg'], {encoding: 'utf8'}).trim()}`);
	console.log(line('with the other services', results.with));
	console.log(line('app only             ', results.without));
} finally {
	cleanUp();
}
