#!/usr/bin/env node
// The several-engines case: N engines (scripts/engines-up.sh) × M instances each, one service (bench-M/app on every
// engine). va-top watches all of them at once (`--docker-host e1=…,e2=…,e3=…`), with its cgroup reads (the engines
// are local) and with `--docker-stats api` (as remote engines would be read); `docker -H ENGINE stats` runs on each
// engine alone, the peer an operator would use. Figures: va-top's CPU and memory, each engine's CPU over its
// no-monitor baseline, first full frame, key-to-frame latency. Writes bench/results/engines.{json,md}.
//
// usage: node bench/engines-bench.mjs [--engines 3] [--size 100] [--seconds 30] [--warmup 8] [--keys 12]
//          [--tools va-top,va-top-api,docker-stats] [--out bench/results] [--va-top-cli dist/cli.js]
// Needs: root, the services of scripts/services-up.sh, a built dist/. Starts the engines it needs (engines-up.sh);
// its containers (label va-top.bench=1) are removed at the end, the engines left running (engines-down.sh stops them).
import {execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {cpus, tmpdir, totalmem} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {fileURLToPath} from 'node:url';
import {countRunning, createContainers, projectName, removeBenchContainers, service, useDockerSocket} from './lib/containers.mjs';
import {measureBaseline, measureTool} from './lib/measure.mjs';
import {killBenchTmuxServer, useTmuxSocket} from './lib/pane.mjs';
import {engineCpu, enginePids} from './lib/proc.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pgUrl = process.env.VA_BENCH_PG_URL || 'postgres://voiceassist:voiceassist@127.0.0.1:5432/voiceassist';
const redisUrl = process.env.VA_BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
const log = message => process.stderr.write(`engines-bench: ${message}\n`);

function parseArgs(argv) {
	const options = {engines: 3, size: 100, seconds: 30, warmup: 8, keys: 12, tools: ['va-top', 'va-top-api', 'docker-stats'], out: join(repo, 'bench/results'), cli: join(repo, 'dist/cli.js')};
	for (let index = 0; index < argv.length; index++) {
		const flag = argv[index];
		const value = () => argv[++index] ?? (() => {
			throw new Error(`${flag} needs a value`);
		})();
		if (flag === '--engines') options.engines = Number(value());
		else if (flag === '--size') options.size = Number(value());
		else if (flag === '--seconds') options.seconds = Number(value());
		else if (flag === '--warmup') options.warmup = Number(value());
		else if (flag === '--keys') options.keys = Number(value());
		else if (flag === '--tools') options.tools = value().split(',');
		else if (flag === '--out') options.out = resolve(value());
		else if (flag === '--va-top-cli') options.cli = resolve(value());
		else throw new Error(`unknown argument ${flag}`);
	}
	if (!(options.engines >= 1 && options.engines <= 5)) throw new Error('--engines: 1 to 5');
	return options;
}

const has = (lines, text) => lines.some(line => line.includes(text));
function vaTopProbe(project) {
	const instance = new RegExp(`(?:^|\\s)((?:${project}-)?${service}-\\d+)(?:\\s|$)`);
	const selected = lines => {
		for (const line of lines) {
			const match = line.includes('▸') ? instance.exec(line) : null;
			if (match) return match[1];
		}
		return null;
	};
	const select = key => ({label: `${key} (selection)`, key, expect: before => lines => selected(lines) !== null && selected(lines) !== selected(before)});
	return [
		{label: '? (open)', key: '?', expect: () => lines => has(lines, 'select an instance')},
		{label: '? (close)', key: '?', expect: () => lines => !has(lines, 'select an instance') && has(lines, 'INSTANCE')},
		select('j'),
		select('k'),
	];
}

async function main() {
	const options = parseArgs(process.argv.slice(2));
	const names = Array.from({length: options.engines}, (_, index) => `e${index + 1}`);
	log(`starting engines ${names.join(' ')} (scripts/engines-up.sh)`);
	const up = execFileSync('bash', [join(repo, 'scripts/engines-up.sh'), ...names], {encoding: 'utf8'}).trim().split('\n');
	const engines = up.map(line => {
		const [name, url] = line.split(' ');
		return {name, url, socket: url.slice('unix://'.length), pidFile: `/var/run/va-top-engines/${name}.pid`, execRoot: `/var/tmp/va-top/engines/${name}/exec`};
	});
	const workDir = mkdtempSync(join(tmpdir(), 'va-engines-bench-'));
	useTmuxSocket('va-top-engines-bench');
	const project = projectName(options.size);
	const ids = {};
	const cleanup = async () => {
		for (const engine of engines) {
			useDockerSocket(engine.socket);
			await removeBenchContainers().catch(() => undefined);
		}
		killBenchTmuxServer();
	};
	process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
	try {
		for (const engine of engines) {
			useDockerSocket(engine.socket);
			await removeBenchContainers();
			const started = performance.now();
			ids[engine.name] = (await createContainers(options.size, 'idle')).map(container => container.id);
			while ((await countRunning(ids[engine.name])) < options.size) await sleep(200);
			log(`${engine.name}: ${options.size} containers in ${((performance.now() - started) / 1000).toFixed(1)} s`);
		}
		// Settle: the engines calm down after making the containers.
		await sleep(10_000);
		const allIds = Object.values(ids).flat();
		const baselines = {};
		for (const engine of engines) {
			const pids = enginePids(engine);
			const from = engineCpu(pids);
			baselines[engine.name] = {from};
		}
		log(`baseline: ${options.seconds} s with no monitor`);
		const baseline = await measureBaseline({seconds: options.seconds, containerIds: allIds, engineProcesses: engines[0]});
		for (const engine of engines) {
			const to = engineCpu(enginePids(engine));
			const from = baselines[engine.name].from;
			const total = (to.dockerd - from.dockerd + to.containerd - from.containerd + to.shims - from.shims) / baseline.seconds;
			baselines[engine.name] = {total};
		}
		log(`baseline engines: ${engines.map(engine => `${engine.name} ${(baselines[engine.name].total * 100).toFixed(1)} %`).join(', ')}; other load ${(baseline.other * 100).toFixed(0)} %`);

		const hosts = engines.map(engine => `${engine.name}=${engine.url}`).join(',');
		const common = {project, variant: 'idle', containerIds: allIds, seconds: options.seconds, warmupSeconds: options.warmup, firstFrameTimeoutSeconds: options.warmup + 20, keyPresses: options.keys, workDir, width: 120, height: 40, log};
		const results = {};
		const vaTop = (id, label, extra) => ({
			id,
			label,
			refreshSeconds: 1,
			argv: [process.execPath, options.cli, '--project', project, '--service', service, '--redis', redisUrl, '--docker-host', hosts, ...extra],
			env: {DATABASE_URL: pgUrl},
			profile: true,
			rowComplete: /^\s.*?\s\d+(?:\.\d+)?%\s+\d+(?:\.\d+)?%/,
			keyProbe: vaTopProbe(project),
		});
		for (const tool of [vaTop('va-top', 'va-top (cgroup files)', []), vaTop('va-top-api', 'va-top (API, as for remote engines)', ['--docker-stats', 'api'])]) {
			if (!options.tools.includes(tool.id)) continue;
			log(tool.label);
			results[tool.id] = await measureTool(tool, {...common, engineProcesses: engines[0], engineSets: engines});
			const result = results[tool.id];
			if (result.error) {
				log(`  failed: ${result.error}`);
				continue;
			}

			log(`  cpu ${(result.cpu * 100).toFixed(1)} %, rss peak ${(result.rssPeak / 1e6).toFixed(1)} MB, first frame ${result.firstFrame?.seconds.toFixed(2)} s, keys median ${result.keys?.median?.toFixed(0)} ms, engines ${Object.entries(result.engines ?? {}).map(([name, cpu]) => `${name} ${(cpu.total * 100).toFixed(1)} %`).join(', ')}`);
		}
		if (options.tools.includes('docker-stats')) {
			results['docker-stats'] = {};
			for (const engine of engines) {
				const tool = {id: 'docker-stats', label: `docker -H ${engine.name} stats`, refreshSeconds: 0.5, argv: ['docker', '-H', engine.url, 'stats', ...ids[engine.name]], env: {}, rowComplete: /^\s+\d+\.\d+%\s+\S+ \/ \S+\s+\d+\.\d+%/, keyProbe: null};
				log(tool.label);
				const result = await measureTool(tool, {...common, containerIds: ids[engine.name], engineProcesses: engine, engineSets: [engine]});
				results['docker-stats'][engine.name] = result;
				if (result.error) log(`  failed: ${result.error}`);
				else log(`  cpu ${(result.cpu * 100).toFixed(1)} %, rss ${(result.rssPeak / 1e6).toFixed(1)} MB, ${engine.name} ${(result.engines[engine.name].total * 100).toFixed(1)} %`);
			}
		}

		const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {cwd: repo, encoding: 'utf8'}).trim();
		const report = {time: new Date().toISOString(), commit, options: {...options, cli: undefined}, machine: {nproc: cpus().length, memTotalBytes: totalmem()}, baseline: {other: baseline.other, engines: baselines}, results};
		mkdirSync(options.out, {recursive: true});
		writeFileSync(join(options.out, 'engines.json'), `${JSON.stringify(report, null, 2)}\n`);
		writeFileSync(join(options.out, 'engines.md'), markdown(report, engines));
		log(`wrote ${join(options.out, 'engines.md')}`);
	} finally {
		await cleanup();
		rmSync(workDir, {recursive: true, force: true});
	}
}

