// The Docker daemon going away, coming back, and hanging, as va-top in a real pane sees it. The shared dockerd is never
// touched: va-top talks to it through a unix socket proxy (support/proxy.ts) that can disappear or stop moving bytes.
// A real dockerd restart and SIGSTOP are at the end, behind VA_TOP_SLOW_FAULTS=1 and VA_TOP_REAL_DAEMON_FAULTS=1.
import {execFile} from 'node:child_process';
import path from 'node:path';
import {tmpdir} from 'node:os';
import {existsSync, readFileSync} from 'node:fs';
import {promisify} from 'node:util';
import {afterAll, afterEach, beforeAll, describe, expect} from 'vitest';
import {docker, randomId, removeRun, runContainer} from '../support/docker-fixtures.js';
import {DOCKER_SOCKET, PG_URL, REDIS_URL, requireDocker, requirePostgres, requireRedis, waitFor} from '../support/services.js';
import {tmuxAvailable} from '../support/tmux.js';
import {requireTool} from './support/servers.js';
import {instanceRow, launch, sourcesLine, trendCells, waitScreen, type LiveRun} from './support/live.js';
import {daemonProxy} from './support/proxy.js';
import {faultTest, recordNotRun, root, seconds, slowFaults, type FaultMeta} from './support/results.js';

const run = promisify(execFile);

const dockerUp = await requireDocker();
const postgresUp = await requirePostgres();
const redisUp = await requireRedis();
const tmux = requireTool('tmux', await tmuxAvailable(), 'scripts/setup.sh installs it');
const ready = dockerUp && postgresUp && redisUp && tmux;

