// Shared by the actions' integration tests: Compose-labelled app instances made with the docker CLI (busybox httpd on
// :8000, network none), clients inside an instance that hold connections open and then let them go, and readers of
// what the engine and the audit log say. Every container carries a project unique to the test run.
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {docker, randomId, runLabel} from '../support/docker-fixtures.js';
import {TEST_IMAGE, waitFor} from '../support/services.js';
import type {AuditRecord} from '../../source/actions/audit-log.js';

export {docker, randomId};

/** The app: httpd on :8000 as a child of a shell that stops it on SIGTERM, so `docker stop` is graceful and quick. */
export const appCommand = ['sh', '-c', 'mkdir -p /www; echo ok > /www/index.html; httpd -f -p 8000 -h /www & pid=$!; trap "kill $pid; exit 0" TERM; wait $pid'];

export interface AppSpec {
	project: string;
	service: string;
	number: number;
	/** Extra labels, e.g. a different oneoff. */
	labels?: Record<string, string>;
	name?: string;
	/** More `docker run` options, e.g. ['--cpus', '0.3']. */
	options?: string[];
}

/** A container as Compose would have made it (its labels, P-S-N name), with a 1 s health check. */
export async function runApp(spec: AppSpec): Promise<string> {
	const labels: Record<string, string> = {
		[runLabel]: spec.project,
		'com.docker.compose.project': spec.project,
		'com.docker.compose.service': spec.service,
		'com.docker.compose.container-number': String(spec.number),
		'com.docker.compose.oneoff': 'False',
		'com.docker.compose.config-hash': `hash-${spec.project}-${spec.service}`,
		'com.docker.compose.project.working_dir': '/srv/va',
		'com.docker.compose.version': '1.29.2',
		...spec.labels,
	};
	const args = ['run', '-d', '--name', spec.name ?? `${spec.project}-${spec.service}-${spec.number}`, '--network', 'none', '--stop-timeout', '2', '--memory', '64m'];
	for (const [key, value] of Object.entries(labels)) args.push('--label', `${key}=${value}`);
	args.push('--health-cmd', 'wget -q -O /dev/null http://127.0.0.1:8000/', '--health-interval', '1s', '--health-timeout', '1s', '--health-retries', '3');
	return docker([...args, ...(spec.options ?? []), TEST_IMAGE, ...appCommand]);
}

export async function waitHealthy(names: readonly string[], timeoutMs = 20_000): Promise<void> {
	await waitFor(
		async () => {
			const out = await docker(['inspect', '-f', '{{.State.Health.Status}}', ...names]);
			return out.split('\n').every((status) => status.trim() === 'healthy');
		},
		{timeoutMs, intervalMs: 200, message: `${names.join(', ')} healthy`},
	);
}

/** Removes every container of the project (including those the actions made: they copy the labels). */
export async function removeProject(project: string): Promise<void> {
	const ids = await docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`]);
	if (ids) await docker(['rm', '-f', ...ids.split('\n')]);
}

export interface ListedContainer {
	name: string;
	state: string;
	labels: Record<string, string>;
}

/** Containers of one project and service, as the docker CLI lists them. */
export async function listService(project: string, service: string): Promise<ListedContainer[]> {
	const ids = await docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`, '--filter', `label=com.docker.compose.service=${service}`]);
	if (!ids) return [];
	const out = await docker(['inspect', '-f', '{{json .Name}}|{{json .State.Status}}|{{json .Config.Labels}}', ...ids.split('\n')]);
	return out
		.split('\n')
		.map((line) => {
			const [name, state, labels] = line.split('|');
			return {name: (JSON.parse(name!) as string).replace(/^\//, ''), state: JSON.parse(state!) as string, labels: JSON.parse(labels!) as Record<string, string>};
		})
		.sort((a, b) => Number(a.labels['com.docker.compose.container-number']) - Number(b.labels['com.docker.compose.container-number']));
}

/**
 * Clients INSIDE the instance that connect to its :8000 and keep the connection open (nc reading from a sleep),
 * each recording its sleep's pid so release() ends exactly those.
 */
export async function holdConnections(container: string, count: number): Promise<void> {
	for (let i = 0; i < count; i++) {
		await docker(['exec', '-d', container, 'sh', '-c', '(sleep 600 & echo $! >> /tmp/holders; wait) | nc 127.0.0.1 8000']);
	}

	await waitFor(async () => (await netstatEstablished(container, 8000)) === count, {timeoutMs: 10_000, intervalMs: 100, message: `${count} connections held in ${container}`});
}

/** Ends the holders' sleeps: nc sees end of input and closes its connection. */
export async function releaseConnections(container: string): Promise<void> {
	await docker(['exec', container, 'sh', '-c', 'kill $(cat /tmp/holders) 2>/dev/null; rm -f /tmp/holders; true']);
}

/** What the runbook's check would see: `netstat -tn` inside, ESTABLISHED with the local side on the port. */
export async function netstatEstablished(container: string, port: number): Promise<number> {
	const out = await docker(['exec', container, 'netstat', '-tn']);
	return out
		.split('\n')
		.filter((line) => /\bESTABLISHED\b/.test(line))
		.filter((line) => {
			const local = line.trim().split(/\s+/)[3] ?? '';
			return local.endsWith(`:${port}`);
		}).length;
}

export function tempDir(prefix: string): {dir: string; cleanup: () => void} {
	const dir = mkdtempSync(path.join(tmpdir(), prefix));
	return {dir, cleanup: () => rmSync(dir, {recursive: true, force: true})};
}

export function readAudit(file: string): AuditRecord[] {
	let text: string;
	try {
		text = readFileSync(file, 'utf8');
	} catch {
		return [];
	}

	return text.trimEnd().split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditRecord);
}
