// The Compose project's other services, pure: one summary per service, the memory rule per container worded for the
// component, and their place in the --once report (services[] and a text line each).
import {describe, expect, it} from 'vitest';
import {reportJson, reportText} from '../../source/core/report.js';
import {emptyClock, evaluate, exitCodeFor} from '../../source/core/rules.js';
import {servicesOf, summarizeServices} from '../../source/core/stack-services.js';
import type {InstanceSample, StackSnapshot} from '../../source/core/types.js';
import {mergeViews} from '../../source/sources/workload/fanout.js';
import {composeSelector, swarmSelector} from '../../source/sources/workload/selector.js';
import {defaultThresholds} from '../../source/sources/registry.js';
import {instance, snapshot, sources} from '../support/snapshots.js';

const GiB = 1024 ** 3;

/** A container of another service: memPercent of its limit (8 GiB unless told). */
function container(service: string, name: string, cpu: number | null, mem: number | null, extra: Partial<InstanceSample> = {}): InstanceSample {
	const limit = extra.memLimitBytes ?? 8 * GiB;
	return instance(name, cpu, mem, {service, memoryLimited: true, memLimitBytes: mem === null ? null : limit, memUsageBytes: mem === null ? null : (mem / 100) * limit, ...extra});
}

function withOthers(others: InstanceSample[] | undefined, base: StackSnapshot = snapshot()): StackSnapshot {
	return {...base, docker: {...base.docker, ...(others === undefined ? {} : {others})}};
}

function check(data: StackSnapshot) {
	const {assessment} = evaluate(data, defaultThresholds, emptyClock, data.at, {sources, oneShot: true});
	return {assessment, json: reportJson(data, assessment, exitCodeFor(assessment), sources), text: reportText(data, assessment, sources)};
}

describe('the stack services summary', () => {
	it('gives one line per service: running/total, the hottest CPU, the fullest memory with its limit, restarts summed, the worst health', () => {
		const [postgres, redis] = summarizeServices([
			container('redis', 'shop-redis-1', 3, 20, {health: 'healthy'}),
			container('postgres', 'shop-postgres-1', 40, 50, {restartCount: 2, health: 'healthy', memLimitBytes: 2 * GiB}),
			container('postgres', 'shop-postgres-2', 10, 91, {restartCount: 1, health: 'unhealthy'}),
			container('postgres', 'shop-postgres-3', null, null, {state: 'exited', restartCount: 4}),
		]);
		expect(postgres).toEqual({
			name: 'postgres',
			containers: 3,
			running: 2,
			cpuPercentMax: 40,
			memPercentMax: 91,
			memLimitBytes: 8 * GiB,
			memoryLimited: true,
			restarts: 7,
			health: 'unhealthy',
			notAssessed: 0,
		});
		expect(redis).toMatchObject({name: 'redis', containers: 1, running: 1, cpuPercentMax: 3, memPercentMax: 20, health: 'healthy'});
	});

	it('counts what it cannot see as not assessed and never turns it into a zero', () => {
		const [nginx] = summarizeServices([
			container('nginx', 'shop-nginx-1', null, null, {notAssessed: 'e2 unreachable: timed out'}),
			container('nginx', 'shop-nginx-2', null, null),
		]);
		expect(nginx).toMatchObject({running: 2, cpuPercentMax: null, memPercentMax: null, notAssessed: 2});
	});

	it('is null when Docker cannot be read, and empty when the project has no other service', () => {
		const down: StackSnapshot = {...snapshot(), docker: {...snapshot().docker, status: {kind: 'unreachable', reason: 'no such socket', since: 0}, others: []}};
		expect(servicesOf(down)).toBeNull();
		expect(servicesOf(withOthers(undefined))).toEqual([]);
		expect(check(down).json.services).toBeNull();
		expect(check(withOthers([])).json.services).toEqual([]);
	});
});

