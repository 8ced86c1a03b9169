// The real three-node Swarm of scripts/swarm-up.sh for the Swarm tests: n1 the manager, n2 and n3 workers, each a
// dockerd in a network namespace of its own (addresses only inside those namespaces), each reached through its API
// socket on the host as va-top reaches a node over ssh://. A test deploys its own stack (`docker stack deploy`, so the
// service is PROJECT_SERVICE with the stack's labels) and removes it afterwards; a swarm this run started is stopped
// when the run ends (extra-engines-teardown.ts), one that was up is left up. Commands go through the docker CLI against
// each node's socket.
import {execFile} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {describe, it} from 'vitest';
import {anyDown, markStarted} from './extra-engines-teardown.js';
import {IN_CI, TEST_IMAGE, waitFor} from './services.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface SwarmNode {
	/** n1, n2, n3 */
	name: string;
	/** unix:///var/run/va-top-swarm/NAME.sock */
	url: string;
	/** Its address inside the namespaces (10.213.77.N). */
	address: string;
	role: 'manager' | 'worker';
	/** The Swarm node's hostname: vaswarm-NAME. */
	hostname: string;
	/** Its network namespace: vaswarm-NAME. */
	netns: string;
}

export interface TestSwarm {
	manager: SwarmNode;
	workers: SwarmNode[];
	nodes: SwarmNode[];
	/** --node-host values for every worker (the manager's own node is read on the manager's engine). */
	nodeHosts: string;
}

/** Brings the swarm up (idempotent); null when it cannot run here (not root, no dockerd). In CI that is a failing test. */
export async function requireSwarm(): Promise<TestSwarm | null> {
	try {
		// Started by this run: stopped at its end (test/support/extra-engines-teardown.ts).
		const starting = anyDown('swarm', ['n1', 'n2', 'n3']);
		const {stdout} = await run('bash', [path.join(root, 'scripts/swarm-up.sh')], {timeout: 240_000});
		if (starting) markStarted('swarm');
		const nodes = stdout
			.trim()
			.split('\n')
			.map((line): SwarmNode => {
				const [name, url, address, role] = line.split(' ') as [string, string, string, 'manager' | 'worker'];
				return {name, url, address, role, hostname: `vaswarm-${name}`, netns: `vaswarm-${name}`};
			});
		const manager = nodes.find((node) => node.role === 'manager')!;
		const workers = nodes.filter((node) => node.role === 'worker');
		return {manager, workers, nodes, nodeHosts: workers.map((node) => `${node.hostname}=${node.url}`).join(',')};
	} catch (error) {
		const why = `scripts/swarm-up.sh failed: ${(error as {stderr?: string}).stderr?.trim() || String(error)}`;
		if (IN_CI) {
			describe('a real multi-node Swarm', () => {
				it('is required in CI', () => {
					throw new Error(why);
				});
			});
		} else {
			console.warn(`skipping: ${why}`);
		}

		return null;
	}
}

/** `docker -H NODE ARGS`, stdout trimmed. */
export async function on(node: SwarmNode, args: string[], timeoutMs = 30_000): Promise<string> {
	const {stdout} = await run('docker', ['-H', node.url, ...args], {timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024});
	return stdout.trim();
}

export interface StackSpec {
	project: string;
	service: string;
	replicas: number;
	/** The task's command (`$` is escaped from the CLI's interpolation); `$SLOT` is its slot (an environment template). Default: sleep. */
	command?: string;
	stopGraceSeconds?: number;
	memoryLimit?: string;
	/** A tmpfs at /fill (so a task can hold memory its cgroup is charged for). */
	tmpfs?: boolean;
	/** Node hostnames it may not run on (node.hostname != X constraints). */
	avoid?: string[];
	/** Global mode instead of replicated. */
	global?: boolean;
}

/** `docker stack deploy` of one service on the host network, and waits until its tasks run. */
export async function deployStack(swarm: TestSwarm, spec: StackSpec): Promise<void> {
	const dir = mkdtempSync(path.join(tmpdir(), 'va-swarm-'));
	const file = path.join(dir, 'stack.yml');
	const placement = spec.avoid === undefined || spec.avoid.length === 0 ? '' : `\n      placement:\n        constraints: [${spec.avoid.map((name) => `"node.hostname != ${name}"`).join(', ')}]`;
	const limits = spec.memoryLimit === undefined ? '' : `\n      resources:\n        limits:\n          memory: ${spec.memoryLimit}`;
	const volumes = spec.tmpfs === true ? '\n    volumes:\n      - type: tmpfs\n        target: /fill\n        tmpfs:\n          size: 134217728' : '';
	const mode = spec.global === true ? 'mode: global' : `replicas: ${spec.replicas}`;
	writeFileSync(
		file,
		`version: "3.8"
services:
  ${spec.service}:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", ${JSON.stringify((spec.command ?? 'exec sleep 1000000').replace(/\$/g, '$$$$'))}]
    environment:
      SLOT: "{{.Task.Slot}}"
    stop_grace_period: ${spec.stopGraceSeconds ?? 2}s${volumes}
    deploy:
      ${mode}${limits}${placement}
    networks: [hostnet]
networks:
  hostnet:
    external: true
    name: host
`,
	);
	try {
		await on(swarm.manager, ['stack', 'deploy', '--resolve-image', 'never', '-c', file, spec.project], 60_000);
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}

	const name = `${spec.project}_${spec.service}`;
	const wanted = spec.global === true ? swarm.nodes.length - (spec.avoid?.length ?? 0) : spec.replicas;
	await waitFor(async () => (await runningTasks(swarm, name)).length === wanted, {timeoutMs: 60_000, intervalMs: 500, message: `${wanted} tasks of ${name} running`});
}

