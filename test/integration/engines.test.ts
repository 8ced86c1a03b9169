// Several Docker engines in one view, against three real engines of the project's own (scripts/engines-up.sh: each a
// dockerd with its own socket, data root and containerd), each running replicas of the same Compose project/service.
import {execFile} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createActions, type Actions} from '../../source/actions/create-actions.js';
import type {ActionRunner} from '../../source/actions/action-runner.js';
import {isRefusal} from '../../source/core/action-rules.js';
import type {EventEntry} from '../../source/core/event-log.js';
import type {ReportJson} from '../../source/core/report.js';
import type {DockerView, InstanceSample} from '../../source/core/types.js';
import {resolveOptions, type Options} from '../../source/config/options.js';
import {openComposeWorkload, type Workload} from '../../source/sources/workload/backend.js';
import {randomId} from '../support/docker-fixtures.js';
import {dockerOn, namesOn, removeRunOn, requireEngines, runReplica, startEngine, statsOn, stopEngine, type TestEngine} from '../support/engines.js';
import {PG_URL, REDIS_URL, waitFor} from '../support/services.js';

const execFileAsync = promisify(execFile);
const engines = await requireEngines(['e1', 'e2', 'e3']);
const cli = path.resolve('dist/cli.js');

const run = randomId();
const project = `vadock${run}`;
const service = 'api';
const temp = mkdtempSync(path.join(tmpdir(), 'va-engines-'));
const auditFile = path.join(temp, 'audit.log');

function options(extra: Record<string, unknown> = {}): Options {
	return resolveOptions({project, service, 'docker-host': engines!.map((engine) => `${engine.name}=${engine.url}`), 'audit-log': auditFile, min: '2', max: '12', 'drain-timeout': '5', ...extra} as never, {}, {});
}

function byName(view: DockerView, name: string): InstanceSample | undefined {
	return view.instances.find((instance) => instance.name === name);
}

function audit(): Array<Record<string, unknown>> {
	try {
		return readFileSync(auditFile, 'utf8').trimEnd().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
	} catch {
		return [];
	}
}

