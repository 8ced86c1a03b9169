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

	it('keeps every JSON field, in order (services[] added after instances), with the postgres and redis objects exactly as before the registry', () => {
		const {json} = report();
		expect(Object.keys(json)).toEqual(['version', 'time', 'project', 'service', 'level', 'unknown', 'exitCode', 'recommendations', 'averages', 'docker', 'instances', 'services', 'postgres', 'redis']);
		expect(json['postgres']).toEqual({endpoint: '127.0.0.1:5432', reachable: true, connections: 10, active: 2, maxConnections: 100, ratio: 0.1, error: null});
		expect(json['redis']).toEqual({
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
		});
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
