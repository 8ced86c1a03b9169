// The access-log case of the benchmark: nginx logging ~2,000 requests a second (va-top's JSON log_format, to stdout,
// read through the Docker logs API) while va-top watches, against va-top with the source off (--no-http). Measures
// va-top's CPU and memory both ways, and the parsing pipeline alone (bytes → lines → records → window) in-process.
//
// nginx (va-top/nginx:1, host network, loopback ports 18200-18203 of the access-log suite's range) proxies to three
// server blocks of its own that answer `return 200`, with keepalive: the cheapest upstream there is, so the machine's
// CPU goes to the load generator and nginx, not to app processes. The load is scripts/load.mjs (loopback only).
import {execFileSync, spawn} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {Pane} from './pane.mjs';
import {cpuSeconds, processTree, rssBytes} from './proc.mjs';

export const httpProject = 'vahttp-bench';
const frontPort = 18200;
const backPorts = [18201, 18202, 18203];

function nginxConf(logFormatLine) {
	return `user root;
worker_processes 1;
pid /run/nginx.pid;
error_log stderr warn;
events { worker_connections 2048; }
http {
	${logFormatLine}
	upstream app {
${backPorts.map((port) => `		server 127.0.0.1:${port};`).join('\n')}
		keepalive 64;
	}
	server {
		listen 127.0.0.1:${frontPort};
		access_log /dev/stdout vatop;
		location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }
	}
${backPorts.map((port) => `	server { listen 127.0.0.1:${port}; access_log off; location / { return 200 "ok\\n"; } }`).join('\n')}
}
`;
}

function docker(args) {
	return execFileSync('docker', args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']}).trim();
}

export function removeHttpBench() {
	const ids = docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${httpProject}`]);
	if (ids) docker(['rm', '-f', ...ids.split('\n')]);
}

export async function startNginx(repo, workDir) {
	removeHttpBench();
	try {
		docker(['image', 'inspect', 'va-top/nginx:1']);
	} catch {
		execFileSync('bash', [join(repo, 'scripts/build-nginx-image.sh')], {stdio: 'inherit'});
	}

	const {logFormatLine} = await import(join(repo, 'dist/source/sources/http-log/parse.js'));
	const conf = join(workDir, 'nginx.conf');
	writeFileSync(conf, nginxConf(logFormatLine));
	docker([
		'run', '-d', '--name', `${httpProject}-nginx-1`, '--network', 'host',
		'--label', 'va-top.bench=1', '--label', `com.docker.compose.project=${httpProject}`, '--label', 'com.docker.compose.service=nginx',
		'--label', 'com.docker.compose.container-number=1', '--label', 'com.docker.compose.oneoff=False',
		'-v', `${conf}:/etc/nginx/nginx.conf:ro`, 'va-top/nginx:1',
	]);
	for (let i = 0; i < 100; i++) {
		try {
			if ((await fetch(`http://127.0.0.1:${frontPort}/`)).ok) return;
		} catch {
			// not yet
		}
		await sleep(100);
	}
	throw new Error('nginx did not answer');
}

/** The load generator for `seconds`, at `rate`; resolves with its summary. */
export function startLoad(repo, rate, seconds) {
	const child = spawn(process.execPath, [join(repo, 'scripts/load.mjs'), '--url', `http://127.0.0.1:${frontPort}/`, '--rate', String(rate), '--seconds', String(seconds), '--max', String(Math.ceil(rate * seconds)), '--concurrency', '64', '--json'], {stdio: ['ignore', 'pipe', 'inherit']});
	let out = '';
	child.stdout.on('data', (chunk) => {
		out += chunk;
	});
	return {
		child,
		done: new Promise((resolve) => child.on('exit', () => resolve(out.trim() === '' ? null : JSON.parse(out)))),
	};
}

