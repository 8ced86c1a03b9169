// The one-shot report: titled with what it checked, and the JSON contract unchanged by the registry.
import {describe, expect, it} from 'vitest';
import {reportJson, reportText} from '../../source/core/report.js';
import {evaluate, exitCodeFor} from '../../source/core/rules.js';
import {defaultThresholds} from '../../source/sources/registry.js';
import {snapshot, sources} from '../support/snapshots.js';

function report(data = snapshot()) {
	const {assessment} = evaluate(data, defaultThresholds, undefined, data.at, {sources, oneShot: true});
	return {assessment, json: reportJson(data, assessment, exitCodeFor(assessment), sources), text: reportText(data, assessment, sources)};
}

describe('the --once report', () => {
	it('is titled with the project and service it checked, not "VoiceAssist" for any project', () => {
		const data = {...snapshot(), project: 'acme', service: 'api'};
		const {text} = report(data);
		expect(text.split('\n')[0]).toBe('Capacity Check: acme/api - 1970-01-01T00:00:01.000Z');
		expect(text).not.toContain('VoiceAssist');
	});

	it('keeps every JSON field, in order, with the postgres and redis objects as before the registry (redis gains the tier\'s fields after them; swarm, null outside Swarm; services[], [] for a project with no other service)', () => {
		const {json} = report();
		// Later sources add their keys after these, each null here as it is not configured; swarm is null outside Swarm.
		const before = ['version', 'time', 'project', 'service', 'level', 'unknown', 'exitCode', 'recommendations', 'averages', 'docker', 'instances', 'swarm', 'services', 'postgres', 'redis'];
		const keys = Object.keys(json);
		expect(keys.slice(0, before.length)).toEqual(before);
		expect(json['swarm']).toBeNull();
		expect(json['services']).toEqual([]);
		expect(keys.slice(before.length).length).toBeGreaterThan(0);
		for (const later of keys.slice(before.length)) expect(json[later], later).toBeNull();
		expect(json['postgres']).toEqual({endpoint: '127.0.0.1:5432', reachable: true, connections: 10, active: 2, maxConnections: 100, ratio: 0.1, error: null});
		// The fields of before stay, first and unchanged; the data tier (issue 13) only adds mode, nodes and clusterState.
		const redis = json['redis'] as Record<string, unknown>;
		const redisBefore = {
			endpoint: '127.0.0.1:6379',
			reachable: true,
			usedMemoryBytes: 10,
			usedMemoryRssBytes: 10,
			maxMemoryBytes: 100,
			limitBytes: 100,
			limitSource: 'maxmemory',
			fragmentationRatio: 1,
			ratio: 0.1,
			error: null,
		};
		expect(Object.keys(redis)).toEqual([...Object.keys(redisBefore), 'mode', 'nodes', 'clusterState']);
		expect(redis).toMatchObject(redisBefore);
		expect(redis).toMatchObject({mode: 'standalone', clusterState: null, nodes: [{endpoint: '127.0.0.1:6379', role: 'standalone', reachable: true, usedMemoryBytes: 10, maxMemoryBytes: 100, ratio: 0.1}]});
	});

	it('each recommendation says the unit of its value and threshold', () => {
		const {json} = report(snapshot({db: {connections: 90, max: 100}}));
		expect(json.recommendations).toEqual([
			expect.objectContaining({scope: 'database', metric: 'connections', value: 90, threshold: 80, unit: 'percent', message: 'database connections 90/100 (0 active) 90% > 80%: Scale database connections or add read replica'}),
		]);
	});

	it('an unreachable source keeps its object, with nulls and the reason, and its section in the text', () => {
		const {json, text} = report(snapshot({db: 'down'}));
		expect(json['postgres']).toEqual({endpoint: '127.0.0.1:5432', reachable: false, connections: null, active: null, maxConnections: null, ratio: null, error: 'connection refused at 127.0.0.1:5432'});
		expect(text).toContain('Database: 127.0.0.1:5432\n  postgres: connection refused at 127.0.0.1:5432\n');
		expect(text).toContain('Redis: 127.0.0.1:6379\n  Memory Usage: 10B of maxmemory 100B (10%), rss 10B, fragmentation 1.00\n');
	});
});
