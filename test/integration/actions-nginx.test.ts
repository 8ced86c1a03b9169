// The built-in nginx balancer against a real nginx (Debian's, imported by scripts/build-nginx-image.sh) running as the
// project's `nginx` service on network none. Its upstream is the runbook's (server app-N:8000 ...), in a file that
// conf.d reaches through a symlink and that is bind-mounted on its own from the host, as the runbook mounts its config.
import {execFile} from 'node:child_process';
import {mkdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createActionRunner, type ActionRunner, type DrainPlan} from '../../source/actions/action-runner.js';
import {openAuditLog} from '../../source/actions/audit-log.js';
import type {DrainProgress} from '../../source/actions/drain.js';
import {createEngineBackend} from '../../source/actions/engine-backend.js';
import {isRefusal} from '../../source/core/action-rules.js';
import type {EventEntry} from '../../source/core/event-log.js';
import {connectDocker} from '../../source/sources/docker/connect.js';
import {requireDocker, waitFor} from '../support/services.js';
import {runLabel} from '../support/docker-fixtures.js';
import {docker, holdConnections, listService, randomId, readAudit, releaseConnections, removeProject, runApp, tempDir, waitHealthy} from './actions-fixtures.js';

const available = await requireDocker();
const nginxImage = 'va-top/nginx:1';
const project = `act-${randomId()}`;
const service = 'app';
const nginxName = `${project}-nginx-1`;
const temp = tempDir('va-actions-nginx-');
const auditFile = path.join(temp.dir, 'audit.log');
const upstreamFile = path.join(temp.dir, 'upstream-app.conf');
const events: EventEntry[] = [];

// The runbook's upstream, one directive per line.
const upstream = `upstream voiceassist_backend {
    least_conn;
    # Use least connections algorithm
    server app-1:8000 max_fails=3 fail_timeout=30s;
    server app-2:8000 max_fails=3 fail_timeout=30s;
    server app-3:8000 max_fails=3 fail_timeout=30s;
    keepalive 32;
}
`;
const nginxConf = `user root;
worker_processes 1;
pid /run/nginx.pid;
error_log stderr notice;
events { worker_connections 64; }
http {
	access_log off;
	include /etc/nginx/conf.d/*.conf;
	server {
		listen 127.0.0.1:18080;
		location / { proxy_pass http://voiceassist_backend; }
	}
}
`;

async function ensureNginxImage(): Promise<void> {
	try {
		await docker(['image', 'inspect', nginxImage]);
	} catch {
		await promisify(execFile)('bash', [path.resolve('scripts/build-nginx-image.sh')], {timeout: 120_000});
	}
}

async function startNginx(): Promise<void> {
	const config = path.join(temp.dir, 'nginx');
	mkdirSync(path.join(config, 'conf.d'), {recursive: true});
	writeFileSync(path.join(config, 'nginx.conf'), nginxConf);
	symlinkSync('../upstreams/app.conf', path.join(config, 'conf.d', 'app.conf'));
	writeFileSync(upstreamFile, upstream);
	const labels = [`${runLabel}=${project}`, `com.docker.compose.project=${project}`, 'com.docker.compose.service=nginx', 'com.docker.compose.container-number=1', 'com.docker.compose.oneoff=False'];
	const args = ['create', '--name', nginxName, '--network', 'none', '-v', `${upstreamFile}:/etc/nginx/upstreams/app.conf`];
	for (const label of labels) args.push('--label', label);
	// The runbook's names resolve inside nginx's own network namespace, to its own loopback.
	for (const n of [1, 2, 3]) args.push('--add-host', `app-${n}:127.0.0.1`);
	await docker([...args, nginxImage]);
	await docker(['cp', `${config}/.`, `${nginxName}:/etc/nginx/`]);
	await docker(['start', nginxName]);
	await waitFor(async () => (await workerPids()).length === 1, {timeoutMs: 10_000, message: 'nginx worker running'});
}

async function workerPids(): Promise<string[]> {
	const out = await docker(['exec', nginxName, 'ps', '-o', 'pid,args']);
	return out.split('\n').filter((line) => line.includes('nginx: worker process')).map((line) => line.trim().split(/\s+/)[0]!);
}

