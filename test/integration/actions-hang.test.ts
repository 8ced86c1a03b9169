// A Docker daemon that accepts connections and never answers (as a SIGSTOPped dockerd does): every action fails within
// its request's time limit with a plain message, the runner is free again, and close() cancels what still waits at once,
// leaving no socket behind. va-top talks to the real engine through a unix socket proxy that can stop moving bytes.
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {DrainPlan, ScalePlan} from '../../source/actions/action-runner.js';
import {createActions, type ActionOptions, type Actions} from '../../source/actions/create-actions.js';
import {requestLabel} from '../../source/actions/bounded-docker.js';
import {isRefusal} from '../../source/core/action-rules.js';
import type {EventEntry} from '../../source/core/event-log.js';
import {daemonProxy} from '../faults/support/proxy.js';
import {requireDocker} from '../support/services.js';
import {docker, randomId, readAudit, removeProject, runApp, tempDir, waitHealthy} from './actions-fixtures.js';

const available = await requireDocker();
const project = `hang-${randomId()}`;
const service = 'app';
const temp = tempDir('va-actions-hang-');
const auditFile = path.join(temp.dir, 'state', 'audit.log');
const proxy = daemonProxy(path.join(tmpdir(), `va-hang-${randomId()}.sock`), '/var/run/docker.sock');
const events: EventEntry[] = [];

function actions(): Actions {
	const options = {
		project,
		service,
		dockerHost: `unix://${proxy.path}`,
		thresholds: {dbImmediate: 80},
		max: 4,
		min: 1,
		composeFile: undefined,
		lbRemoveCmd: undefined,
		lbRestoreCmd: undefined,
		appPort: 8000,
		drainTimeoutMs: 15_000,
		readOnly: false,
		dryRun: false,
		auditLog: auditFile,
		demo: false,
	} as unknown as ActionOptions;
	return createActions({options, log: (entry) => events.push(entry)});
}

function sockets(): number {
	return process.getActiveResourcesInfo().filter((kind) => kind === 'PipeWrap' || kind === 'TCPSocketWrap').length;
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error('condition not met in time');
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

describe.skipIf(!available)('actions against a Docker daemon that stops answering', () => {
	beforeAll(async () => {
		await runApp({project, service, number: 1});
		await runApp({project, service, number: 2});
		await waitHealthy([`${project}-${service}-1`, `${project}-${service}-2`]);
		await proxy.open();
	}, 30_000);

	afterAll(async () => {
		await proxy.close();
		await removeProject(project);
		temp.cleanup();
	});

	it('names each kind of request', () => {
		expect(requestLabel('GET', '/containers/abc/json')).toBe('inspect');
		expect(requestLabel('GET', '/containers/json?')).toBe('list');
		expect(requestLabel('POST', '/containers/abc/stop?')).toBe('stop');
		expect(requestLabel('DELETE', '/containers/abc?')).toBe('remove');
		expect(requestLabel('POST', '/containers/abc/exec')).toBe('exec create');
		expect(requestLabel('PUT', '/containers/abc/archive?')).toBe('archive put');
	});

	it('a scale-up and a drain fail within the limit with the timeout message; the runner is free again', async () => {
		const baseline = sockets();
		const {runner, close} = actions();
		try {
			const plan = runner.planScale(3, {current: 2});
			if (isRefusal(plan)) throw new Error(plan.reason);
			proxy.pause();
			let started = Date.now();
			const scaled = await runner.executeScale(plan as ScalePlan);
			let took = Date.now() - started;
			expect(scaled.result).toBe('failed');
			expect(scaled.message).toContain('docker did not answer within 10s (list)');
			expect(took).toBeGreaterThanOrEqual(9_500);
			expect(took).toBeLessThan(12_000);
			expect(runner.inProgress()).toBeNull();
			proxy.resume();

			// The drain hangs in the middle: once out of the (absent) balancer, reading its connections never returns.
			const name = `${project}-${service}-2`;
			const id = await docker(['inspect', '-f', '{{.Id}}', name]);
			const drain = runner.planDrain({id, name, state: 'running'}, {current: 2});
			if (isRefusal(drain)) throw new Error(drain.reason);
			started = Date.now();
			const drained = await runner.executeDrain(drain as DrainPlan, {
				onProgress: (progress) => {
					if (progress.phase === 'balancer') proxy.pause();
				},
			});
			took = Date.now() - started;
			expect(drained.result).toBe('failed');
			expect(drained.message).toContain('docker did not answer within 10s (exec create)');
			expect(took).toBeLessThan(12_000);
			expect(runner.inProgress()).toBeNull();
			proxy.resume();
			expect((await docker(['inspect', '-f', '{{.State.Status}}', name]))).toBe('running');
			const lines = readAudit(auditFile).filter((line) => line.action === 'drain');
			expect(lines.map((line) => line.result)).toEqual(['began', 'failed']);
			expect(String(lines[1]!.error)).toContain('did not answer within 10s');
		} finally {
			proxy.resume();
			await close();
		}

		await until(() => sockets() <= baseline, 2_000);
	}, 30_000);

	it('close() during a hung request returns within a second and leaves no socket open', async () => {
		const baseline = sockets();
		const {runner, close} = actions();
		const plan = runner.planScale(3, {current: 2});
		if (isRefusal(plan)) throw new Error(plan.reason);
		proxy.pause();
		try {
			const pending = runner.executeScale(plan as ScalePlan);
			await until(() => proxy.connections() > 0, 2_000);
			await new Promise((resolve) => setTimeout(resolve, 200));
			const hung = sockets();
			expect(hung).toBeGreaterThan(baseline);
			const started = Date.now();
			await close();
			const result = await pending;
			expect(Date.now() - started).toBeLessThan(1_500);
			expect(result.result).toBe('failed');
			expect(result.message).toContain('va-top is closing');
			expect(runner.inProgress()).toBeNull();
			// va-top's end of the connection is gone at once; the paused proxy (in this process too) notices the
			// hang-up only once it reads again.
			expect(sockets()).toBeLessThan(hung);
			proxy.resume();
			await until(() => sockets() <= baseline, 1_000);
		} finally {
			proxy.resume();
		}
	}, 15_000);
});