describe.skipIf(!ready)('faults: the Docker daemon', () => {
	const id = randomId();
	const project = `fault-${id}`;
	const service = 'web';
	const proxy = daemonProxy(path.join(tmpdir(), `va-faults-docker-${id}.sock`), DOCKER_SOCKET);
	let live: LiveRun | undefined;

	const args = (host: string) => ['--docker-host', host, '--project', project, '--service', service, '--pg', PG_URL, '--redis', REDIS_URL];

	beforeAll(async () => {
		await Promise.all(
			[1, 2, 3].map(async number => runContainer({run: id, project, service, number, options: ['--memory', '64m'], command: ['sleep', '1000']})),
		);
	}, 60_000);

	afterEach(async () => {
		await live?.close();
		live = undefined;
		await proxy.close();
	});

	afterAll(async () => {
		await removeRun(id);
	});

	/** Every instance listed, streaming (a few samples in its trend), and docker fresh. */
	async function streaming(run: LiveRun, numbers: readonly number[], samples: number, timeoutMs = 30_000): Promise<string> {
		return waitScreen(
			run,
			`docker ok and instances ${numbers.join(', ')} with ${samples}+ samples`,
			screen => /docker ok/.test(sourcesLine(screen)) && numbers.every(n => trendCells(screen, `${service}_${n}`) >= samples),
			timeoutMs,
		);
	}

	faultTest(
		{
			id: 'docker-gone',
			group: 'fault',
			order: 10,
			title: 'Docker daemon stopped, then started again',
			checked: 'header says unreachable, then reconnecting; every instance streams again in the same process; history kept',
		},
		async record => {
			await proxy.open();
			live = await launch(args(`unix://${proxy.path}`));
			const before = await streaming(live, [1, 2, 3], 4);
			const historyBefore = trendCells(before, `${service}_1`);

			// When the daemon goes away (its socket disappears, every connection is cut)
			const down = Date.now();
			await proxy.close();
			const unreachable = await live.pane.waitForScreen(screen => /docker: unreachable \(.+\)/.test(sourcesLine(screen)), 10_000);
			record.figure(`unreachable shown after ${seconds(Date.now() - down)}`);
			expect(sourcesLine(unreachable)).toMatch(/no such socket|connection refused|lost connection|connection reset/);
			// The rows stay, with their last numbers, while it is away
			expect(instanceRow(unreachable, `${service}_1`)).toMatch(/running/);
			await live.pane.waitForScreen(screen => /docker: reconnecting/.test(sourcesLine(screen)), 10_000);
			record.figure(`reconnecting shown after ${seconds(Date.now() - down)}`);
			// The fault lasts 5 s in all: past the first retries (1 s, then 2 s apart).
			await new Promise(resolve => setTimeout(resolve, Math.max(0, down + 5000 - Date.now())));
			expect(sourcesLine(await live.pane.capture())).toMatch(/docker: reconnecting/);

			// When it comes back
			const up = Date.now();
			await proxy.open();
			const back = await live.pane.waitForScreen(
				screen => /docker ok/.test(sourcesLine(screen)) && [1, 2, 3].every(n => trendCells(screen, `${service}_${n}`) > 0),
				15_000,
			);
			record.figure(`docker ok again ${seconds(Date.now() - up)} after the daemon came back`);
			// Then the samples from before the outage are still in the trend (a fresh history would hold one or two)
			expect(trendCells(back, `${service}_1`)).toBeGreaterThanOrEqual(historyBefore);
			record.figure(`history kept: ${trendCells(back, `${service}_1`)} samples in the trend (${historyBefore} before the outage)`);
			// And every instance streams again: each trend grows by two more readings
			const counts = [1, 2, 3].map(n => trendCells(back, `${service}_${n}`));
			await live.pane.waitForScreen(screen => [1, 2, 3].every((n, i) => trendCells(screen, `${service}_${n}`) >= counts[i]! + 2), 15_000);
			record.figure(`all 3 instances streaming again ${seconds(Date.now() - up)} after it came back`);
			// Without a restart: the same process is still running
			expect(live.alive()).toBe(true);
		},
		90_000,
	);

	faultTest(
		{
			id: 'docker-hangs',
			group: 'fault',
			order: 20,
			title: 'Docker daemon stops answering (SIGSTOP-like: connections open, no bytes)',
			checked: 'data marked stale within a few seconds; keys still respond; fresh again after',
		},
		async record => {
			await proxy.open();
			live = await launch(args(`unix://${proxy.path}`));
			await streaming(live, [1, 2, 3], 3);

			// When the daemon stops moving bytes (connections stay open, as with SIGSTOP)
			const stopped = Date.now();
			proxy.pause();
			const stale = await live.pane.waitForScreen(screen => /docker: stale \d/.test(sourcesLine(screen)), 15_000);
			const staleAfter = Date.now() - stopped;
			record.figure(`stale shown after ${seconds(staleAfter)}`);
			expect(staleAfter).toBeLessThan(8000);
			expect(instanceRow(stale, `${service}_1`)).toMatch(/running/);

			// Then keys still respond at once
			const pressed = Date.now();
			await live.pane.send(['p']);
			await live.pane.waitForScreen(/PAUSED/, 3000);
			const answered = Date.now() - pressed;
			await live.pane.send(['p']);
			await live.pane.waitForScreen(screen => !screen.includes('PAUSED'), 3000);
			await live.pane.send(['?']);
			await live.pane.waitForScreen(/show or close this help/, 3000);
			await live.pane.send(['Escape']);
			await live.pane.waitForScreen(screen => !screen.includes('show or close this help'), 3000);
			record.figure(`key answered in ${answered} ms while the daemon hung`);
			expect(answered).toBeLessThan(1500);

			// When the daemon answers again, the data is fresh again
			const resumed = Date.now();
			proxy.resume();
			await live.pane.waitForScreen(screen => /docker ok/.test(sourcesLine(screen)), 15_000);
			record.figure(`fresh again ${seconds(Date.now() - resumed)} after it answered`);
			expect(live.alive()).toBe(true);
		},
		90_000,
	);

	faultTest(
		{
			id: 'instance-killed-removed',
			group: 'fault',
			order: 30,
			title: 'An instance killed, and one removed, while their stats stream',
			checked: 'the row shows the exit, then goes; no error on screen; the others stream on',
		},
		async record => {
			live = await launch(args(`unix://${DOCKER_SOCKET}`));
			await streaming(live, [1, 2, 3], 2);
			const screens: string[] = [];
			const watch = async (test: (screen: string) => boolean, timeoutMs: number) =>
				live!.pane.waitForScreen(screen => {
					screens.push(screen);
					return test(screen);
				}, timeoutMs);

			// When instance 1 is killed
			let from = Date.now();
			await docker(['kill', `${project}_${service}_1`]);
			await watch(screen => /exited/.test(instanceRow(screen, `${service}_1`) ?? ''), 10_000);
			record.figure(`killed: exit shown after ${seconds(Date.now() - from)}`);
			from = Date.now();
			await docker(['rm', `${project}_${service}_1`]);
			await watch(screen => instanceRow(screen, `${service}_1`) === undefined && instanceRow(screen, `${service}_3`) !== undefined, 10_000);
			record.figure(`row gone ${seconds(Date.now() - from)} after its removal`);

			// When instance 2 is removed while it runs and streams
			from = Date.now();
			await docker(['rm', '-f', `${project}_${service}_2`]);
			await watch(screen => instanceRow(screen, `${service}_2`) === undefined && instanceRow(screen, `${service}_3`) !== undefined, 10_000);
			record.figure(`removed while streaming: row gone after ${seconds(Date.now() - from)}`);

			// Then instance 3 streams on, and nothing ever said docker was in trouble
			const last = await watch(screen => trendCells(screen, `${service}_3`) >= 2 && /docker ok/.test(sourcesLine(screen)), 10_000);
			const cells = trendCells(last, `${service}_3`);
			await watch(screen => trendCells(screen, `${service}_3`) > cells, 10_000);
			for (const screen of screens) {
				expect(sourcesLine(screen)).not.toMatch(/docker: (unreachable|reconnecting)/);
				expect(screen).not.toMatch(/Error|TypeError|at .+\.js:\d+/);
			}

			record.figure(`${screens.length} screens read, none with an error`);
			expect(live.alive()).toBe(true);
		},
		60_000,
	);
});

