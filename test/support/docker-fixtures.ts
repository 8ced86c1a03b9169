// Containers for the Docker source's integration tests, made with the docker CLI (what a person would
// type), plus `docker stats` readings to compare with and a unix socket proxy that can "lose" the daemon.
import {execFile} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {rmSync} from 'node:fs';
import net from 'node:net';
import {promisify} from 'node:util';
import {TEST_IMAGE} from './services.js';

const run = promisify(execFile);

/** Marks every container of one test run, so cleanup never touches anything else. */
export const runLabel = 'va-top.test-run';

export function randomId(): string {
	return randomBytes(4).toString('hex');
}

export async function docker(args: string[], timeoutMs = 30_000): Promise<string> {
	const {stdout} = await run('docker', args, {timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024});
	return stdout.trim();
}

export interface TestContainer {
	run: string;
	project: string;
	service: string;
	number?: number;
	/** docker run options before the image, e.g. ['--memory', '256m']. */
	options?: string[];
	command: string[];
	/** false: create without starting. */
	start?: boolean;
}

/** Runs a Compose-labelled container on network none; returns its full id. */
export async function runContainer(spec: TestContainer): Promise<string> {
	const labels = [
		`${runLabel}=${spec.run}`,
		`com.docker.compose.project=${spec.project}`,
		`com.docker.compose.service=${spec.service}`,
		'com.docker.compose.oneoff=False',
	];
	if (spec.number !== undefined) labels.push(`com.docker.compose.container-number=${spec.number}`);
	const name = `${spec.project}_${spec.service}_${spec.number ?? randomId()}`;
	const verb = spec.start === false ? 'create' : 'run';
	const args = [verb, ...(verb === 'run' ? ['-d'] : []), '--name', name, '--network', 'none'];
	for (const label of labels) args.push('--label', label);
	return docker([...args, ...(spec.options ?? []), TEST_IMAGE, ...spec.command]);
}

/** Removes every container of the run, running or not. */
export async function removeRun(runId: string): Promise<void> {
	const ids = await docker(['ps', '-aq', '--filter', `label=${runLabel}=${runId}`]);
	if (ids) await docker(['rm', '-f', '-v', ...ids.split('\n')]);
}

export interface CliStats {
	cpuPercent: number;
	memPercent: number;
}

/** `docker stats --no-stream` for the given containers, keyed by the 12-character short id. */
export async function dockerStats(ids: string[]): Promise<Map<string, CliStats>> {
	const out = await docker(['stats', '--no-stream', '--format', '{{json .}}', ...ids]);
	const result = new Map<string, CliStats>();
	for (const line of out.split('\n')) {
		if (!line.trim()) continue;
		const row = JSON.parse(line) as {ID: string; CPUPerc: string; MemPerc: string};
		result.set(row.ID.slice(0, 12), {cpuPercent: Number.parseFloat(row.CPUPerc), memPercent: Number.parseFloat(row.MemPerc)});
	}

	return result;
}

export interface InspectState {
	StartedAt: string;
	Status: string;
	Health?: {Status: string};
}

export async function inspectState(id: string): Promise<{state: InspectState; restartCount: number}> {
	const out = await docker(['inspect', '--format', '{{json .State}}|{{.RestartCount}}', id]);
	const [state, restarts] = out.split('|');
	return {state: JSON.parse(state!) as InspectState, restartCount: Number(restarts)};
}

/**
 * A unix socket that forwards every connection to the real Docker socket, so a test can make the daemon
 * "go away" (close) and "come back" (open) without touching the shared dockerd.
 */
export interface SocketProxy {
	path: string;
	open(): Promise<void>;
	/** Stops listening (the socket file goes away) and cuts every forwarded connection. */
	close(): Promise<void>;
}

export function socketProxy(path: string, target: string): SocketProxy {
	let server: net.Server | null = null;
	const sockets = new Set<net.Socket>();

	return {
		path,
		async open() {
			rmSync(path, {force: true});
			const fresh = net.createServer((client) => {
				const upstream = net.createConnection(target);
				sockets.add(client);
				sockets.add(upstream);
				const drop = () => {
					client.destroy();
					upstream.destroy();
					sockets.delete(client);
					sockets.delete(upstream);
				};
				client.on('error', drop);
				upstream.on('error', drop);
				client.on('close', drop);
				upstream.on('close', drop);
				client.pipe(upstream);
				upstream.pipe(client);
			});
			server = fresh;
			await new Promise<void>((resolve, reject) => {
				fresh.once('error', reject);
				fresh.listen(path, () => resolve());
			});
		},
		async close() {
			const current = server;
			server = null;
			if (!current) return;
			const closed = new Promise<void>((resolve) => current.close(() => resolve()));
			for (const socket of sockets) socket.destroy();
			sockets.clear();
			await closed;
			rmSync(path, {force: true});
		},
	};
}
