// The pure parts of the Swarm backend, without a Swarm: a service's tasks joined with its nodes and each node's
// engine (what is assessed and what is not, and why), which task a scale-down removed, the node engines the operator
// gives (--node-host) or va-top derives from the manager's URL, and what the report and rules say about it.
import {describe, expect, it} from 'vitest';
import {UsageError} from '../../source/config/usage-error.js';
import {derivedNodeHost, nodeHostFor, parseNodeHosts} from '../../source/config/node-hosts.js';
import {checkRemoval, joinSwarm, removalWarning, taskContainerState, type SwarmNode, type SwarmService, type SwarmTask} from '../../source/core/swarm.js';
import {swarmConcerns, swarmJson} from '../../source/core/swarm-report.js';
import type {InstanceSample, StackSnapshot} from '../../source/core/types.js';

const now = 1_000_000;
const service: SwarmService = {id: 'svc1', name: 'shop_api', version: 42, mode: 'replicated', replicas: 3, desiredTasks: 3, stopGraceSeconds: 2, namespace: 'shop'};
const node = (id: string, hostname: string, role: 'manager' | 'worker' = 'worker', state = 'ready'): SwarmNode => ({id, hostname, address: `10.0.0.${id.slice(-1)}`, role, leader: role === 'manager', state, availability: 'active', version: 7});
const nodes = [node('node1', 'mgr', 'manager'), node('node2', 'w2'), node('node3', 'w3')];
const task = (id: string, slot: number, nodeId: string, extra: Partial<SwarmTask> = {}): SwarmTask => ({
	id: `${id}${'x'.repeat(20)}`,
	serviceId: 'svc1',
	slot,
	nodeId,
	desiredState: 'running',
	state: 'running',
	message: 'started',
	containerId: `c-${id}`,
	since: now - 60_000,
	createdAt: now - 120_000 + slot,
	...extra,
});
const sample = (containerId: string, cpuPercent: number): InstanceSample => ({
	id: containerId,
	name: containerId,
	number: null,
	state: 'running',
	health: 'none',
	restartCount: 0,
	startedAt: now - 60_000,
	cpuPercent,
	memPercent: 10,
	memUsageBytes: 100,
	memLimitBytes: 1000,
	sampledAt: now,
	containerId,
});

describe('a Swarm service joined with its nodes and their engines', () => {
	const tasks = [task('t1', 1, 'node1'), task('t2', 2, 'node2'), task('t3', 3, 'node3')];

	it('gives each task the numbers of its own node’s engine, its node as host, and its slot as number', () => {
		const engines = new Map([
			['node1', {engine: 'mgr', status: {kind: 'ok' as const, at: now}, samples: new Map([['c-t1', sample('c-t1', 12)]])}],
			['node2', {engine: 'w2', status: {kind: 'ok' as const, at: now}, samples: new Map([['c-t2', sample('c-t2', 34)]])}],
			['node3', {engine: 'w3', status: {kind: 'ok' as const, at: now}, samples: new Map([['c-t3', sample('c-t3', 56)]])}],
		]);
		const {instances, swarm} = joinSwarm({serviceName: 'shop_api', service, missing: null, tasks, nodes, engines, now});
		expect(instances.map(instance => [instance.name, instance.number, instance.host, instance.cpuPercent, instance.notAssessed])).toEqual([
			[`shop_api.1.t1${'x'.repeat(10)}`, 1, 'mgr', 12, undefined],
			[`shop_api.2.t2${'x'.repeat(10)}`, 2, 'w2', 34, undefined],
			[`shop_api.3.t3${'x'.repeat(10)}`, 3, 'w3', 56, undefined],
		]);
		expect(swarm).toMatchObject({service: 'shop_api', version: 42, desiredReplicas: 3, runningTasks: 3});
	});

	it('leaves the tasks of a node without an engine, or with its engine down, not assessed with the reason: never zeros', () => {
		const engines = new Map([
			['node1', {engine: 'mgr', status: {kind: 'ok' as const, at: now}, samples: new Map([['c-t1', sample('c-t1', 12)]])}],
			['node2', {engine: null, reason: "no way to reach w2's engine: give --node-host w2=ssh://USER@10.0.0.2"}],
			['node3', {engine: 'w3', status: {kind: 'unreachable' as const, reason: 'connection refused', since: now}, samples: new Map()}],
		]);
		const {instances, swarm} = joinSwarm({serviceName: 'shop_api', service, missing: null, tasks, nodes, engines, now});
		expect(instances.map(instance => [instance.host, instance.state, instance.cpuPercent, instance.notAssessed ?? null])).toEqual([
			['mgr', 'running', 12, null],
			['w2', 'running', null, "no way to reach w2's engine: give --node-host w2=ssh://USER@10.0.0.2"],
			['w3', 'running', null, 'node w3 engine unreachable: connection refused'],
		]);
		// The node without an engine is a concern of its own (the one whose engine is down is an engine concern).
		const snapshot = {docker: {status: {kind: 'ok', at: now}, instances, swarm}} as unknown as StackSnapshot;
		expect(swarmConcerns(snapshot).map(concern => [concern.level, concern.subject])).toEqual([['UNKNOWN', 'swarm:w2']]);
		expect(swarmJson(swarm)!.nodes.map(entry => [entry.hostname, entry.reachable, entry.engine])).toEqual([
			['mgr', true, 'mgr'],
			['w2', false, null],
			['w3', false, 'w3'],
		]);
	});

	it('is null in the report outside Swarm', () => {
		expect(swarmJson(undefined)).toBeNull();
	});

	it('maps a task on its way out to removing and one not started yet to created', () => {
		expect(taskContainerState({state: 'running', desiredState: 'shutdown'})).toBe('removing');
		expect(taskContainerState({state: 'preparing', desiredState: 'running'})).toBe('created');
		expect(taskContainerState({state: 'running', desiredState: 'running'})).toBe('running');
	});
});

