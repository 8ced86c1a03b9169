// With --compose-file, scaling runs the compose CLI (here Debian's docker-compose 1.29, as installed) with
// `up -d --no-deps --scale app=N --no-recreate app`; the drain before a scale-down is va-top's own.
import {execFile} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createActionRunner, type ActionRunner, type ActionRunnerOptions, type ScalePlan} from '../../source/actions/action-runner.js';
import {openAuditLog} from '../../source/actions/audit-log.js';
import {createComposeBackend, findCompose} from '../../source/actions/compose-backend.js';
import {isRefusal} from '../../source/core/action-rules.js';
import type {ContainerState} from '../../source/core/types.js';
import {connectDocker} from '../../source/sources/docker/connect.js';
import {IN_CI, requireDocker} from '../support/services.js';
import {runLabel} from '../support/docker-fixtures.js';
import {appCommand, listService, randomId, readAudit, removeProject, tempDir} from './actions-fixtures.js';

const available = await requireDocker();
const compose = available ? await findCompose().catch(() => null) : null;
if (available && compose === null && IN_CI) {
	describe('compose CLI (required in CI)', () => {
		it('docker compose or docker-compose is installed', () => {
			throw new Error('neither `docker compose` nor `docker-compose` runs, and CI=true forbids skipping: scripts/setup.sh installs docker-compose');
		});
	});
}
const project = `act-${randomId()}`;
const service = 'app';
const temp = tempDir('va-actions-compose-');
const composeFile = path.join(temp.dir, 'docker-compose.yml');
const auditFile = path.join(temp.dir, 'audit.log');

const defaults: ActionRunnerOptions = {min: 2, max: 4, readOnly: false, dryRun: false, appPort: 8000, drainTimeoutMs: 10_000, dbThreshold: 80};

function runner(file = composeFile): ActionRunner {
	const {docker: client, endpoint} = connectDocker(undefined);
	return createActionRunner({
		// The compose found above (the backend finds the same by itself, in the background).
		backend: createComposeBackend({docker: client, endpoint, project, service, appPort: 8000, composeFile: file, composeCommand: compose!}),
		options: defaults,
		audit: openAuditLog({path: auditFile}),
		log: () => undefined,
	});
}

async function replicas(): Promise<Array<{name: string; number: number | null; state: ContainerState; labels: Record<string, string>}>> {
	return (await listService(project, service)).map((entry) => ({
		name: entry.name,
		number: Number(entry.labels['com.docker.compose.container-number']),
		state: entry.state as ContainerState,
		labels: entry.labels,
	}));
}

async function scalePlan(actions: ActionRunner, target: number): Promise<ScalePlan> {
	const instances = await replicas();
	const plan = actions.planScale(target, {current: instances.filter((entry) => entry.state === 'running').length, instances});
	if (isRefusal(plan)) throw new Error(plan.reason);
	return plan;
}