// A real dockerd restart and SIGSTOP: only on a machine of one's own (it stops every container of the engine).
const realDaemon = slowFaults && process.env.VA_TOP_REAL_DAEMON_FAULTS === '1';
const realRestart: FaultMeta = {
	id: 'real-dockerd-restart',
	group: 'fault',
	order: 15,
	slow: true,
	title: 'The real dockerd stopped (SIGTERM), then started again',
	checked: 'unreachable, then reconnecting; both instances stream again without restarting va-top',
};
const realStop: FaultMeta = {
	id: 'real-dockerd-sigstop',
	group: 'fault',
	order: 25,
	slow: true,
	title: 'The real dockerd stopped with SIGSTOP for a while, then SIGCONT',
	checked: 'stale within a few seconds, keys respond, fresh again after SIGCONT',
};
if (ready && !realDaemon) {
	const why = 'needs VA_TOP_SLOW_FAULTS=1 VA_TOP_REAL_DAEMON_FAULTS=1: it stops the machine\'s dockerd and every container on it (the proxy rows above act it out)';
	recordNotRun(realRestart, why);
	recordNotRun(realStop, why);
}

describe.skipIf(!ready || !realDaemon)('faults: the real Docker daemon (VA_TOP_REAL_DAEMON_FAULTS=1)', () => {
	const id = randomId();
	const project = `fault-${id}`;
	const service = 'web';
	let live: LiveRun | undefined;

	beforeAll(async () => {
		await Promise.all(
			[1, 2].map(async number =>
				runContainer({run: id, project, service, number, options: ['--memory', '64m', '--restart', 'unless-stopped'], command: ['sleep', '100000']}),
			),
		);
	}, 60_000);

	afterEach(async () => {
		await live?.close();
		live = undefined;
	});

	afterAll(async () => {
		await removeRun(id);
	});

	const dockerdPid = () => Number(readFileSync('/var/run/docker.pid', 'utf8').trim());
	const args = ['--project', project, '--service', service, '--pg', PG_URL, '--redis', REDIS_URL];

	faultTest(
		realRestart,
		async record => {
			live = await launch(args);
			await live.pane.waitForScreen(screen => [1, 2].every(n => trendCells(screen, `${service}_${n}`) >= 2), 30_000);
			const down = Date.now();
			const pid = dockerdPid();
			process.kill(pid, 'SIGTERM');
			await live.pane.waitForScreen(screen => /docker: (unreachable|reconnecting)/.test(sourcesLine(screen)), 30_000);
			record.figure(`trouble shown after ${seconds(Date.now() - down)}`);
			await waitFor(async () => run('docker', ['version']).then(() => false, () => true), {timeoutMs: 60_000});
			// The old dockerd and the containerd it manages must be gone before a new one starts: a new dockerd
			// cannot reach a containerd socket that is still shutting down.
			await waitFor(() => !existsSync(`/proc/${pid}`), {timeoutMs: 60_000, message: 'old dockerd exited'});
			await waitFor(async () => run('pgrep', ['-f', 'containerd --config /var/run/docker/containerd']).then(() => false, () => true), {timeoutMs: 60_000, message: 'old containerd exited'});
			const up = Date.now();
			await run('bash', [path.join(root, 'scripts/services-up.sh')], {timeout: 180_000});
			const counts = await live.pane.waitForScreen(screen => /docker ok/.test(sourcesLine(screen)), 60_000);
			const before = [1, 2].map(n => trendCells(counts, `${service}_${n}`));
			await live.pane.waitForScreen(screen => [1, 2].every((n, i) => trendCells(screen, `${service}_${n}`) >= before[i]! + 2), 30_000);
			record.figure(`streaming again ${seconds(Date.now() - up)} after dockerd was started`);
			expect(live.alive()).toBe(true);
		},
		300_000,
	);

	faultTest(
		realStop,
		async record => {
			live = await launch(args);
			await live.pane.waitForScreen(screen => /docker ok/.test(sourcesLine(screen)) && trendCells(screen, `${service}_1`) >= 2, 30_000);
			const pid = dockerdPid();
			const stopped = Date.now();
			process.kill(pid, 'SIGSTOP');
			try {
				await live.pane.waitForScreen(screen => /docker: stale/.test(sourcesLine(screen)), 15_000);
				record.figure(`stale shown after ${seconds(Date.now() - stopped)}`);
				await live.pane.send(['p']);
				await live.pane.waitForScreen(/PAUSED/, 3000);
				await live.pane.send(['p']);
			} finally {
				process.kill(pid, 'SIGCONT');
			}

			const resumed = Date.now();
			await live.pane.waitForScreen(screen => /docker ok/.test(sourcesLine(screen)), 30_000);
			record.figure(`fresh again ${seconds(Date.now() - resumed)} after SIGCONT`);
		},
		120_000,
	);
});