/** va-top in a 120x40 pane for warmup + seconds: CPU of its process tree over the window, RSS samples. */
async function measureVaTop({label, argv, env, seconds, warmupSeconds, workDir, rssEverySeconds = 1}) {
	const pane = new Pane({name: `http-${label}`, argv, env, outputFile: join(workDir, `${label}.out`)});
	pane.go();
	await sleep(warmupSeconds * 1000);
	let pids = processTree(pane.pid);
	const startCpu = cpuSeconds(pids);
	const started = performance.now();
	const rss = [];
	const until = started + seconds * 1000;
	while (performance.now() < until) {
		await sleep(Math.min(rssEverySeconds * 1000, Math.max(0, until - performance.now())));
		pids = processTree(pane.pid);
		rss.push({t: (performance.now() - started) / 1000, mb: rssBytes(pids) / 1e6});
	}

	const wall = (performance.now() - started) / 1000;
	const cpu = (cpuSeconds(pids) - startCpu) / wall;
	const screen = await pane.capture();
	pane.kill();
	const mbs = rss.map((sample) => sample.mb);
	return {label, cpuPercent: cpu * 100, rssEndMb: mbs.at(-1) ?? null, rssPeakMb: Math.max(...mbs), rssFirstMb: mbs[0] ?? null, rss, screen: screen.filter((line) => line.trim() !== '').slice(0, 6)};
}

/** The source alone in its own process (bench/lib/http-source-alone.mjs): CPU and RSS over the window. */
async function measureSourceAlone({repo, seconds, warmupSeconds, rssEverySeconds}) {
	const child = spawn(process.execPath, [join(repo, 'bench/lib/http-source-alone.mjs'), repo, httpProject, String(warmupSeconds + seconds + 1)], {stdio: ['ignore', 'pipe', 'inherit']});
	let out = '';
	child.stdout.on('data', (chunk) => {
		out += chunk;
	});
	const exited = new Promise((resolve) => child.on('exit', resolve));
	await sleep(warmupSeconds * 1000);
	const startCpu = cpuSeconds([child.pid]);
	const started = performance.now();
	const rss = [];
	const until = started + seconds * 1000;
	while (performance.now() < until) {
		await sleep(Math.min(rssEverySeconds * 1000, Math.max(0, until - performance.now())));
		rss.push({t: (performance.now() - started) / 1000, mb: rssBytes([child.pid]) / 1e6});
	}

	const cpu = (cpuSeconds([child.pid]) - startCpu) / ((performance.now() - started) / 1000);
	await exited;
	const mbs = rss.map((sample) => sample.mb);
	return {label: 'source-alone', cpuPercent: cpu * 100, rssFirstMb: mbs[0] ?? null, rssEndMb: mbs.at(-1) ?? null, rssPeakMb: Math.max(...mbs), rss, lastSample: out.trim() === '' ? null : JSON.parse(out)};
}

/** The parsing pipeline alone: N log lines through splitter, parser and window, CPU per line. */
async function parseCost(repo, lines) {
	const {createLineSplitter} = await import(join(repo, 'dist/source/sources/http-log/lines.js'));
	const {parseAccessLine} = await import(join(repo, 'dist/source/sources/http-log/parse.js'));
	const {createLatencyWindow} = await import(join(repo, 'dist/source/sources/http-log/window.js'));
	const window = createLatencyWindow(60);
	const now = Date.now();
	const text = Array.from({length: lines}, (_, i) => JSON.stringify({msec: ((now - 60_000 + (i * 60_000) / lines) / 1000).toFixed(3), status: i % 50 === 0 ? '502' : '200', request_time: (0.001 + (i % 997) / 1000).toFixed(3), upstream_response_time: (0.001 + (i % 991) / 1000).toFixed(3), upstream_addr: `127.0.0.1:${backPorts[i % 3]}`, upstream_status: '200'})).join('\n') + '\n';
	const bytes = Buffer.from(text);
	const splitter = createLineSplitter({line: (line) => {
		const record = parseAccessLine(line);
		if (record) window.add(record, now);
	}, overlong: () => {}});
	const before = process.cpuUsage();
	for (let at = 0; at < bytes.length; at += 64 * 1024) splitter.push(bytes.subarray(at, at + 64 * 1024));
	const used = process.cpuUsage(before);
	const readBefore = process.cpuUsage();
	for (let i = 0; i < 60; i++) window.read(now);
	const readUsed = process.cpuUsage(readBefore);
	const perLineUs = (used.user + used.system) / lines;
	return {lines, bytesPerLine: bytes.length / lines, perLineUs, percentOfCoreAt2000: (perLineUs * 2000) / 1e4, windowReadMs: (readUsed.user + readUsed.system) / 60 / 1000};
}

