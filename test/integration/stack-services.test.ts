// The Compose project's other services against the real engine: a project of our own with an app service and
// postgres-, redis- and nginx-named services (busybox stand-ins that burn CPU or hold memory like those would), read
// with the same readers as the app's instances and checked against `docker stats` for the same containers; the
// per-container memory rule in --once --json; the stack panel in a real 80x24 tmux pane.
import {execFile} from 'node:child_process';
import {existsSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {ReportJson} from '../../source/core/report.js';
import type {DockerView, InstanceSample} from '../../source/core/types.js';
import {connectDocker} from '../../source/sources/docker/connect.js';
import {createDockerCollector, type DockerCollector, type DockerStatsSource} from '../../source/sources/docker/docker-collector.js';
import {docker, dockerStats, randomId, removeRun, runContainer, runLabel} from '../support/docker-fixtures.js';
import {DOCKER_SOCKET, PG_URL, REDIS_URL, requireDocker, requirePostgres, requireRedis, TEST_IMAGE, waitFor} from '../support/services.js';
import {openPane, tmuxAvailable, type Pane} from '../support/tmux.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'dist/cli.js');
const available = (await requireDocker()) && (await requirePostgres()) && (await requireRedis());
const tmux = await tmuxAvailable();

const run = randomId();
const project = `stk-${run}`;
const service = 'web';
const endpoint = `unix://${DOCKER_SOCKET}`;
const mib = 1024 ** 2;

/** The built binary as a user runs it. */
async function runCli(args: string[]): Promise<{code: number; stdout: string; stderr: string}> {
	if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (npm test does)`);
	return new Promise(resolve => {
		execFile(process.execPath, [cli, ...args], {env: {PATH: process.env.PATH}, timeout: 20_000}, (error, stdout, stderr) => {
			resolve({code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr});
		});
	});
}

const collectors: DockerCollector[] = [];
function collectorFor(options: {statsSource?: DockerStatsSource; spacedEveryMs?: number; project?: string} = {}): DockerCollector {
	const collector = createDockerCollector({...connectDocker(endpoint), project: options.project ?? project, service, ...options});
	collectors.push(collector);
	collector.start();
	return collector;
}

function otherById(view: DockerView, id: string): InstanceSample | undefined {
	return view.others?.find(sample => sample.id === id);
}

describe.skipIf(!available)("the Compose project's other services (real engine)", () => {
	const ids = {web: '', postgres: '', redis: '', nginx: '', nginxStopped: '', strangerPostgres: '', oneOff: ''};

	beforeAll(async () => {
		const common = {run, project};
		[ids.web, ids.postgres, ids.redis, ids.nginx, ids.nginxStopped, ids.strangerPostgres] = await Promise.all([
			runContainer({...common, service, number: 1, options: ['--memory', '128m'], command: ['sleep', '1000']}),
			// A busy database: a busy loop capped at 0.6 of a core, a steady figure on a loaded machine.
			runContainer({...common, service: 'postgres', number: 1, options: ['--memory', '128m', '--cpus', '0.6'], command: ['sh', '-c', 'while :; do :; done']}),
			// A cache at its limit: 57 MB in a tmpfs of a 64 MB container is about 89 % (shmem is used memory).
			runContainer({
				...common,
				service: 'redis',
				number: 1,
				options: ['--memory', '64m', '--shm-size', '60m'],
				command: ['sh', '-c', 'dd if=/dev/zero of=/dev/shm/fill bs=1M count=57 2>/dev/null; exec sleep 1000'],
			}),
			// No memory limit of its own: judged against the host's memory, and said so.
			runContainer({...common, service: 'nginx', number: 1, options: ['--health-cmd', 'true', '--health-interval', '1s'], command: ['sleep', '1000']}),
			runContainer({...common, service: 'nginx', number: 2, start: false, command: ['true']}),
			// Same service name, another project: never ours.
			runContainer({run, project: `${project}-other`, service: 'postgres', number: 1, command: ['sleep', '1000']}),
		]);
		// A one-off (`docker compose run migrate`) of the project: not a service's container.
		ids.oneOff = await docker([
			'run', '-d', '--network', 'none', '--name', `${project}_migrate_run_${randomId()}`,
			'--label', `${runLabel}=${run}`, '--label', `com.docker.compose.project=${project}`,
			'--label', 'com.docker.compose.service=migrate', '--label', 'com.docker.compose.oneoff=True',
			TEST_IMAGE, 'sleep', '1000',
		]);
	}, 60_000);

	afterAll(async () => {
		await Promise.all(collectors.map(async collector => collector.stop()));
		await removeRun(run);
	});

	it("lists the other services' containers apart from the app's instances, never another project's nor a one-off run", async () => {
		const collector = collectorFor();
		const view = await waitFor(
			() => {
				const current = collector.view();
				return current.status.kind === 'ok' && (current.others?.length ?? 0) >= 4 && current.others!.every(sample => sample.state !== 'running' || sample.cpuPercent !== null) && current;
			},
			{timeoutMs: 15_000, message: 'four containers of other services, the running ones with CPU'},
		);
		// The app service is still the only row of the table and the only target of the actions.
		expect(view.instances.map(sample => sample.id)).toEqual([ids.web]);
		expect(new Map(view.others!.map(sample => [sample.id, sample.service]))).toEqual(
			new Map([
				[ids.nginx, 'nginx'],
				[ids.nginxStopped, 'nginx'],
				[ids.postgres, 'postgres'],
				[ids.redis, 'redis'],
			]),
		);
		expect(otherById(view, ids.nginxStopped)).toMatchObject({state: 'created', cpuPercent: null, memPercent: null});
		expect(otherById(view, ids.redis)).toMatchObject({memoryLimited: true, memLimitBytes: 64 * mib});
		expect(otherById(view, ids.nginx)?.memoryLimited).toBe(false);
		// Local engine: every running one read from its cgroup files, nothing asked of the engine.
		expect(view.othersStatsFrom).toEqual({cgroup: 3, api: 0, spaced: 0});
		expect(view.statsFrom).toEqual({cgroup: 1, api: 0, spaced: 0});
		// Health comes by the same events as the instances'.
		await waitFor(() => otherById(collector.view(), ids.nginx)?.health === 'healthy', {timeoutMs: 15_000, message: 'nginx healthy'});
	});

	it.each(['cgroup', 'api'] as const)('reads their CPU and memory like `docker stats` does for the same containers (%s)', async transport => {
		// Over the API the other services get spaced one-shot readings (here every second), never a stream.
		const collector = transport === 'cgroup' ? collectorFor() : collectorFor({statsSource: 'api', spacedEveryMs: 1000});
		await waitFor(() => otherById(collector.view(), ids.postgres)?.cpuPercent != null && otherById(collector.view(), ids.redis)?.memPercent != null, {
			timeoutMs: 15_000,
			message: 'first CPU and memory of the other services',
		});
		if (transport === 'api') {
			expect(collector.view().othersStatsFrom).toEqual({cgroup: 0, api: 0, spaced: 3});
			expect(collector.view().statsFrom).toEqual({cgroup: 0, api: 1, spaced: 0});
		}

		const history = new Map<string, Array<{cpu: number | null; mem: number | null}>>();
		let last = new Map<string, number | null>();
		const unsubscribe = collector.subscribe(() => {
			const next = new Map<string, number | null>();
			for (const sample of collector.view().others ?? []) {
				next.set(sample.id, sample.sampledAt);
				if (sample.sampledAt === null || last.get(sample.id) === sample.sampledAt) continue;
				history.set(sample.id, [...(history.get(sample.id) ?? []), {cpu: sample.cpuPercent, mem: sample.memPercent}]);
			}

			last = next;
		});
		const cli = await dockerStats([ids.postgres, ids.redis, ids.nginx]);
		await new Promise(resolve => setTimeout(resolve, 1500));
		unsubscribe();

		const closest = (id: string, key: 'cpu' | 'mem', value: number) => {
			const values = (history.get(id) ?? []).map(entry => entry[key]).filter((v): v is number => v !== null);
			expect(values.length, `readings of ${id.slice(0, 12)}`).toBeGreaterThan(0);
			return values.reduce((best, v) => (Math.abs(v - value) < Math.abs(best - value) ? v : best));
		};

		const postgresCli = cli.get(ids.postgres.slice(0, 12))!;
		const redisCli = cli.get(ids.redis.slice(0, 12))!;
		const nginxCli = cli.get(ids.nginx.slice(0, 12))!;
		const postgresCpu = closest(ids.postgres, 'cpu', postgresCli.cpuPercent);
		const redisMem = closest(ids.redis, 'mem', redisCli.memPercent);
		const nginxMem = closest(ids.nginx, 'mem', nginxCli.memPercent);
		console.log(
			`${transport}: postgres CPU va-top ${postgresCpu.toFixed(2)} % vs docker stats ${postgresCli.cpuPercent} %; ` +
				`redis MEM va-top ${redisMem.toFixed(2)} % vs ${redisCli.memPercent} %; nginx MEM (of host) va-top ${nginxMem.toFixed(3)} % vs ${nginxCli.memPercent} %`,
		);
		expect(postgresCli.cpuPercent).toBeGreaterThan(15);
		expect(Math.abs(postgresCpu - postgresCli.cpuPercent)).toBeLessThanOrEqual(10);
		expect(redisCli.memPercent).toBeGreaterThan(80);
		expect(Math.abs(redisMem - redisCli.memPercent)).toBeLessThanOrEqual(2);
		expect(Math.abs(nginxMem - nginxCli.memPercent)).toBeLessThanOrEqual(1);
	});

	it('--once --json: services[] per service and the redis container near its limit as a named IMMEDIATE concern', async () => {
		const result = await runCli(['--once', '--json', '--project', project, '--service', service, '--pg', PG_URL, '--redis', REDIS_URL]);
		const json = JSON.parse(result.stdout) as ReportJson;
		const cli = await dockerStats([ids.postgres]);
		const byName = new Map(json.services!.map(entry => [entry.name, entry]));
		expect([...byName.keys()]).toEqual(['nginx', 'postgres', 'redis']);
		expect(byName.get('nginx')).toMatchObject({containers: 2, running: 1, restarts: 0, memoryLimited: false});
		expect(byName.get('postgres')).toMatchObject({containers: 1, running: 1, restarts: 0, memLimitBytes: 128 * mib});
		expect(byName.get('postgres')!.cpuPercentMax).toBeGreaterThan(15);
		expect(Math.abs(byName.get('postgres')!.cpuPercentMax! - cli.get(ids.postgres.slice(0, 12))!.cpuPercent)).toBeLessThanOrEqual(15);
		expect(byName.get('redis')!.memPercentMax).toBeGreaterThan(85);
		const redisName = `${project}_redis_1`;
		const concern = json.recommendations.find(entry => entry.scope === 'container' && entry.subject === redisName);
		expect(concern).toMatchObject({level: 'IMMEDIATE', metric: 'memory', threshold: 85, unit: 'percent'});
		expect(concern!.message).toMatch(new RegExp(`^redis container ${redisName} memory \\d+% > 85% of its 64\\.0MiB limit: Raise the redis memory limit`));
		// The app's instances are all it counts, and only it can be scaled: the average is the web container's alone.
		expect(json.instances.map(entry => entry.name)).toEqual([`${project}_web_1`]);
		expect(result.code).toBe(2);

		const text = await runCli(['--once', '--project', project, '--service', service, '--pg', PG_URL, '--redis', REDIS_URL]);
		expect(text.stdout).toMatch(/^ {2}redis\s+1\/1\s+[\d.]+%\s+[\d.]+% of its 64\.0MiB limit\s+0\s+-$/m);
		expect(text.stdout).toMatch(/^ {2}nginx\s+1\/2\s+[\d.]+%\s+[\d.]+% of host memory \S+ \(no limit set\)\s+0\s+healthy$/m);
	}, 30_000);

	it('--once --json: services is [] for a project with no other service, null when Docker cannot be reached', async () => {
		const alone = await runCli(['--once', '--json', '--project', `${project}-other`, '--service', 'postgres', '--pg', PG_URL, '--redis', REDIS_URL]);
		expect((JSON.parse(alone.stdout) as ReportJson).services).toEqual([]);
		const down = await runCli(['--once', '--json', '--project', project, '--service', service, '--docker-host', `unix:///tmp/va-top-no-docker-${run}.sock`, '--pg', PG_URL, '--redis', REDIS_URL]);
		const json = JSON.parse(down.stdout) as ReportJson;
		expect(json.docker.reachable).toBe(false);
		expect(json.services).toBeNull();
		expect(down.code).toBe(3);
	}, 30_000);

	describe.skipIf(!tmux)('the stack panel in a real 80x24 tmux pane', () => {
		let pane: Pane | undefined;
		afterEach(async () => {
			await pane?.kill();
			pane = undefined;
		});

		it('shows one line per service expanded with x, the redis mark, and every frame within 80 columns and 23 rows', async () => {
			if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (npm test does)`);
			pane = await openPane({width: 80, height: 24});
			await pane.type(`node ${cli} --project ${project} --service ${service} --pg ${PG_URL} --redis ${REDIS_URL} --read-only; echo "exit=$?"`);
			const fits = (screen: string) => {
				const rows = screen.split('\n');
				// The frame leaves the last row alone, and no line is wider than the pane.
				expect(rows.every(line => line.length <= 80)).toBe(true);
				expect(rows[23] ?? '').toBe('');
			};

			const collapsed = await pane.waitForScreen(/^stack nginx 1\/2 · postgres 1\/1 · redis 1\/1 ▲▲/m, 20_000);
			fits(collapsed);
			expect(collapsed).toMatch(/▸ \S*web_1/);
			await pane.send(['x']);
			const expanded = await pane.waitForScreen(s => /x: collapse/.test(s) && /^postgres\s+1\/1\s+[\d.]+%/m.test(s), 10_000);
			fits(expanded);
			expect(expanded).toMatch(/^nginx\s+1\/2\s+[\d.]+%\s+[\d.]+% of host\s+0\s+healthy/m);
			expect(expanded).toMatch(/^redis\s+1\/1\s+[\d.]+%\s+▲▲\s+\d+% of 64M\s+0/m);
			await pane.send(['x']);
			fits(await pane.waitForScreen(/^stack nginx 1\/2/m));
			await pane.send(['q']);
			await pane.waitForScreen(/exit=0/);
		}, 60_000);
	});
});