describe('the memory rule per container of the other services', () => {
	it('names the component, the container and its limit: IMMEDIATE over 85 %, SOON over 70 %', () => {
		const {assessment} = check(
			withOthers([container('postgres', 'shop-postgres-1', 5, 91), container('redis', 'shop-redis-1', 5, 75, {memLimitBytes: 512 * 1024 ** 2}), container('nginx', 'shop-nginx-1', 5, 10)]),
		);
		const concerns = assessment.concerns.filter(concern => concern.scope === 'container');
		expect(concerns.map(concern => [concern.level, concern.subject, concern.message])).toEqual([
			['IMMEDIATE', 'shop-postgres-1', 'postgres container shop-postgres-1 memory 91% > 85% of its 8.0GiB limit: Raise the postgres memory limit (runbook: Vertical Scaling, Increase Resources)'],
			['SOON', 'shop-redis-1', 'redis container shop-redis-1 memory 75% > 70% of its 512MiB limit: Plan to raise the redis memory limit'],
		]);
		expect(assessment.level).toBe('IMMEDIATE');
	});

	it('judges a container with no limit against the host memory and says so', () => {
		const {assessment} = check(withOthers([container('qdrant', 'shop-qdrant-1', 5, 88, {memoryLimited: false, memLimitBytes: 24 * GiB})]));
		expect(assessment.concerns.find(concern => concern.subject === 'shop-qdrant-1')?.message).toBe(
			"qdrant container shop-qdrant-1 memory 88% > 85% of host memory 24.0GiB (no limit set): Give qdrant a memory limit and check the host's memory (runbook: Vertical Scaling, Increase Resources)",
		);
	});

	it('says nothing about a container without a figure, a stopped one, or one whose engine is unreachable, and never OK about the engine', () => {
		const {assessment} = check(
			withOthers([
				container('postgres', 'shop-postgres-1', null, null),
				container('redis', 'shop-redis-1', null, 95, {state: 'exited'}),
				container('nginx', 'shop-nginx-1', null, 99, {notAssessed: 'e2 unreachable: timed out'}),
			]),
		);
		expect(assessment.concerns.filter(concern => concern.scope === 'container')).toEqual([]);
	});

	it('leaves the app service the focus: the service average and the instances ignore the other services', () => {
		const {assessment} = check(withOthers([container('postgres', 'shop-postgres-1', 190, 95)]));
		expect(assessment.averages).toEqual({cpuPercent: 25, memPercent: 35});
		expect(assessment.concerns.map(concern => concern.scope)).toEqual(['container']);
	});

	it('follows the memory thresholds given (--mem-immediate)', () => {
		const data = withOthers([container('postgres', 'shop-postgres-1', 5, 91)]);
		const {assessment} = evaluate(data, {...defaultThresholds, memImmediate: 95, memSoon: 90}, emptyClock, data.at, {sources, oneShot: true});
		expect(assessment.concerns.map(concern => [concern.level, concern.threshold])).toEqual([['SOON', 90]]);
	});
});

describe('the --once report of the other services', () => {
	it('has services[] {name, containers, cpuPercentMax, memPercentMax, restarts} and a text line per service', () => {
		const {json, text} = check(withOthers([container('postgres', 'shop-postgres-1', 12.345, 50, {restartCount: 3, health: 'healthy'}), container('redis', 'shop-redis-1', 1, 20)]));
		expect(json.services).toEqual([
			{name: 'postgres', containers: 1, running: 1, cpuPercentMax: 12.35, memPercentMax: 50, memLimitBytes: 8 * GiB, memoryLimited: true, restarts: 3, health: 'healthy', notAssessed: 0},
			{name: 'redis', containers: 1, running: 1, cpuPercentMax: 1, memPercentMax: 20, memLimitBytes: 8 * GiB, memoryLimited: true, restarts: 0, health: 'none', notAssessed: 0},
		]);
		const lines = text.split('\n');
		expect(lines.find(line => line.trimStart().startsWith('postgres'))).toMatch(/^ {2}postgres\s+1\/1\s+12\.3%\s+50\.0% of its 8\.0GiB limit\s+3\s+healthy$/);
		expect(lines.find(line => line.trimStart().startsWith('redis'))).toMatch(/^ {2}redis\s+1\/1\s+1\.0%\s+20\.0% of its 8\.0GiB limit\s+0\s+-$/);
	});

	it('adds no line to the text report when the project has no other service', () => {
		expect(check(withOthers([])).text).not.toContain('Stack services');
	});
});