/** How many reload signals nginx says it got (its error log goes to the container's stderr). */
async function reloads(): Promise<number> {
	const {stderr} = await promisify(execFile)('docker', ['logs', nginxName]);
	return stderr.split('\n').filter((line) => line.includes('(SIGHUP) received')).length;
}

async function nginxSees(): Promise<string> {
	return docker(['exec', nginxName, 'nginx', '-T']);
}

function runner(min = 1): ActionRunner {
	const {docker: client, endpoint} = connectDocker(undefined);
	return createActionRunner({
		backend: createEngineBackend({docker: client, endpoint, project, service, appPort: 8000}),
		options: {min, max: 5, readOnly: false, dryRun: false, appPort: 8000, drainTimeoutMs: 10_000, dbThreshold: 80},
		audit: openAuditLog({path: auditFile}),
		log: (entry) => events.push(entry),
	});
}

async function drainPlan(actions: ActionRunner, name: string): Promise<DrainPlan> {
	const id = await docker(['inspect', '-f', '{{.Id}}', name]);
	const current = (await listService(project, service)).filter((entry) => entry.state === 'running').length;
	const plan = actions.planDrain({id, name, state: 'running'}, {current});
	if (isRefusal(plan)) throw new Error(plan.reason);
	return plan;
}

describe.skipIf(!available)('drain with the project nginx', () => {
	beforeAll(async () => {
		await ensureNginxImage();
		for (const number of [1, 2, 3]) await runApp({project, service, number});
		await startNginx();
		await waitHealthy([1, 2, 3].map((n) => `${project}-${service}-${n}`));
	}, 120_000);

	afterAll(async () => {
		await removeProject(project);
		temp.cleanup();
	});

	it('finds the nginx service and names it in the confirmation', async () => {
		const actions = runner();
		expect(await actions.refreshBalancer()).toBe(`nginx in ${nginxName}`);
		const plan = await drainPlan(actions, `${project}-${service}-2`);
		expect(plan.steps[0]).toBe(`take ${project}-${service}-2 out of the load balancer (nginx in ${nginxName})`);
	});

	it('marks the upstream server down, reloads, and on abort puts it back and reloads again', async () => {
		const name = `${project}-${service}-2`;
		await holdConnections(name, 1);
		const actions = runner();
		const abort = new AbortController();
		const workersBefore = await workerPids();
		const reloadsBefore = await reloads();
		let during: {file: string; dump: string; workers: string[]; reloads: number} | undefined;
		let checking: Promise<void> | undefined;
		try {
			const result = await actions.executeDrain(await drainPlan(actions, name), {
				signal: abort.signal,
				onProgress: (p: DrainProgress) => {
					if (p.phase !== 'waiting' || checking !== undefined) return;
					checking = (async () => {
						during = {file: readFileSync(upstreamFile, 'utf8'), dump: await nginxSees(), workers: await workerPids(), reloads: await reloads()};
						abort.abort();
					})();
				},
			});
			await checking;
			expect(result).toMatchObject({result: 'aborted', instance: name});
			// While draining: down in the file on the host (the mount) and in what nginx runs, after a reload.
			expect(during!.file).toBe(upstream.replace('server app-2:8000 max_fails=3 fail_timeout=30s;', 'server app-2:8000 max_fails=3 fail_timeout=30s down;'));
			expect(during!.dump).toContain('server app-2:8000 max_fails=3 fail_timeout=30s down;');
			expect(during!.dump).toContain('server app-1:8000 max_fails=3 fail_timeout=30s;');
			expect(during!.reloads).toBe(reloadsBefore + 1);
			expect(during!.workers).not.toEqual(workersBefore);
			// After the abort: the file byte for byte as before, the symlink still a symlink, reloaded once more.
			expect(readFileSync(upstreamFile, 'utf8')).toBe(upstream);
			expect(await docker(['exec', nginxName, 'readlink', '/etc/nginx/conf.d/app.conf'])).toBe('../upstreams/app.conf');
			await waitFor(async () => (await reloads()) === reloadsBefore + 2, {timeoutMs: 5000, message: 'second reload'});
			expect((await listService(project, service)).find((entry) => entry.name === name)?.state).toBe('running');
			const texts = events.map((entry) => entry.text);
			expect(texts).toContain(`${name}: ${nginxName}: app-2:8000 marked down in /etc/nginx/upstreams/app.conf, nginx -t passed, reloaded`);
			expect(texts).toContain(`${name}: ${nginxName}: app-2:8000 back up, reloaded`);
			expect(readAudit(auditFile).map((line) => line.result)).toEqual(['began', 'aborted']);
		} finally {
			await releaseConnections(name);
		}
	}, 30_000);

	it("a full drain comments out the removed instance's line and leaves the rest serving", async () => {
		const name = `${project}-${service}-3`;
		const actions = runner();
		const reloadsBefore = await reloads();
		const result = await actions.executeDrain(await drainPlan(actions, name));
		expect(result).toMatchObject({result: 'ok', from: 3, to: 2});
		expect((await listService(project, service)).map((entry) => entry.name)).not.toContain(name);
		expect(await reloads()).toBe(reloadsBefore + 1);
		// Gone for good: its line is commented out (nginx would fail to resolve a removed name on the next reload).
		const dump = await nginxSees();
		expect(dump).toMatch(/# va-top retired \([^)]*app-3 removed [^)]*\): server app-3:8000 max_fails=3 fail_timeout=30s down;/);
		expect(dump).not.toMatch(/^\s*server app-3:8000/m);
		expect(dump).toContain('server app-2:8000 max_fails=3 fail_timeout=30s;');
		await docker(['exec', nginxName, 'nginx', '-t']);
	}, 30_000);

	it('a scale-up that brings the name back puts its line back into the upstream', async () => {
		const actions = runner();
		const reloadsBefore = await reloads();
		const plan = actions.planScale(3, {current: 2});
		if (isRefusal(plan)) throw new Error(plan.reason);
		const result = await actions.executeScale(plan);
		expect(result).toMatchObject({result: 'ok', from: 2, to: 3});
		expect(result.message).toContain(`created ${project}-${service}-3`);
		expect(readFileSync(upstreamFile, 'utf8')).toBe(upstream);
		expect(await reloads()).toBe(reloadsBefore + 1);
		expect(events.map((entry) => entry.text)).toContain(`${project}-${service}-3: ${nginxName}: app-3:8000 back in the upstream, reloaded`);
	}, 30_000);

	it("an nginx error is shown with nginx's own message and nothing is changed", async () => {
		const name = `${project}-${service}-2`;
		await docker(['exec', nginxName, 'sh', '-c', 'echo "bogus_directive on;" > /etc/nginx/conf.d/broken.conf']);
		try {
			const before = readFileSync(upstreamFile, 'utf8');
			const result = await runner().executeDrain(await drainPlan(runner(), name));
			expect(result.result).toBe('failed');
			expect(result.message).toMatch(new RegExp(`nginx -T in ${nginxName} failed: .*unknown directive "bogus_directive" in /etc/nginx/conf.d/broken.conf:1`));
			expect(readFileSync(upstreamFile, 'utf8')).toBe(before);
			expect((await listService(project, service)).find((entry) => entry.name === name)?.state).toBe('running');
		} finally {
			await docker(['exec', nginxName, 'rm', '-f', '/etc/nginx/conf.d/broken.conf']);
		}
	}, 30_000);

	it('refuses to take the last live server out of the upstream', async () => {
		// Someone marked app-1 and app-3 down by hand: app-2 is the last live one.
		writeFileSync(upstreamFile, upstream.replace(/(server app-[13]:8000 max_fails=3 fail_timeout=30s);/g, '$1 down;'));
		const name = `${project}-${service}-2`;
		const result = await runner().executeDrain(await drainPlan(runner(), name));
		expect(result.result).toBe('failed');
		expect(result.message).toContain(`marking ${name} down in ${nginxName} would leave upstream voiceassist_backend with no live server; nothing was changed`);
		expect((await listService(project, service)).find((entry) => entry.name === name)?.state).toBe('running');
	}, 30_000);
});