describe('which task a scale-down removed', () => {
	const before = [task('t1', 1, 'node2'), task('t2', 2, 'node3'), task('t3', 3, 'node3')];
	const victim = before[1]!;

	it('says "as asked" when the drained slot went and no other', () => {
		const after = [before[0]!, before[2]!];
		const check = checkRemoval({service: 'shop_api', before, after, victims: [victim], nodes});
		expect(check).toEqual({asked: true, text: `Swarm removed slot 2 (shop_api.2.t2${'x'.repeat(10)}, drained and stopped), as asked`});
	});

	it('says plainly when Swarm removed another task and started the drained slot again', () => {
		const again = task('n2', 2, 'node2', {createdAt: now});
		const after = [again, before[2]!];
		const check = checkRemoval({service: 'shop_api', before, after, victims: [victim], nodes});
		expect(check.asked).toBe(false);
		expect(check.text).toBe(
			`Swarm replaced a different task: the drained shop_api.2.t2${'x'.repeat(10)} stopped, but slot 2 runs again as shop_api.2.n2${'x'.repeat(10)} on w2, and it removed shop_api.1.t1${'x'.repeat(10)} (slot 1 on w2) instead, without a drain`,
		);
	});

	it('warns in the confirmation when node balance makes another task the likely one to go', () => {
		const instances = [{node: 'w2', state: 'running'}, {node: 'w3', state: 'running'}, {node: 'w3', state: 'running'}];
		expect(removalWarning({node: 'w2'}, instances)).toMatch(/^Swarm balances nodes first: w3 runs 2 tasks and w2 1/);
		expect(removalWarning({node: 'w3'}, instances)).toBeNull();
	});
});

describe('a node’s engine', () => {
	it('is given as NODE=URL, by hostname or ID, repeated or as a list', () => {
		const specs = parseNodeHosts({values: ['w2=ssh://ops@10.0.0.2', 'w3=tcp://10.0.0.3:2376,abcdef123456=unix:///run/x.sock'], from: '--node-host'});
		expect(specs.map(spec => [spec.node, spec.host])).toEqual([
			['w2', 'ssh://ops@10.0.0.2'],
			['w3', 'tcp://10.0.0.3:2376'],
			['abcdef123456', 'unix:///run/x.sock'],
		]);
		expect(nodeHostFor(specs, {id: 'abcdef123456789', hostname: 'other'})?.host).toBe('unix:///run/x.sock');
		expect(nodeHostFor(specs, {id: 'zzz', hostname: 'w3'})?.host).toBe('tcp://10.0.0.3:2376');
	});

	it('refuses a malformed --node-host in one line naming what was expected', () => {
		const bad = (value: string) => {
			try {
				parseNodeHosts({values: [value], from: '--node-host'});
				return 'accepted';
			} catch (error) {
				return error instanceof UsageError ? error.message : `not a UsageError: ${String(error)}`;
			}
		};

		expect(bad('ssh://ops@10.0.0.2')).toMatch(/^--node-host: "ssh:\/\/ops@10\.0\.0\.2" is not NODE=URL, expected/);
		expect(bad('w2=ssh://a,w2=ssh://b')).toBe('--node-host: node "w2" is given twice, expected one URL per node');
		expect(bad('w2=ftp://x')).toMatch(/^--node-host w2: /);
		expect(bad('w2=ssh://ops:hunter2@10.0.0.2=,')).not.toContain('hunter2');
	});

	it('is derived from the manager’s URL with the node’s address (same user and port), never from a unix socket', () => {
		expect(derivedNodeHost('ssh://ops@manager1:2222', '10.0.0.12')).toBe('ssh://ops@10.0.0.12:2222');
		expect(derivedNodeHost('tcp://manager1:2376', '10.0.0.12')).toBe('tcp://10.0.0.12:2376');
		expect(derivedNodeHost('unix:///var/run/docker.sock', '10.0.0.12')).toBeNull();
		expect(derivedNodeHost('ssh://ops@manager1', '0.0.0.0')).toBeNull();
	});
});