describe('which containers are the other services', () => {
	const selector = composeSelector('shop', 'api');
	const labels = (service: string, project = 'shop', oneoff = 'False') => ({
		'com.docker.compose.project': project,
		'com.docker.compose.service': service,
		'com.docker.compose.oneoff': oneoff,
	});

	it('is every service of the project but the app, never a one-off run, nor another project', () => {
		expect(selector.otherService(labels('postgres'))).toBe('postgres');
		expect(selector.otherService(labels('api'))).toBeNull();
		expect(selector.otherService(labels('postgres', 'shop-2'))).toBeNull();
		expect(selector.otherService(labels('migrate', 'shop', 'True'))).toBeNull();
		expect(selector.otherService({'com.docker.compose.project': 'shop'})).toBeNull();
		// The actions keep listing by both labels: they never see another service's containers.
		expect(selector.labelFilter).toEqual(['com.docker.compose.project=shop', 'com.docker.compose.service=api']);
		expect(selector.projectFilter).toEqual(['com.docker.compose.project=shop']);
	});
});

describe('the other services on several engines', () => {
	it("carry their engine like the instances, and an unreachable engine's are not assessed (not judged, never 0)", () => {
		const up = {endpoint: 'unix:///e1.sock', status: {kind: 'ok', at: 1000} as const, instances: [instance('shop-web-1', 10, 10)], others: [container('postgres', 'shop-postgres-1', 30, 91)]};
		const down = {
			endpoint: 'ssh://ops@app2:22',
			status: {kind: 'unreachable', reason: 'timed out', since: 900} as const,
			instances: [],
			others: [container('postgres', 'shop-postgres-1', 5, 95)],
		};
		const merged = mergeViews([{name: 'e1', view: up}, {name: 'app2', view: down}]);
		expect(merged.others!.map(sample => [sample.name, sample.host, sample.memPercent, sample.notAssessed ?? null])).toEqual([
			['shop-postgres-1@e1', 'e1', 91, null],
			['shop-postgres-1@app2', 'app2', null, 'app2 unreachable: timed out'],
		]);
		const data = {...snapshot(), docker: merged};
		expect(servicesOf(data)).toEqual([expect.objectContaining({name: 'postgres', containers: 2, running: 2, memPercentMax: 91, notAssessed: 1})]);
		const {assessment} = check(data);
		expect(assessment.concerns.filter(concern => concern.scope === 'container').map(concern => concern.subject)).toEqual(['shop-postgres-1@e1']);
	});
});

describe('the other services under Swarm (read for Compose only)', () => {
	const swarm = {service: 'shop_api', serviceId: 'svc1', mode: 'replicated' as const, version: 7, desiredReplicas: 2, runningTasks: 2, stopGraceSeconds: null, nodes: [], missing: null};

	it('are not known rather than none: services is null, the text report says they are not read, the panel has nothing to show', () => {
		const base = snapshot();
		const data: StackSnapshot = {...base, docker: {...base.docker, swarm}};
		expect(servicesOf(data)).toBeNull();
		const {json, text} = check(data);
		expect(json.services).toBeNull();
		expect(text.split('\n')).toContain('Stack services: not read under Swarm (Compose only)');
		// Outside Swarm a project with no other service is [] and says nothing.
		expect(check(withOthers([])).json.services).toEqual([]);
	});

	it("a Swarm node's selector reads the followed service's tasks alone, never another service's containers", () => {
		const selector = swarmSelector('shop_api');
		expect(selector.projectFilter).toEqual(selector.labelFilter);
		expect(selector.otherService({'com.docker.swarm.service.name': 'shop_postgres', 'com.docker.stack.namespace': 'shop'})).toBeNull();
	});
});