/** Removes the stack and waits until its service and task containers are gone from every node. */
export async function removeStack(swarm: TestSwarm, project: string): Promise<void> {
	await on(swarm.manager, ['stack', 'rm', project]).catch(() => '');
	await waitFor(
		async () => {
			const left = await Promise.all(swarm.nodes.map((node) => on(node, ['ps', '-aq', '--filter', `label=com.docker.stack.namespace=${project}`]).catch(() => '')));
			return left.every((ids) => ids === '');
		},
		{timeoutMs: 60_000, intervalMs: 500, message: `stack ${project} removed`},
	).catch(() => undefined);
}

export interface TaskRow {
	id: string;
	slot: number;
	node: string;
	containerId: string;
	state: string;
	desired: string;
}

/** The service's tasks that run and are meant to (docker's own API, not va-top's), by slot. */
export async function runningTasks(swarm: TestSwarm, service: string): Promise<TaskRow[]> {
	const ids = (await on(swarm.manager, ['service', 'ps', '-q', '--no-trunc', '--filter', 'desired-state=running', service]).catch(() => '')).split('\n').filter(Boolean);
	if (ids.length === 0) return [];
	const out = await on(swarm.manager, ['inspect', '--type', 'task', '--format', '{{.ID}} {{.Slot}} {{.NodeID}} {{.Status.ContainerStatus.ContainerID}} {{.Status.State}} {{.DesiredState}}', ...ids]);
	const nodes = new Map(
		(await on(swarm.manager, ['node', 'ls', '--format', '{{.ID}} {{.Hostname}}']))
			.split('\n')
			.map((line) => line.split(' ') as [string, string]),
	);
	return out
		.split('\n')
		.map((line) => line.split(' '))
		.map(([id, slot, node, containerId, state, desired]) => ({id: id!, slot: Number(slot), node: nodes.get(node!) ?? node!, containerId: containerId!, state: state!, desired: desired!}))
		.filter((task) => task.state === 'running')
		.sort((a, b) => a.slot - b.slot);
}

/** Spec.Mode.Replicated.Replicas and Version.Index of the service, from the manager. */
export async function serviceState(swarm: TestSwarm, service: string): Promise<{replicas: number; version: number}> {
	const [replicas, version] = (await on(swarm.manager, ['service', 'inspect', '--format', '{{.Spec.Mode.Replicated.Replicas}} {{.Version.Index}}', service])).split(' ');
	return {replicas: Number(replicas), version: Number(version)};
}

export async function nodeAvailability(swarm: TestSwarm, hostname: string): Promise<string> {
	return on(swarm.manager, ['node', 'inspect', '--format', '{{.Spec.Availability}}', hostname]);
}

/** `docker -H NODE stats --no-stream` for the containers, by 12-character id: the CLI's CPU and memory percentages. */
export async function statsOnNode(node: SwarmNode, ids: readonly string[]): Promise<Map<string, {cpuPercent: number; memPercent: number}>> {
	const out = await on(node, ['stats', '--no-stream', '--format', '{{json .}}', ...ids]);
	const result = new Map<string, {cpuPercent: number; memPercent: number}>();
	for (const line of out.split('\n')) {
		if (!line.trim()) continue;
		const row = JSON.parse(line) as {ID: string; CPUPerc: string; MemPerc: string};
		result.set(row.ID.slice(0, 12), {cpuPercent: Number.parseFloat(row.CPUPerc), memPercent: Number.parseFloat(row.MemPerc)});
	}

	return result;
}

/** The pid of a node's dockerd (from its pid file). */
export async function enginePid(node: SwarmNode): Promise<number> {
	const {stdout} = await run('cat', [`/var/run/va-top-swarm/${node.name}.pid`]);
	return Number(stdout.trim());
}

/** Kills a node's dockerd at once (SIGKILL), as a host that loses its engine; swarmUp() starts it again and it rejoins. */
export async function killEngine(node: SwarmNode): Promise<void> {
	process.kill(await enginePid(node), 'SIGKILL');
}

/** scripts/swarm-up.sh again: whatever a test stopped comes back (a killed engine rejoins). */
export async function swarmUp(): Promise<void> {
	await run('bash', [path.join(root, 'scripts/swarm-up.sh')], {timeout: 240_000});
}

/**
 * An ESTABLISHED TCP connection to port `port` inside a node's network namespace (busybox nc, both ends in the
 * namespace, on its loopback): a task of a host-network service counts it in its /proc/net/tcp. close() ends it.
 */
export async function connectionInNode(node: SwarmNode, port: number): Promise<{close(): void}> {
	const {spawn} = await import('node:child_process');
	const server = spawn('ip', ['netns', 'exec', node.netns, 'busybox', 'nc', '-l', '-p', String(port)], {stdio: ['pipe', 'ignore', 'ignore']});
	await new Promise((resolve) => setTimeout(resolve, 300));
	const client = spawn('ip', ['netns', 'exec', node.netns, 'busybox', 'nc', '127.0.0.1', String(port)], {stdio: ['pipe', 'ignore', 'ignore']});
	return {
		close() {
			client.kill('SIGKILL');
			server.kill('SIGKILL');
		},
	};
}
