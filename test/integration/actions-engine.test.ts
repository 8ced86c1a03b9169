// Scale and drain through the Docker Engine API against the real engine: a project unique to this run, instances on
// network none, connections held open by clients inside the instance, hooks that record what they were given.
import {readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createActionRunner, type ActionRunner, type ActionRunnerOptions, type DrainPlan, type ScalePlan} from '../../source/actions/action-runner.js';
import {openAuditLog} from '../../source/actions/audit-log.js';
import {createEngineBackend} from '../../source/actions/engine-backend.js';
import type {DrainProgress} from '../../source/actions/drain.js';
import {isRefusal} from '../../source/core/action-rules.js';
import type {EventEntry} from '../../source/core/event-log.js';
import type {ContainerState} from '../../source/core/types.js';
import {countEstablished} from '../../source/core/proc-net-tcp.js';
import {connectDocker} from '../../source/sources/docker/connect.js';
import {requireDocker} from '../support/services.js';
import {
	docker,
	holdConnections,
	listService,
	netstatEstablished,
	randomId,
	readAudit,
	releaseConnections,
	removeProject,
	runApp,
	tempDir,
	waitHealthy,
} from './actions-fixtures.js';

const available = await requireDocker();

const project = `act-${randomId()}`;
const other = `act-${randomId()}`;
const service = 'app';
const temp = tempDir('va-actions-engine-');
const auditFile = path.join(temp.dir, 'state', 'audit.log');
const hookLog = path.join(temp.dir, 'hooks.log');
const events: EventEntry[] = [];

const defaults: ActionRunnerOptions = {min: 2, max: 4, readOnly: false, dryRun: false, appPort: 8000, drainTimeoutMs: 15_000, dbThreshold: 80};

function runner(options: Partial<ActionRunnerOptions> = {}, hooks = true): ActionRunner {
	const {docker: client, endpoint} = connectDocker(undefined);
	return createActionRunner({
		backend: createEngineBackend({
			docker: client,
			endpoint,
			project,
			service,
			appPort: 8000,
			// Each hook appends its arguments to a file, so the test sees exactly what it was given.
			...(hooks ? {hooks: {remove: `printf 'remove %s %s\\n' >> ${hookLog}`, restore: `printf 'restore %s %s\\n' {name} {address} >> ${hookLog}`}} : {}),
		}),
		options: {...defaults, ...options},
		audit: openAuditLog({path: auditFile}),
		log: (entry) => events.push(entry),
	});
}

// What the screen has: the replicas (one-off containers are not), with their numbers and states.
async function replicas(): Promise<Array<{name: string; number: number; state: ContainerState}>> {
	return (await listService(project, service))
		.filter((entry) => entry.labels['com.docker.compose.oneoff'] !== 'True')
		.map((entry) => ({name: entry.name, number: Number(entry.labels['com.docker.compose.container-number']), state: entry.state as ContainerState}));
}

async function running(): Promise<string[]> {
	return (await replicas()).filter((entry) => entry.state === 'running').map((entry) => entry.name);
}

async function scalePlan(actions: ActionRunner, target: number): Promise<ScalePlan> {
	const plan = actions.planScale(target, {current: (await running()).length, instances: await replicas()});
	if (isRefusal(plan)) throw new Error(plan.reason);
	return plan;
}

async function drainPlan(actions: ActionRunner, name: string): Promise<DrainPlan> {
	const id = await docker(['inspect', '-f', '{{.Id}}', name]);
	const plan = actions.planDrain({id, name, state: 'running'}, {current: (await running()).length});
	if (isRefusal(plan)) throw new Error(plan.reason);
	return plan;
}

function hookLines(): string[] {
	try {
		return readFileSync(hookLog, 'utf8').trimEnd().split('\n').filter(Boolean);
	} catch {
		return [];
	}
}