const pct = value => (value === undefined || value === null ? 'n/a' : `${(value * 100).toFixed(1)} %`);
const mb = bytes => (bytes === undefined ? 'n/a' : `${(bytes / 1e6).toFixed(1)} MB`);

function markdown(report, engines) {
	const {results, baseline} = report;
	const lines = [
		'# Several engines: va-top against `docker stats` on each',
		'',
		`Run ${report.time} at commit \`${report.commit}\`: ${report.options.engines} engines × ${report.options.size} idle instances (one service on every engine), ${report.options.seconds} s windows, 120x40 tmux pane, ${report.machine.nproc} cores. Other load on the machine during the baseline: ${pct(baseline.other)} of a core.`,
		'',
		'| tool | CPU | RSS peak | first full frame | keys median (max) | ' + engines.map(engine => `${engine.name} engine over its baseline`).join(' | ') + ' |',
		'| --- | --- | --- | --- | --- | ' + engines.map(() => '---').join(' | ') + ' |',
	];
	const engineCells = result => engines.map(engine => (result.engines?.[engine.name] ? pct(result.engines[engine.name].total - baseline.engines[engine.name].total) : '')).join(' | ');
	for (const id of ['va-top', 'va-top-api']) {
		const result = results[id];
		if (!result) continue;
		if (result.error) {
			lines.push(`| ${result.label} | failed: ${result.error} |`);
			continue;
		}

		lines.push(`| ${result.label} | ${pct(result.cpu)} | ${mb(result.rssPeak)} | ${result.firstFrame ? `${result.firstFrame.seconds.toFixed(2)} s` : 'none'} | ${result.keys?.median?.toFixed(0) ?? 'n/a'} ms (${result.keys?.max?.toFixed(0) ?? 'n/a'}) | ${engineCells(result)} |`);
	}
	for (const engine of engines) {
		const result = results['docker-stats']?.[engine.name];
		if (!result) continue;
		if (result.error) {
			lines.push(`| ${result.label} | failed: ${result.error} |`);
			continue;
		}

		lines.push(`| ${result.label} (${report.options.size} containers) | ${pct(result.cpu)} | ${mb(result.rssPeak)} | ${result.firstFrame ? `${result.firstFrame.seconds.toFixed(2)} s` : 'none'} | no keys | ${engines.map(other => (other.name === engine.name ? pct(result.engines[engine.name].total - baseline.engines[engine.name].total) : '')).join(' | ')} |`);
	}
	lines.push('', `Baselines (no monitor): ${engines.map(engine => `${engine.name} ${pct(baseline.engines[engine.name].total)}`).join(', ')}.`, '');
	return `${lines.join('\n')}\n`;
}

main().catch(error => {
	log(`failed: ${error instanceof Error ? error.stack : String(error)}`);
	process.exitCode = 1;
});