describe.skipIf(engines === null)('several Docker engines (three real engines)', () => {
	const [e1, e2, e3] = (engines ?? []) as TestEngine[];
	const ids: Record<string, string> = {};
	let workload: Workload;
	let actions: Actions;
	let runner: ActionRunner;
	const events: EventEntry[] = [];

	beforeAll(async () => {
		// e1: idle and 48 MB in a tmpfs; e2: idle and a busy loop; e3: two idle; and on e3 a decoy of another project.
		[ids.e1idle, ids.e1memory, ids.e2idle, ids.e2busy, ids.e3one, ids.e3two] = await Promise.all([
			runReplica(e1!, {run, project, service, number: 1}),
			runReplica(e1!, {run, project, service, number: 2, options: ['--memory', '128m', '--shm-size', '64m'], command: ['sh', '-c', 'dd if=/dev/zero of=/dev/shm/fill bs=1M count=48 2>/dev/null; exec sleep 100000']}),
			runReplica(e2!, {run, project, service, number: 1}),
			// Two loops: on a machine busy with other work it still takes a share a comparison can tell from idle.
			runReplica(e2!, {run, project, service, number: 2, command: ['sh', '-c', '(while :; do :; done) & while :; do :; done']}),
			runReplica(e3!, {run, project, service, number: 1}),
			runReplica(e3!, {run, project, service, number: 2}),
		]);
		await runReplica(e3!, {run, project: `${project}x`, service, number: 1});
		workload = openComposeWorkload({engines: options().dockerEngines, project, service, intervalMs: 1000});
		workload.collector.start();
		actions = createActions({options: options(), log: (entry) => events.push(entry), workload});
		runner = actions.runner;
	}, 120_000);

	afterAll(async () => {
		await workload?.collector.stop();
		await actions?.close();
		for (const engine of engines ?? []) {
			await removeRunOn(engine, run, project);
			await removeRunOn(engine, run, `${project}x`);
		}

		rmSync(temp, {recursive: true, force: true});
	}, 60_000);

	it('shows one merged table: every replica of every engine, each with its host, nothing of other projects', async () => {
		const view = await waitFor(() => workload.collector.view().instances.length >= 6 && workload.collector.view().status.kind === 'ok' && workload.collector.view(), {
			timeoutMs: 15_000,
			message: 'six instances on three engines',
		});
		expect(view.instances.map((instance) => [instance.name, instance.host])).toEqual([
			[`${project}_api_1@e1`, 'e1'],
			[`${project}_api_2@e1`, 'e1'],
			[`${project}_api_1@e2`, 'e2'],
			[`${project}_api_2@e2`, 'e2'],
			[`${project}_api_1@e3`, 'e3'],
			[`${project}_api_2@e3`, 'e3'],
		]);
		expect(byName(view, `${project}_api_2@e2`)!.id).toBe(`e2/${ids.e2busy}`);
		expect(view.engines?.map((engine) => [engine.name, engine.endpoint, engine.status.kind, engine.instances])).toEqual([
			['e1', e1!.url, 'ok', 2],
			['e2', e2!.url, 'ok', 2],
			['e3', e3!.url, 'ok', 2],
		]);
	});

	it('reads each instance’s CPU and memory as `docker -H … stats --no-stream` does on its own engine', async () => {
		await waitFor(() => workload.collector.view().instances.every((instance) => instance.cpuPercent !== null), {timeoutMs: 10_000, message: 'CPU for all'});
		const history = new Map<string, number[][]>();
		const unsubscribe = workload.collector.subscribe(() => {
			for (const instance of workload.collector.view().instances) {
				if (instance.cpuPercent === null || instance.memPercent === null) continue;
				const list = history.get(instance.name) ?? [];
				list.push([instance.cpuPercent, instance.memPercent]);
				history.set(instance.name, list);
			}
		});
		const [cli1, cli2, cli3] = await Promise.all([statsOn(e1!, [ids.e1idle!, ids.e1memory!]), statsOn(e2!, [ids.e2idle!, ids.e2busy!]), statsOn(e3!, [ids.e3one!])]);
		await new Promise((resolve) => setTimeout(resolve, 1200));
		unsubscribe();
		const closest = (name: string, index: 0 | 1, value: number) => (history.get(name) ?? []).map((pair) => pair[index]!).reduce((best, v) => (Math.abs(v - value) < Math.abs(best - value) ? v : best), Number.POSITIVE_INFINITY);
		const busy = cli2.get(ids.e2busy!.slice(0, 12))!;
		const memory = cli1.get(ids.e1memory!.slice(0, 12))!;
		const idle = cli3.get(ids.e3one!.slice(0, 12))!;
		console.log(
			`e2 busy CPU: va-top ${closest(`${project}_api_2@e2`, 0, busy.cpuPercent).toFixed(2)} % vs docker -H e2 stats ${busy.cpuPercent} %; ` +
				`e1 tmpfs MEM: va-top ${closest(`${project}_api_2@e1`, 1, memory.memPercent).toFixed(2)} % vs ${memory.memPercent} %; e3 idle CPU ${idle.cpuPercent} %`,
		);
		// Busy enough to tell from idle, and va-top's closest reading within 8 points of the CLI's: the CLI's window and
		// va-top's 1 s readings do not line up, and with the machine's load at 11 on 2 cores a bursty loop moved 5 points
		// between neighbouring seconds; a wrong calculation (per core, or the wrong delta) is off by half or more.
		expect(busy.cpuPercent).toBeGreaterThan(8);
		expect(Math.abs(closest(`${project}_api_2@e2`, 0, busy.cpuPercent) - busy.cpuPercent)).toBeLessThanOrEqual(8);
		expect(memory.memPercent).toBeGreaterThan(30);
		expect(Math.abs(closest(`${project}_api_2@e1`, 1, memory.memPercent) - memory.memPercent)).toBeLessThanOrEqual(2);
		expect(Math.abs(closest(`${project}_api_1@e3`, 0, idle.cpuPercent) - idle.cpuPercent)).toBeLessThanOrEqual(3);
	});

	it('an engine lost mid-run: its rows are not assessed with the reason, the others keep streaming, and it comes back', async () => {
		const before = byName(workload.collector.view(), `${project}_api_1@e1`)!.sampledAt!;
		// When e2 drops off (its dockerd stops; its containers run on)
		await stopEngine('e2');
		try {
			const away = await waitFor(
				() => {
					const view = workload.collector.view();
					const rows = view.instances.filter((instance) => instance.host === 'e2');
					return rows.length === 2 && rows.every((instance) => instance.notAssessed !== undefined) && view;
				},
				{timeoutMs: 10_000, message: 'e2 rows not assessed'},
			);
			const row = byName(away, `${project}_api_2@e2`)!;
			expect(row).toMatchObject({cpuPercent: null, memPercent: null, memUsageBytes: null, state: 'running'});
			expect(row.notAssessed).toMatch(new RegExp(`^e2 (unreachable|reconnecting): (no such socket|connection refused at|lost connection to).*e2\\.sock`));
			expect(away.status.kind).toBe('ok');
			expect(away.engines?.find((engine) => engine.name === 'e2')?.status.kind).toMatch(/unreachable|reconnecting/);
			// Then the others keep streaming
			await waitFor(() => byName(workload.collector.view(), `${project}_api_1@e1`)!.sampledAt! > before + 2000 && byName(workload.collector.view(), `${project}_api_1@e3`)!.cpuPercent !== null, {
				timeoutMs: 10_000,
				message: 'e1 and e3 fresh',
			});
			// And the one-shot report says which engine it could not read, and exits 3
			const once = await execFileAsync(process.execPath, [cli, '--once', '--json', '--project', project, '--service', service, '--docker-host', engines!.map((engine) => engine.url).join(','), '--pg', PG_URL, '--redis', REDIS_URL], {timeout: 20_000}).then(
				() => {
					throw new Error('expected exit 3');
				},
				(error: {code: number; stdout: string}) => error,
			);
			const report = JSON.parse(once.stdout) as ReportJson;
			expect(once.code).toBe(3);
			expect(report.docker.engines.map((engine) => [engine.name, engine.reachable])).toEqual([
				['e1', true],
				['e2', false],
				['e3', true],
			]);
			expect(report.recommendations.find((entry) => entry.subject === 'docker:e2')).toMatchObject({level: 'UNKNOWN'});
		} finally {
			await startEngine('e2');
		}

		// When it is back, its rows are assessed again with fresh readings
		const back = Date.now();
		await waitFor(
			() => {
				const row = byName(workload.collector.view(), `${project}_api_2@e2`);
				return row !== undefined && row.notAssessed === undefined && row.cpuPercent !== null && row.sampledAt! > back;
			},
			{timeoutMs: 20_000, message: 'e2 rows assessed again'},
		);
		console.log(`e2 assessed again ${Date.now() - back} ms after its engine answered`);
		expect(workload.collector.view().engines?.every((engine) => engine.status.kind === 'ok')).toBe(true);
	}, 60_000);

	it('--once --json names each instance’s host and each engine (node null outside Swarm)', async () => {
		const {stdout} = await execFileAsync(process.execPath, [cli, '--once', '--json', '--project', project, '--service', service, '--docker-host', `a=${e1!.url}`, '--docker-host', `b=${e2!.url},c=${e3!.url}`, '--pg', PG_URL, '--redis', REDIS_URL], {timeout: 20_000}).catch(
			(error: {stdout: string}) => error,
		);
		const report = JSON.parse(stdout) as ReportJson;
		expect(report.docker.engines).toEqual([
			{name: 'a', endpoint: e1!.url, reachable: true, error: null, role: 'engine'},
			{name: 'b', endpoint: e2!.url, reachable: true, error: null, role: 'engine'},
			{name: 'c', endpoint: e3!.url, reachable: true, error: null, role: 'engine'},
		]);
		expect(report.instances.map((instance) => [instance.name, instance.host, instance.node, instance.id.length])).toEqual([
			[`${project}_api_1@a`, 'a', null, 64],
			[`${project}_api_2@a`, 'a', null, 64],
			[`${project}_api_1@b`, 'b', null, 64],
			[`${project}_api_2@b`, 'b', null, 64],
			[`${project}_api_1@c`, 'c', null, 64],
			[`${project}_api_2@c`, 'c', null, 64],
		]);
	});

	async function scale(target: number, host?: string) {
		const view = workload.collector.view();
		const current = view.instances.filter((instance) => instance.state === 'running').length;
		const plan = runner.planScale(target, {current, instances: view.instances, ...(host === undefined ? {} : {host})});
		if (isRefusal(plan)) throw new Error(plan.reason);
		return {plan, result: await runner.executeScale(plan)};
	}

	async function settled(count: number): Promise<void> {
		await waitFor(() => workload.collector.view().instances.filter((instance) => instance.state === 'running').length === count, {timeoutMs: 15_000, message: `${count} running`});
	}

	it('scales up on the host the operator picks, naming the replica like its siblings (docker-compose 1.29: project_service_N)', async () => {
		await settled(6);
		const {plan, result} = await scale(7, 'e3');
		expect(plan.title).toBe('scale 6 → 7 on e3');
		expect(plan.steps[0]).toBe('on e3, chosen (e1 2 · e2 2 · e3 2)');
		expect(result).toMatchObject({result: 'ok', message: expect.stringContaining(`created ${project}_api_3@e3`)});
		expect(await namesOn(e3!, project, service)).toEqual([
			[`${project}_api_1`, 'running'],
			[`${project}_api_2`, 'running'],
			[`${project}_api_3`, 'running'],
		]);
		expect((await namesOn(e1!, project, service)).length).toBe(2);
		expect(audit().slice(-2).map((line) => [line.result, line.engine, line.from, line.to])).toEqual([
			['began', 'e3', 6, 7],
			['ok', 'e3', 6, 7],
		]);
	}, 60_000);

	it('scales up on the host with the fewest replicas when none is picked, and down on the one with the most', async () => {
		await settled(7);
		const up = await scale(8);
		expect(up.plan.steps[0]).toBe('on e1, the host with the fewest replicas (e1 2 · e2 2 · e3 3)');
		expect(up.result.result).toBe('ok');
		expect((await namesOn(e1!, project, service)).map(([name]) => name)).toEqual([`${project}_api_1`, `${project}_api_2`, `${project}_api_3`]);
		await settled(8);
		// e1 and e3 run 3 each: the first of them gives one up, its highest number
		const down = await scale(7);
		expect(down.plan.steps[0]).toBe('on e1, the host with the most replicas (e1 3 · e2 2 · e3 3)');
		expect(down.plan.steps[1]).toContain(`take ${project}_api_3@e1 out of the load balancer`);
		expect(down.result).toMatchObject({result: 'ok'});
		expect((await namesOn(e1!, project, service)).map(([name]) => name)).toEqual([`${project}_api_1`, `${project}_api_2`]);
		expect((await namesOn(e3!, project, service)).map(([name]) => name)).toEqual([`${project}_api_1`, `${project}_api_2`, `${project}_api_3`]);
		expect(audit().at(-1)).toMatchObject({action: 'scale', result: 'ok', engine: 'e1', from: 8, to: 7});
	}, 90_000);

	it('drains exactly the chosen instance on its own engine, not its namesakes on the others', async () => {
		await settled(7);
		const view = workload.collector.view();
		const target = byName(view, `${project}_api_1@e2`)!;
		const plan = runner.planDrain({id: target.id, name: target.name, state: target.state, host: target.host}, {current: 7, instances: view.instances});
		if (isRefusal(plan)) throw new Error(plan.reason);
		const result = await runner.executeDrain(plan);
		expect(result).toMatchObject({result: 'ok', instance: `${project}_api_1@e2`});
		expect(await namesOn(e2!, project, service)).toEqual([[`${project}_api_2`, 'running']]);
		expect((await namesOn(e1!, project, service)).map(([name]) => name)).toContain(`${project}_api_1`);
		expect((await namesOn(e3!, project, service)).map(([name]) => name)).toContain(`${project}_api_1`);
		expect(audit().at(-1)).toMatchObject({action: 'drain', instance: `${project}_api_1@e2`, result: 'ok', engine: 'e2'});
	}, 60_000);

	it('keeps every rule with several engines: a dry run changes nothing on any host, --min holds for the whole service', async () => {
		await settled(6);
		const view = workload.collector.view();
		const dry = createActions({options: options({'dry-run': true}), log: () => undefined, workload});
		try {
			const plan = dry.runner.planScale(7, {current: 6, instances: view.instances, host: 'e1'});
			if (isRefusal(plan)) throw new Error(plan.reason);
			const result = await dry.runner.executeScale(plan);
			expect(result).toMatchObject({result: 'dry-run', message: expect.stringMatching(/^dry-run: scale 6 → 7 on e1 would create 1 replica named vadock\w+_api_N .* on e1; nothing was changed$/)});
			expect((await namesOn(e1!, project, service)).length).toBe(2);
			expect(audit().at(-1)).toMatchObject({result: 'dry-run', engine: 'e1'});
		} finally {
			await dry.close();
		}

		const strict = createActions({options: options({min: '6'}), log: () => undefined, workload});
		try {
			const below = strict.runner.planScale(5, {current: 6, instances: view.instances});
			expect(below).toMatchObject({kind: 'refusal', code: 'below-min'});
		} finally {
			await strict.close();
		}
	}, 30_000);

	it('refuses when the count changed on any engine since the confirmation, and touches nothing of another project', async () => {
		await settled(6);
		const view = workload.collector.view();
		const plan = runner.planScale(7, {current: 6, instances: view.instances, host: 'e2'});
		if (isRefusal(plan)) throw new Error(plan.reason);
		// Someone starts a replica on e3 in between
		await runReplica(e3!, {run, project, service, number: 9});
		const result = await runner.executeScale(plan);
		expect(result).toMatchObject({result: 'refused', message: expect.stringContaining('changed from 6 to 7')});
		expect(await namesOn(e2!, project, service)).toEqual([[`${project}_api_2`, 'running']]);
		expect(await dockerOn(e3!, ['ps', '-a', '--filter', `label=com.docker.compose.project=${project}x`, '--format', '{{.Names}} {{.State}}'])).toBe(`${project}x_api_1 running`);
		expect(audit().at(-1)).toMatchObject({result: 'refused', engine: 'e2'});
	});
});
