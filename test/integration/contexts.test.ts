// Docker contexts as the docker CLI makes them: a store created here with `docker context create` (DOCKER_CONFIG in a
// temp dir), contexts pointing at the project's extra engines, and va-top choosing by each of the CLI's precedence
// rules. Each choice is checked against the CLI's own (`docker context show`) for the same environment.
import {execFile} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {ReportJson} from '../../source/core/report.js';
import {randomId} from '../support/docker-fixtures.js';
import {removeRunOn, requireEngines, runReplica, type TestEngine} from '../support/engines.js';
import {PG_URL, REDIS_URL} from '../support/services.js';

const run = promisify(execFile);
const engines = await requireEngines(['e1', 'e2', 'e3']);
const cli = path.resolve('dist/cli.js');
const config = mkdtempSync(path.join(tmpdir(), 'va-docker-config-'));
const id = randomId();
const project = `vadockctx${id}`;

interface Outcome {
	code: number;
	stdout: string;
	stderr: string;
}

async function vaTop(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
	const base = {...process.env, DOCKER_CONFIG: config};
	delete base.DOCKER_HOST;
	delete base.DOCKER_CONTEXT;
	return run(process.execPath, [cli, '--once', '--json', '--project', project, '--service', 'api', '--pg', PG_URL, '--redis', REDIS_URL, ...args], {env: {...base, ...env}, timeout: 20_000}).then(
		({stdout, stderr}) => ({code: 0, stdout, stderr}),
		(error: {code: number; stdout: string; stderr: string}) => ({code: error.code, stdout: error.stdout, stderr: error.stderr}),
	);
}

/** What the docker CLI itself picks in the same environment. */
async function cliContext(args: string[], env: Record<string, string> = {}): Promise<string> {
	const base = {...process.env, DOCKER_CONFIG: config};
	delete base.DOCKER_HOST;
	delete base.DOCKER_CONTEXT;
	const {stdout} = await run('docker', [...args, 'context', 'show'], {env: {...base, ...env}});
	return stdout.trim();
}

function engines_(outcome: Outcome): ReportJson['docker']['engines'] {
	return (JSON.parse(outcome.stdout) as ReportJson).docker.engines;
}

describe.skipIf(engines === null)("Docker contexts (a store made with the docker CLI, the CLI's precedence)", () => {
	const [e1, e2, e3] = (engines ?? []) as TestEngine[];

	beforeAll(async () => {
		const env = {...process.env, DOCKER_CONFIG: config};
		for (const [name, engine] of [['app1', e1], ['app2', e2], ['app3', e3]] as const) {
			await run('docker', ['context', 'create', name, '--description', `va-top test ${name}`, '--docker', `host=${engine!.url}`], {env});
			await runReplica(engine!, {run: id, project, service: 'api', number: 1});
		}

		// A context whose engine is not there: it points at a socket nobody listens on.
		await run('docker', ['context', 'create', 'gone', '--docker', `host=unix://${path.join(config, 'missing.sock')}`], {env});
	}, 60_000);

	afterAll(async () => {
		for (const engine of engines ?? []) await removeRunOn(engine, id, project);
		rmSync(config, {recursive: true, force: true});
	});

	it('--context NAME wins over DOCKER_HOST and DOCKER_CONTEXT, as with the CLI', async () => {
		const env = {DOCKER_HOST: e2!.url, DOCKER_CONTEXT: 'app3'};
		const outcome = await vaTop(['--context', 'app1'], env);
		expect(outcome.code).toBe(0);
		expect(engines_(outcome)).toEqual([{name: 'app1', endpoint: e1!.url, reachable: true, error: null, role: 'engine'}]);
		expect(await cliContext(['--context', 'app1'], env)).toBe('app1');
		expect((JSON.parse(outcome.stdout) as ReportJson).instances.map((instance) => instance.host)).toEqual(['app1']);
	});

	it('DOCKER_HOST wins over DOCKER_CONTEXT and currentContext', async () => {
		await run('docker', ['context', 'use', 'app1'], {env: {...process.env, DOCKER_CONFIG: config}});
		const env = {DOCKER_HOST: e2!.url, DOCKER_CONTEXT: 'app3'};
		const outcome = await vaTop([], env);
		expect(engines_(outcome)).toEqual([{name: 'e2', endpoint: e2!.url, reachable: true, error: null, role: 'engine'}]);
		expect(await cliContext([], env)).toBe('default');
	});

	it('DOCKER_CONTEXT wins over currentContext, and currentContext is used when nothing else is given', async () => {
		await run('docker', ['context', 'use', 'app1'], {env: {...process.env, DOCKER_CONFIG: config}});
		expect(engines_(await vaTop([], {DOCKER_CONTEXT: 'app3'}))[0]!.name).toBe('app3');
		expect(await cliContext([], {DOCKER_CONTEXT: 'app3'})).toBe('app3');
		const current = await vaTop([]);
		expect(engines_(current)[0]).toMatchObject({name: 'app1', endpoint: e1!.url});
		expect(await cliContext([])).toBe('app1');
	});

	it('watches several contexts at once, each its own engine', async () => {
		const outcome = await vaTop(['--context', 'app1,app2', '--context', 'app3']);
		expect(outcome.code).toBe(0);
		expect(engines_(outcome).map((engine) => [engine.name, engine.reachable])).toEqual([
			['app1', true],
			['app2', true],
			['app3', true],
		]);
		expect((JSON.parse(outcome.stdout) as ReportJson).instances.map((instance) => instance.name)).toEqual([`${project}_api_1@app1`, `${project}_api_1@app2`, `${project}_api_1@app3`]);
	});

	it('a context whose engine does not answer is read as unreachable: UNKNOWN, exit 3, the reason named', async () => {
		const outcome = await vaTop(['--context', 'app1,gone']);
		expect(outcome.code).toBe(3);
		expect(engines_(outcome)[1]).toMatchObject({name: 'gone', reachable: false, error: expect.stringContaining('no such socket')});
	});

	it('bad choices are one line and exit 64: --context with --docker-host, an unknown context, a current context that is gone', async () => {
		const both = await vaTop(['--context', 'app1', '--docker-host', e1!.url]);
		expect([both.code, both.stderr]).toEqual([64, "va-top: --context and --docker-host both given, expected one of them (as with the docker CLI's --context and --host)\n"]);
		const unknown = await vaTop(['--context', 'app9']);
		expect(unknown.code).toBe(64);
		expect(unknown.stderr).toMatch(/^va-top: --context: no Docker context named "app9" in .*contexts \(known: app1, app2, app3, gone\)\n$/);
		writeFileSync(path.join(config, 'config.json'), JSON.stringify({currentContext: 'deleted'}));
		const vanished = await vaTop([]);
		expect(vanished.code).toBe(64);
		expect(vanished.stderr).toMatch(/^va-top: currentContext in .*config\.json: no Docker context named "deleted"/);
		expect(vanished.stderr.trimEnd().split('\n')).toHaveLength(1);
	});
});