describe.skipIf(!available)('actions through the Engine API', () => {
	beforeAll(async () => {
		await runApp({project, service, number: 1});
		await runApp({project, service, number: 2});
		// Never to be touched: a one-off of the service, another service of the project, the same service of another project.
		await runApp({project, service, number: 9, name: `${project}-${service}-run-1`, labels: {'com.docker.compose.oneoff': 'True'}});
		await runApp({project, service: 'worker', number: 1});
		await runApp({project: other, service, number: 1});
		await waitHealthy([`${project}-${service}-1`, `${project}-${service}-2`]);
	}, 60_000);

	afterAll(async () => {
		await removeProject(project);
		await removeProject(other);
		temp.cleanup();
	});

	it('counts connections from /proc/net/tcp{,6} as netstat shows them', async () => {
		const name = `${project}-${service}-1`;
		await holdConnections(name, 2);
		try {
			const proc = await docker(['exec', name, 'cat', '/proc/net/tcp', '/proc/net/tcp6']);
			expect(countEstablished(proc, 8000)).toBe(2);
			expect(await netstatEstablished(name, 8000)).toBe(2);
		} finally {
			await releaseConnections(name);
		}
	});

	it('scales 2 → 3 with a replica made like Compose makes one, then 3 → 2 removing the highest number', async () => {
		const actions = runner();
		const upPlan = await scalePlan(actions, 3);
		expect(upPlan.steps[0]).toContain(`named ${project}-${service}-N`);
		const up = await actions.executeScale(upPlan);
		expect(up).toMatchObject({result: 'ok', from: 2, to: 3});
		expect(up.message).toContain(`created ${project}-${service}-3`);

		const listed = await listService(project, service);
		// The one-off (number 9) is listed by the CLI but never counted or copied from; the new one is number 3.
		const created = listed.find((entry) => entry.name === `${project}-${service}-3`);
		expect(created?.state).toBe('running');
		const template = listed.find((entry) => entry.name === `${project}-${service}-2`)!;
		expect(created!.labels).toEqual({...template.labels, 'com.docker.compose.container-number': '3'});
		const [templateConfig, createdConfig] = (await docker(['inspect', '-f', '{{json .Config.Cmd}} {{json .Config.Healthcheck}} {{.HostConfig.NetworkMode}} {{.HostConfig.Memory}} {{.Config.Image}}', `${project}-${service}-2`, `${project}-${service}-3`])).split('\n');
		expect(createdConfig).toBe(templateConfig);

		const downPlan = await scalePlan(actions, 2);
		expect(downPlan.steps.join(' ')).toContain(`take ${project}-${service}-3 out of the load balancer`);
		const down = await actions.executeScale(downPlan);
		expect(down).toMatchObject({result: 'ok', from: 3, to: 2});
		const after = await listService(project, service);
		expect(after.map((entry) => entry.name).sort()).toEqual([`${project}-${service}-1`, `${project}-${service}-2`, `${project}-${service}-run-1`].sort());
		// Others untouched.
		expect((await listService(project, 'worker')).map((entry) => entry.state)).toEqual(['running']);
		expect((await listService(other, service)).map((entry) => entry.state)).toEqual(['running']);
		// The hook got the victim's name and address as separate arguments, removed and never restored.
		expect(hookLines()).toEqual([`remove ${project}-${service}-3 ${project}-${service}-3:8000`]);
		const audit = readAudit(auditFile).filter((line) => line.action === 'scale');
		expect(audit.map((line) => [line.result, line.from, line.to])).toEqual([
			['began', 2, 3],
			['ok', 2, 3],
			['began', 3, 2],
			['ok', 3, 2],
		]);
		expect(statSync(auditFile).mode & 0o777).toBe(0o600);
	}, 60_000);

	it('drain waits for the connections held inside the instance, then removes it', async () => {
		const actions = runner({min: 1});
		// A third instance to drain, so the service goes 3 → 2.
		expect((await actions.executeScale(await scalePlan(actions, 3))).result).toBe('ok');
		const name = `${project}-${service}-3`;
		await holdConnections(name, 3);
		const progress: DrainProgress[] = [];
		let releasedAt = 0;
		const started = Date.now();
		const result = await actions.executeDrain(await drainPlan(actions, name), {
			onProgress: (p) => {
				progress.push(p);
				// Let them go after two readings of 3.
				if (releasedAt === 0 && p.phase === 'waiting' && progress.filter((q) => q.phase === 'waiting' && q.connections === 3).length === 2) {
					releasedAt = Date.now();
					void releaseConnections(name);
				}
			},
		});
		const took = Date.now() - started;
		expect(result).toMatchObject({result: 'ok', from: 3, to: 2, instance: name});
		expect(result.message).toContain('connections drained; service 3 → 2');
		const waiting = progress.filter((p) => p.phase === 'waiting');
		expect(waiting.slice(0, 2).map((p) => p.connections)).toEqual([3, 3]);
		expect(waiting.at(-1)).toMatchObject({connections: 0, zeroReadings: 3});
		// It waited for the release, then for three zero readings about a second apart, and not for the timeout.
		expect(releasedAt).toBeGreaterThan(0);
		expect(Date.now() - releasedAt).toBeGreaterThanOrEqual(1900);
		expect(took).toBeLessThan(15_000);
		expect((await listService(project, service)).map((entry) => entry.name)).not.toContain(name);
		console.log(`drain: 3 connections held, released after ${((releasedAt - started) / 1000).toFixed(1)} s, instance removed after ${(took / 1000).toFixed(1)} s (${waiting.length} readings)`);
	}, 60_000);

	it('a drain that times out stops the instance anyway', async () => {
		const actions = runner({min: 1, drainTimeoutMs: 3000});
		expect((await actions.executeScale(await scalePlan(actions, 3))).result).toBe('ok');
		const name = `${project}-${service}-3`;
		await holdConnections(name, 2);
		const started = Date.now();
		const result = await actions.executeDrain(await drainPlan(actions, name));
		const took = Date.now() - started;
		expect(result.result).toBe('ok');
		expect(result.message).toContain(`timed out with 2 open on ${name}`);
		expect(took).toBeGreaterThanOrEqual(3000);
		expect(took).toBeLessThan(12_000);
		expect((await listService(project, service)).map((entry) => entry.name)).not.toContain(name);
		expect(events.some((entry) => entry.text === `${name}: drain timeout (3 s) with 2 connections still open; stopping anyway`)).toBe(true);
		console.log(`drain timeout: 2 connections still open at 3 s, instance stopped and removed after ${(took / 1000).toFixed(1)} s`);
	}, 60_000);

	it('abort restores the instance into the balancer and stops nothing', async () => {
		const actions = runner({min: 1});
		const name = `${project}-${service}-2`;
		await holdConnections(name, 1);
		const abort = new AbortController();
		const before = hookLines().length;
		try {
			const result = await actions.executeDrain(await drainPlan(actions, name), {
				signal: abort.signal,
				onProgress: (p) => {
					if (p.phase === 'waiting' && p.connections === 1) abort.abort();
				},
			});
			expect(result).toMatchObject({result: 'aborted', instance: name});
			expect(hookLines().slice(before)).toEqual([`remove ${name} ${name}:8000`, `restore ${name} ${name}:8000`]);
			expect((await listService(project, service)).find((entry) => entry.name === name)?.state).toBe('running');
			expect(readAudit(auditFile).at(-1)).toMatchObject({action: 'drain', instance: name, result: 'aborted', from: 2, to: 1});
		} finally {
			await releaseConnections(name);
		}
	}, 30_000);

	it('a failing hook is shown with its own message and nothing is stopped', async () => {
		const {docker: client, endpoint} = connectDocker(undefined);
		const actions = createActionRunner({
			backend: createEngineBackend({docker: client, endpoint, project, service, appPort: 8000, hooks: {remove: 'echo "pool api said: 503 busy" >&2; exit 7 #', restore: 'true'}}),
			options: {...defaults, min: 1},
			audit: openAuditLog({path: auditFile}),
			log: (entry) => events.push(entry),
		});
		const name = `${project}-${service}-2`;
		const result = await actions.executeDrain(await drainPlan(actions, name));
		expect(result.result).toBe('failed');
		expect(result.message).toContain('--lb-remove-cmd exited 7: pool api said: 503 busy');
		expect((await running()).sort()).toEqual([`${project}-${service}-1`, `${project}-${service}-2`]);
		expect(readAudit(auditFile).at(-1)).toMatchObject({result: 'failed', error: expect.stringContaining('exited 7') as unknown});
	}, 30_000);

	it("an engine error is shown with the engine's own message and leaves the service as it was", async () => {
		// Someone else's container holds the name the next replica would get.
		const squatter = `${project}-${service}-3`;
		await docker(['create', '--name', squatter, '--network', 'none', '--label', `va-top.test-run=${project}`, '--label', `com.docker.compose.project=${project}`, 'va-top/busybox:1', 'true']);
		try {
			const actions = runner();
			const result = await actions.executeScale(await scalePlan(actions, 3));
			expect(result.result).toBe('failed');
			expect(result.message).toMatch(new RegExp(`creating ${squatter}: Conflict\\. The container name "/${squatter}" is already in use`));
			expect(result.message).toContain('2 instances run now');
			expect((await running()).sort()).toEqual([`${project}-${service}-1`, `${project}-${service}-2`]);
			expect(readAudit(auditFile).at(-1)).toMatchObject({action: 'scale', result: 'failed', from: 2, to: 3, error: expect.stringContaining('already in use') as unknown});
		} finally {
			await docker(['rm', '-f', squatter]);
		}
	}, 30_000);

	it('refuses a count that changed under the confirmation, below min, above max, read-only; dry-run changes nothing', async () => {
		const actions = runner();
		const plan = await scalePlan(actions, 3);
		// Someone else scales meanwhile.
		await runApp({project, service, number: 5});
		const changed = await actions.executeScale(plan);
		expect(changed).toMatchObject({result: 'refused', refusal: {code: 'count-changed', from: 2, to: 3}});
		expect(changed.message).toContain('changed from 2 to 3');
		await docker(['rm', '-f', `${project}-${service}-5`]);

		expect(actions.planScale(1, {current: 2})).toMatchObject({code: 'below-min'});
		expect(actions.planScale(5, {current: 2})).toMatchObject({code: 'above-max'});
		const readOnly = createActionRunner({backend: createEngineBackend({...connectDocker(undefined), project, service, appPort: 8000}), options: {...defaults, readOnly: true}, audit: null, log: () => undefined});
		expect(await readOnly.executeScale({...plan, from: 2, to: 3})).toMatchObject({result: 'refused', refusal: {code: 'read-only'}});

		const dry = runner({dryRun: true, min: 1});
		const dryUp = await dry.executeScale(await scalePlan(dry, 3));
		expect(dryUp.result).toBe('dry-run');
		const dryDrain = await dry.executeDrain(await drainPlan(dry, `${project}-${service}-2`));
		expect(dryDrain.result).toBe('dry-run');
		expect(dryDrain.message).toContain('wait for its 0 connection(s) on port 8000');
		expect((await running()).sort()).toEqual([`${project}-${service}-1`, `${project}-${service}-2`]);
		const tail = readAudit(auditFile).slice(-5).map((line) => [line.action, line.result]);
		expect(tail).toEqual([
			['scale', 'refused'],
			['scale', 'refused'],
			['scale', 'refused'],
			['scale', 'dry-run'],
			['drain', 'dry-run'],
		]);
	}, 30_000);
});
