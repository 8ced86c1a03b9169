import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {createActions} from '../../../source/actions/create-actions.js';
import {createDemoBackend} from '../../../source/actions/demo-backend.js';
import {createActionRunner} from '../../../source/actions/action-runner.js';
import {openAuditLog} from '../../../source/actions/audit-log.js';
import type {Balancer} from '../../../source/actions/backend.js';
import {resolveOptions} from '../../../source/config/options.js';
import {isRefusal} from '../../../source/core/action-rules.js';
import {createDemoStack, type DemoStack} from '../../../source/sources/demo/demo-stack.js';

let dir: string;
let demo: DemoStack;
beforeEach(() => {
	dir = mkdtempSync(path.join(tmpdir(), 'va-create-'));
	demo = createDemoStack({project: 'voiceassist', service: 'voiceassist-server', intervalMs: 1000, now: () => Date.UTC(2025, 10, 27), seed: 2});
	demo.docker.start();
});
afterEach(async () => {
	await demo.docker.stop();
	rmSync(dir, {recursive: true, force: true});
});

describe('createActions', () => {
	it('picks the backend the options ask for', () => {
		const env = {XDG_STATE_HOME: dir};
		const base = {'docker-host': 'unix:///nonexistent/docker.sock'};
		expect(createActions({options: resolveOptions({demo: true}, {}, env), demo, log: () => undefined, env}).runner.backendKind).toBe('demo');
		expect(createActions({options: resolveOptions({...base, 'compose-file': 'x.yml'}, {}, env), log: () => undefined, env}).runner.backendKind).toBe('compose');
		expect(createActions({options: resolveOptions(base, {}, env), log: () => undefined, env}).runner.backendKind).toBe('engine');
		expect(() => createActions({options: resolveOptions({demo: true}, {}, env), log: () => undefined, env})).toThrow('--demo actions need the demo stack');
	});

	it('read-only: no audit log, nothing created, every action refused', async () => {
		const env = {XDG_STATE_HOME: dir};
		const actions = createActions({options: resolveOptions({demo: true, 'read-only': true}, {}, env), demo, log: () => undefined, env});
		expect(actions.audit).toBeNull();
		expect(actions.runner.readOnly).toBe(true);
		expect(actions.runner.planScale(4, {current: 3})).toMatchObject({code: 'read-only'});
		expect(existsSync(path.join(dir, 'va-top'))).toBe(false);
	});

	it('writes the audit log under XDG_STATE_HOME by default, --audit-log elsewhere, and only once something is done', async () => {
		const env = {XDG_STATE_HOME: dir};
		const actions = createActions({options: resolveOptions({demo: true, 'dry-run': true}, {}, env), demo, log: () => undefined, env});
		expect(existsSync(path.join(dir, 'va-top', 'audit.log'))).toBe(false);
		const plan = actions.runner.planScale(4, {current: 3});
		if (isRefusal(plan)) throw new Error(plan.reason);
		expect((await actions.runner.executeScale(plan)).result).toBe('dry-run');
		actions.close();
		expect(JSON.parse(readFileSync(path.join(dir, 'va-top', 'audit.log'), 'utf8'))).toMatchObject({action: 'scale', result: 'dry-run', from: 3, to: 4});
		const file = path.join(dir, 'elsewhere.log');
		expect(createActions({options: resolveOptions({demo: true, 'audit-log': file}, {}, env), demo, log: () => undefined, env}).audit?.path).toBe(file);
	});
});

describe('the began line', () => {
	it('is on disk before the action touches anything', async () => {
		const file = path.join(dir, 'audit.log');
		const backend = createDemoBackend(demo, {appPort: 8000});
		const seenAtRemove: string[] = [];
		const real = backend.balancer.bind(backend);
		backend.balancer = async (): Promise<Balancer> => {
			const balancer = await real();
			return {
				description: balancer.description,
				async remove(instance) {
					// The first thing the drain does: by now the audit log must already say it began.
					seenAtRemove.push(readFileSync(file, 'utf8'));
					return balancer.remove(instance);
				},
			};
		};

		const runner = createActionRunner({
			backend,
			options: {min: 2, max: 10, readOnly: false, dryRun: false, appPort: 8000, drainTimeoutMs: 2000, dbThreshold: 80},
			audit: openAuditLog({path: file}),
			log: () => undefined,
			now: demo.now,
			sleep: async (ms) => demo.advance(ms),
		});
		const instance = demo.docker.view().instances[2]!;
		const plan = runner.planDrain(instance, {current: 3});
		if (isRefusal(plan)) throw new Error(plan.reason);
		expect((await runner.executeDrain(plan)).result).toBe('ok');
		expect(seenAtRemove).toHaveLength(1);
		expect(JSON.parse(seenAtRemove[0]!.trim())).toMatchObject({action: 'drain', instance: instance.name, result: 'began', duration: null});
	});
});
