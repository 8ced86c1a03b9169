// The workload's pure parts: who is a member (the one selector of the collector and the actions), how a new replica
// is named, where a scale happens with several engines, and how several engines' views merge into one.
import {describe, expect, it} from 'vitest';
import {placeScale, replicasPerHost} from '../../source/core/action-rules.js';
import {evaluate} from '../../source/core/rules.js';
import {reportJson} from '../../source/core/report.js';
import {defaultThresholds} from '../../source/core/thresholds.js';
import type {DockerView, InstanceSample, SourceStatus, StackSnapshot} from '../../source/core/types.js';
import {combinedStatus, focusByHost, mergeViews, type MergeCache} from '../../source/sources/workload/fanout.js';
import {composeSelector, normalizeProjectName, replicaName} from '../../source/sources/workload/selector.js';

describe('membership', () => {
	const selector = composeSelector('shop', 'api');
	it('is both Compose labels and not a one-off', () => {
		const labels = {'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'api', 'com.docker.compose.container-number': '3'};
		expect(selector.matches(labels)).toBe(true);
		expect(selector.number(labels)).toBe(3);
		expect(selector.matches({...labels, 'com.docker.compose.oneoff': 'True'})).toBe(false);
		expect(selector.matches({...labels, 'com.docker.compose.project': 'shop-other'})).toBe(false);
		expect(selector.matches({'com.docker.compose.project': 'shop'})).toBe(false);
		expect(selector.matches(undefined)).toBe(false);
		expect(selector.labelFilter).toEqual(['com.docker.compose.project=shop', 'com.docker.compose.service=api']);
	});
});

describe('Compose conventions', () => {
	it('names a new replica like its siblings: v1 project_service_N, else v2 project-service-N', () => {
		expect(replicaName('acme', 'api', 4, ['acme_api_1', 'acme_api_2', 'acme_api_3'])).toBe('acme_api_4');
		expect(replicaName('acme', 'api', 4, ['acme-api-1', 'acme-api-3'])).toBe('acme-api-4');
		expect(replicaName('acme', 'api', 1, [])).toBe('acme-api-1');
		// a stray container of another naming does not decide it
		expect(replicaName('acme', 'api', 5, ['acme_api_1', 'acme_api_2', 'acme-api-4'])).toBe('acme_api_5');
	});

	it('normalises a project name as compose-go does', () => {
		expect(normalizeProjectName('My Shop.v2')).toBe('myshopv2');
		expect(normalizeProjectName('__-shop_A')).toBe('shop_a');
		expect(normalizeProjectName('.-_')).toBe('');
	});
});

describe('where a scale happens on several engines', () => {
	const instances = [
		{host: 'a', state: 'running' as const},
		{host: 'a', state: 'running' as const},
		{host: 'b', state: 'running' as const},
		{host: 'b', state: 'exited' as const},
		{host: 'c', state: 'running' as const},
		{host: 'c', state: 'running' as const},
	];
	const counts = replicasPerHost(instances, ['a', 'b', 'c', 'd']);

	it('counts running replicas per host, hosts with none included', () => {
		expect([...counts]).toEqual([['a', 2], ['b', 1], ['c', 2], ['d', 0]]);
	});

	it('picks the fewest for a scale-up, the most for a scale-down, and says so', () => {
		expect(placeScale('up', 1, counts)).toEqual({host: 'd', text: 'on d, the host with the fewest replicas (a 2 · b 1 · c 2 · d 0)'});
		expect(placeScale('down', 1, counts)).toMatchObject({host: 'a', text: expect.stringContaining('the host with the most replicas')});
	});

	it("takes the operator's choice, and refuses a scale-down there that would remove more than it runs", () => {
		expect(placeScale('up', 1, counts, 'c')).toMatchObject({host: 'c', text: expect.stringContaining('on c, chosen')});
		expect(placeScale('down', 2, counts, 'b')).toMatchObject({kind: 'refusal', reason: expect.stringContaining('b runs 1 replica, fewer than the 2 to remove there')});
		expect(placeScale('up', 1, counts, 'zz')).toMatchObject({kind: 'refusal', reason: expect.stringContaining('no engine named zz')});
	});
});

function sample(id: string, name: string, number: number, cpu: number | null): InstanceSample {
	return {id, name, number, state: 'running', health: 'none', restartCount: 0, startedAt: 1, cpuPercent: cpu, memPercent: cpu, memUsageBytes: 1, memLimitBytes: 2, sampledAt: 1};
}

/** One engine's view as its collector gives it (the collectors themselves run against real engines elsewhere). */
function engineView(endpoint: string, instances: InstanceSample[], status: SourceStatus = {kind: 'ok', at: 1000}): DockerView {
	return {endpoint, status, instances, statsFrom: {cgroup: instances.length, api: 0, spaced: 0}};
}

describe('several engines as one workload', () => {
	it('merges the engines, each instance known by its engine and container, grouped by host', () => {
		const e1 = engineView('unix:///e1.sock', [sample('c1', 'shop_api_1', 1, 10), sample('c2', 'shop_api_2', 2, 20)]);
		const e2 = engineView('ssh://ops@app2:22', [sample('c3', 'shop_api_1', 1, 30)]);
		const cache: MergeCache = new Map();
		const view = mergeViews([{name: 'e1', view: e1}, {name: 'app2', view: e2}], cache);
		expect(view.instances.map((entry) => [entry.id, entry.name, entry.host, entry.containerId, entry.node])).toEqual([
			['e1/c1', 'shop_api_1@e1', 'e1', 'c1', null],
			['e1/c2', 'shop_api_2@e1', 'e1', 'c2', null],
			['app2/c3', 'shop_api_1@app2', 'app2', 'c3', null],
		]);
		expect(view.engines?.map((engine) => [engine.name, engine.endpoint, engine.instances])).toEqual([
			['e1', 'unix:///e1.sock', 2],
			['app2', 'ssh://ops@app2:22', 1],
		]);
		expect(view.endpoint).toBe('e1, app2');
		expect(view.statsFrom).toEqual({cgroup: 3, api: 0, spaced: 0});
		// An engine whose view did not change keeps its rows (the same objects): a frame costs nothing when nothing moved.
		const again = mergeViews([{name: 'e1', view: e1}, {name: 'app2', view: engineView('ssh://ops@app2:22', [sample('c3', 'shop_api_1', 1, 31)])}], cache);
		expect(again.instances[0]).toBe(view.instances[0]);
		expect(again.instances[2]).not.toBe(view.instances[2]);
		// The rows on screen go to the engine that has them, as its own container ids.
		expect(focusByHost(['app2/c3', 'e1/c2', 'gone/c9'], ['e1', 'app2'])).toEqual(new Map([['e1', ['c2']], ['app2', ['c3']]]));
	});

	it('leaves an unreachable engine’s instances not assessed, never zero, while the others go on', () => {
		const e1 = engineView('unix:///e1.sock', [sample('c1', 'shop_api_1', 1, 90)]);
		const e2 = engineView('unix:///e2.sock', [sample('c2', 'shop_api_1', 1, 40)], {kind: 'reconnecting', reason: 'no such socket /e2.sock', since: 500});
		const view = mergeViews([{name: 'e1', view: e1}, {name: 'e2', view: e2}]);
		expect(view.status).toEqual({kind: 'ok', at: 1000});
		const down = view.instances.find((entry) => entry.host === 'e2')!;
		expect(down).toMatchObject({cpuPercent: null, memPercent: null, memUsageBytes: null, notAssessed: 'e2 reconnecting: no such socket /e2.sock'});
		expect(view.instances.find((entry) => entry.host === 'e1')).toMatchObject({cpuPercent: 90});

		// The rules: the average is the assessed instances', the engine is UNKNOWN, the report says which and exits 3
		const snapshot = {
			at: 2000,
			project: 'shop',
			service: 'api',
			docker: view,
			sources: {},
		} as StackSnapshot;
		const {assessment} = evaluate(snapshot, {...defaultThresholds, cpuSustainSeconds: 0});
		expect(assessment.averages.cpuPercent).toBe(90);
		expect(assessment.concerns.find((concern) => concern.key === 'source:docker:e2')).toMatchObject({level: 'UNKNOWN', message: expect.stringContaining('e2 reconnecting, no such socket /e2.sock; its 1 instance not assessed')});
		expect(assessment.concerns.some((concern) => concern.subject === 'shop_api_1@e2')).toBe(false);
		const json = reportJson(snapshot, assessment, 3);
		expect(json.docker.engines).toEqual([
			{name: 'e1', endpoint: 'unix:///e1.sock', reachable: true, error: null, role: 'engine'},
			{name: 'e2', endpoint: 'unix:///e2.sock', reachable: false, error: 'no such socket /e2.sock', role: 'engine'},
		]);
		expect(json.instances.map((entry) => [entry.id, entry.host, entry.node, entry.notAssessed === null])).toEqual([
			['c1', 'e1', null, true],
			['c2', 'e2', null, false],
		]);
	});

	it('is down only when every engine is, with each one’s reason; one engine alone is passed through as it is', () => {
		const down = (reason: string): SourceStatus => ({kind: 'unreachable', reason, since: 5});
		expect(
			combinedStatus([
				{name: 'a', endpoint: 'x', status: down('refused'), role: 'engine', instances: 0},
				{name: 'b', endpoint: 'y', status: down('timed out'), role: 'engine', instances: 0},
			]),
		).toEqual({kind: 'unreachable', reason: 'all 2 hosts unreachable: a: refused; b: timed out', since: 5});
		expect(combinedStatus([{name: 'a', endpoint: 'x', status: {kind: 'connecting', since: 1}, role: 'engine', instances: 0}, {name: 'b', endpoint: 'y', status: down('x'), role: 'engine', instances: 0}]).kind).toBe(
			'connecting',
		);
		const view = mergeViews([{name: 'docker', view: engineView('unix:///var/run/docker.sock', [sample('c1', 'shop_api_1', 1, 5)], down('no such socket'))}]);
		expect(view.status).toEqual(down('no such socket'));
		expect(view.endpoint).toBe('unix:///var/run/docker.sock');
		// Today's single engine: the id and name stay as they were, the last numbers stay while it is away.
		expect(view.instances[0]).toMatchObject({id: 'c1', name: 'shop_api_1', host: 'docker', cpuPercent: 5});
		expect(view.instances[0]!.notAssessed).toBeUndefined();
	});
});