describe.skipIf(!available || compose === null)('actions through the compose CLI', () => {
	beforeAll(async () => {
		const command = JSON.stringify(appCommand.map((part) => part.replaceAll('$', () => '$$')));
		writeFileSync(
			composeFile,
			[
				'services:',
				'  app:',
				'    image: va-top/busybox:1',
				'    pull_policy: never',
				'    network_mode: none',
				'    mem_limit: 64m',
				'    stop_grace_period: 2s',
				`    command: ${command}`,
				'    labels:',
				`      ${runLabel}: ${project}`,
				'',
			].join('\n'),
		);
		const base = compose!;
		await promisify(execFile)(base[0]!, [...base.slice(1), '--ansi', 'never', '-p', project, '-f', composeFile, 'up', '-d', '--scale', 'app=2'], {cwd: temp.dir, timeout: 60_000});
	}, 90_000);

	afterAll(async () => {
		await removeProject(project);
		temp.cleanup();
	});

	it('scales 2 → 3 → 2 through compose, which numbers and labels the new container and removes it again', async () => {
		const before = await replicas();
		expect(before.map((entry) => [entry.number, entry.state])).toEqual([
			[1, 'running'],
			[2, 'running'],
		]);
		const actions = runner();
		const upPlan = await scalePlan(actions, 3);
		expect(upPlan.steps[0]).toBe(`run ${compose!.join(' ')} -f ${composeFile} up -d --no-deps --scale app=3 --no-recreate app`);
		const up = await actions.executeScale(upPlan);
		expect(up).toMatchObject({result: 'ok', from: 2, to: 3});
		const three = await replicas();
		expect(three.map((entry) => [entry.number, entry.state])).toEqual([
			[1, 'running'],
			[2, 'running'],
			[3, 'running'],
		]);
		const created = three[2]!;
		// Compose 1.29 names it P_S_N and gives it the same Compose labels as its siblings.
		expect(created.name).toBe(`${project}_${service}_3`);
		expect(up.message).toContain(`created ${created.name}`);
		expect(created.labels).toMatchObject({
			'com.docker.compose.project': project,
			'com.docker.compose.service': service,
			'com.docker.compose.container-number': '3',
			'com.docker.compose.oneoff': 'False',
			'com.docker.compose.config-hash': before[0]!.labels['com.docker.compose.config-hash'],
		});

		const downPlan = await scalePlan(actions, 2);
		expect(downPlan.steps[0]).toContain(`take ${created.name} out of the load balancer`);
		const down = await actions.executeScale(downPlan);
		expect(down).toMatchObject({result: 'ok', from: 3, to: 2});
		expect(down.message).toContain(`${created.name} stopped and removed`);
		expect((await replicas()).map((entry) => [entry.name, entry.state])).toEqual([
			[`${project}_${service}_1`, 'running'],
			[`${project}_${service}_2`, 'running'],
		]);
		expect(readAudit(auditFile).map((line) => [line.result, line.from, line.to])).toEqual([
			['began', 2, 3],
			['ok', 2, 3],
			['began', 3, 2],
			['ok', 3, 2],
		]);
	}, 60_000);

	it('refuses while the service has a stopped container, which compose would count as a replica', async () => {
		const stopped = `${project}_${service}_2`;
		await promisify(execFile)('docker', ['stop', stopped]);
		try {
			const actions = runner();
			const result = await actions.executeScale(await scalePlan(actions, 2));
			expect(result).toMatchObject({result: 'refused', refusal: {code: 'backend'}});
			expect(result.message).toContain(`compose also counts the stopped ${stopped} (exited)`);
			expect((await replicas()).map((entry) => entry.state)).toEqual(['running', 'exited']);
		} finally {
			await promisify(execFile)('docker', ['start', stopped]);
		}
	}, 30_000);

	it("a compose failure is shown with compose's own message and changes nothing", async () => {
		const missing = path.join(temp.dir, 'missing.yml');
		const result = await runner(missing).executeScale(await scalePlan(runner(missing), 3));
		// Nothing else ran: the count is still 2.
		expect(result.result).toBe('failed');
		expect(result.message).toContain(`--compose-file ${missing} does not exist`);
		const broken = path.join(temp.dir, 'broken.yml');
		writeFileSync(broken, 'services:\n  app:\n    image: va-top/busybox:1\n    network_mode: none\n    mem_limit: [oops\n');
		const failed = await runner(broken).executeScale(await scalePlan(runner(broken), 3));
		expect(failed.result).toBe('failed');
		expect(failed.message).toMatch(/up --scale app=3 exited 1: .+/);
		console.log(`compose failure as shown: ${failed.message}`);
		expect((await replicas()).length).toBe(2);
	}, 60_000);
	it('drains a replica that is not the highest-numbered by removing exactly it (compose would take another)', async () => {
		const actions = runner();
		expect((await actions.executeScale(await scalePlan(actions, 3))).result).toBe('ok');
		const instances = await replicas();
		const first = instances[0]!;
		expect(first.name).toBe(`${project}_${service}_1`);
		const id = (await promisify(execFile)('docker', ['inspect', '-f', '{{.Id}}', first.name])).stdout.trim();
		const plan = actions.planDrain({id, name: first.name, state: 'running'}, {current: 3, instances: instances.map((entry) => ({...entry, id: entry.name === first.name ? id : entry.name}))});
		if (isRefusal(plan)) throw new Error(plan.reason);
		expect(plan.steps[2]).toContain('through the Engine API (compose would remove the highest number instead)');
		const result = await actions.executeDrain(plan);
		expect(result).toMatchObject({result: 'ok', from: 3, to: 2});
		expect((await replicas()).map((entry) => [entry.name, entry.state])).toEqual([
			[`${project}_${service}_2`, 'running'],
			[`${project}_${service}_3`, 'running'],
		]);
	}, 60_000);
});