export async function runHttpCase({repo, cli, pgUrl, redisUrl, seconds, warmupSeconds, rate = 2000, out}) {
	const workDir = mkdtempSync(join(tmpdir(), 'va-bench-http-'));
	const result = {rate, seconds, warmupSeconds, runs: [], load: [], parse: null, at: new Date().toISOString()};
	try {
		result.parse = await parseCost(repo, 120_000);
		await startNginx(repo, workDir);
		const base = [process.execPath, cli, '--project', httpProject, '--service', 'app', '--redis', redisUrl];
		for (const [label, extra] of [['without', ['--no-http']], ['with', []]]) {
			const load = startLoad(repo, rate, warmupSeconds + seconds + 2);
			const run = await measureVaTop({label, argv: [...base, ...extra], env: {DATABASE_URL: pgUrl}, seconds, warmupSeconds, workDir, rssEverySeconds: seconds > 120 ? 10 : 1});
			const summary = await load.done;
			result.runs.push(run);
			result.load.push({label, ...summary, perSecond: summary ? summary.answered / summary.seconds : null});
		}

		const load = startLoad(repo, rate, warmupSeconds + seconds + 2);
		result.runs.push(await measureSourceAlone({repo, seconds, warmupSeconds, rssEverySeconds: seconds > 120 ? 10 : 1}));
		const summary = await load.done;
		result.load.push({label: 'source-alone', ...summary, perSecond: summary ? summary.answered / summary.seconds : null});
	} finally {
		removeHttpBench();
		rmSync(workDir, {recursive: true, force: true});
	}

	writeFileSync(join(out, 'http.json'), `${JSON.stringify(result, null, 2)}\n`);
	writeFileSync(join(out, 'http.md'), httpMarkdown(result));
	return result;
}

export function httpMarkdown(result) {
	const row = (label) => result.runs.find((run) => run.label === label);
	const load = (label) => result.load.find((entry) => entry.label === label);
	const fixed = (value, digits = 1) => (value === null || value === undefined ? 'n/a' : Number(value).toFixed(digits));
	const lines = [
		'# Access-log source: cost at ~2,000 requests/s',
		'',
		`${result.at}; ${result.seconds} s measured after ${result.warmupSeconds} s warm-up per run; load asked ${result.rate}/s (scripts/load.mjs, loopback).`,
		'',
		'| | va-top --no-http | va-top with the access log |',
		'| --- | ---: | ---: |',
		`| requests/s logged (load answered) | ${fixed(load('without')?.perSecond, 0)} | ${fixed(load('with')?.perSecond, 0)} |`,
		`| CPU, % of a core | ${fixed(row('without')?.cpuPercent)} | ${fixed(row('with')?.cpuPercent)} |`,
		`| RSS first / end / peak, MB | ${fixed(row('without')?.rssFirstMb)} / ${fixed(row('without')?.rssEndMb)} / ${fixed(row('without')?.rssPeakMb)} | ${fixed(row('with')?.rssFirstMb)} / ${fixed(row('with')?.rssEndMb)} / ${fixed(row('with')?.rssPeakMb)} |`,
		'',
		`The source alone in its own node process (bench/lib/http-source-alone.mjs: Docker logs stream, parsing, window read every second), at ${fixed(load('source-alone')?.perSecond, 0)} requests/s logged: CPU ${fixed(row('source-alone')?.cpuPercent)} % of a core, RSS first / end / peak ${fixed(row('source-alone')?.rssFirstMb)} / ${fixed(row('source-alone')?.rssEndMb)} / ${fixed(row('source-alone')?.rssPeakMb)} MB; its last reading: \`${JSON.stringify(row('source-alone')?.lastSample ?? null)}\`.`,
		'',
		`Parsing alone (bytes → lines → records → window, ${result.parse.lines} lines of ${fixed(result.parse.bytesPerLine, 0)} bytes, in-process): ${fixed(result.parse.perLineUs, 2)} µs a line, ${fixed(result.parse.percentOfCoreAt2000, 2)} % of a core at 2,000 lines/s; reading the 60 s window (merging its sketches) ${fixed(result.parse.windowReadMs, 2)} ms.`,
		'',
		'Screen of the run with the access log (first lines):',
		'',
		'```',
		...(row('with')?.screen ?? []),
		'```',
		'',
	];
	return `${lines.join('\n')}\n`;
}
