// --compose-file with several engines: Compose on each host (Debian's docker-compose 1.29, as an operator runs it there
// with DOCKER_HOST), and va-top scaling one host's replicas through that host's Compose, the others untouched.
import {execFile} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createActions, type Actions} from '../../source/actions/create-actions.js';
import {findCompose} from '../../source/actions/compose-backend.js';
import {isRefusal} from '../../source/core/action-rules.js';
import {resolveOptions} from '../../source/config/options.js';
import {openComposeWorkload, type Workload} from '../../source/sources/workload/backend.js';
import {randomId, runLabel} from '../support/docker-fixtures.js';
import {namesOn, removeRunOn, requireEngines, type TestEngine} from '../support/engines.js';
import {waitFor} from '../support/services.js';

const run = promisify(execFile);
const engines = await requireEngines(['e1', 'e2']);
const compose = engines === null ? null : await findCompose().catch(() => null);
const id = randomId();
const project = `vadockc${id}`;
const service = 'api';
const temp = mkdtempSync(path.join(tmpdir(), 'va-engines-compose-'));
const composeFile = path.join(temp, 'docker-compose.yml');

describe.skipIf(engines === null || compose === null)('--compose-file on several engines (docker-compose on each host)', () => {
	const [e1, e2] = (engines ?? []) as TestEngine[];
	let workload: Workload;
	let actions: Actions;

	async function composeOn(engine: TestEngine, args: string[]): Promise<void> {
		await run(compose![0]!, [...compose!.slice(1), '--ansi', 'never', '-p', project, '-f', composeFile, ...args], {env: {...process.env, DOCKER_HOST: engine.url}, timeout: 120_000});
	}

	beforeAll(async () => {
		writeFileSync(
			composeFile,
			['services:', '  api:', '    image: va-top/busybox:1', '    network_mode: none', '    stop_grace_period: 1s', '    command: ["sleep", "100000"]', '    labels:', `      ${runLabel}: ${id}`, ''].join('\n'),
		);
		// What the operator did on each host: one replica on e1, one on e2.
		await composeOn(e1!, ['up', '-d', '--scale', 'api=1']);
		await composeOn(e2!, ['up', '-d', '--scale', 'api=1']);
		const options = resolveOptions(
			{project, service, 'docker-host': [e1!.url, e2!.url], 'compose-file': composeFile, 'audit-log': path.join(temp, 'audit.log'), min: '1', max: '4', 'drain-timeout': '3'} as never,
			{},
			{},
		);
		workload = openComposeWorkload({engines: options.dockerEngines, project, service});
		workload.collector.start();
		actions = createActions({options, log: () => undefined, workload});
	}, 180_000);

	afterAll(async () => {
		await workload?.collector.stop();
		await actions?.close();
		for (const engine of engines ?? []) await removeRunOn(engine, id, project);
		rmSync(temp, {recursive: true, force: true});
	}, 60_000);

	it("scales on the chosen host through that host's Compose, which names the replica its own way (project_service_N)", async () => {
		const view = await waitFor(() => workload.collector.view().instances.length === 2 && workload.collector.view(), {timeoutMs: 15_000, message: 'two instances'});
		const plan = actions.runner.planScale(3, {current: 2, instances: view.instances, host: 'e2'});
		if (isRefusal(plan)) throw new Error(plan.reason);
		expect(plan.steps[1]).toMatch(/^run docker-compose -f .* up -d --no-deps --scale api=3 --no-recreate api on e2$|^run docker compose -f .* on e2$/);
		const result = await actions.runner.executeScale(plan);
		expect(result).toMatchObject({result: 'ok', message: expect.stringContaining(`created ${project}_api_2@e2`)});
		expect(await namesOn(e2!, project, service)).toEqual([
			[`${project}_api_1`, 'running'],
			[`${project}_api_2`, 'running'],
		]);
		expect(await namesOn(e1!, project, service)).toEqual([[`${project}_api_1`, 'running']]);
	}, 120_000);

	it('scales down on the host with the most replicas, Compose removing the drained one there', async () => {
		await waitFor(() => workload.collector.view().instances.filter((instance) => instance.state === 'running').length === 3, {timeoutMs: 15_000, message: 'three running'});
		const view = workload.collector.view();
		const plan = actions.runner.planScale(2, {current: 3, instances: view.instances});
		if (isRefusal(plan)) throw new Error(plan.reason);
		expect(plan.title).toBe('scale 3 → 2 on e2');
		expect(await actions.runner.executeScale(plan)).toMatchObject({result: 'ok', message: expect.stringContaining(`${project}_api_2@e2 stopped and removed`)});
		expect(await namesOn(e2!, project, service)).toEqual([[`${project}_api_1`, 'running']]);
		expect(await namesOn(e1!, project, service)).toEqual([[`${project}_api_1`, 'running']]);
	}, 120_000);
});
