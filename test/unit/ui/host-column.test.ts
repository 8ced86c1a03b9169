// Several engines or a Swarm service's nodes in the table: a HOST column only when the instances run on more than one
// host, the name column without the `@HOST` the name carries there, H sorting each host's instances together, and an
// instance whose engine cannot be read shown as not assessed, never with numbers.
import {describe, expect, it} from 'vitest';
import {hostColumnWidth, tableLines} from '../../../source/ui/components/instances-table/index.js';
import {nextSort, orderInstances, sortKeyFor} from '../../../source/ui/layout/instance-order.js';
import {instance} from '../../support/ui-fixtures.js';

const text = (lines: ReturnType<typeof tableLines>) => lines.map(line => line.spans.map(span => span.text).join(''));

describe('the table with several hosts', () => {
	const rows = [
		instance('api_2@app2', 10, 20, {id: 'b2', number: 2, host: 'app2'}),
		instance('api_1@app1', 30, 20, {id: 'a1', number: 1, host: 'app1'}),
		instance('api_1@app2', 50, 20, {id: 'b1', number: 1, host: 'app2', cpuPercent: null, memPercent: null, notAssessed: 'app2 unreachable'}),
	];

	it('has a HOST column only when the instances run on more than one host', () => {
		expect(hostColumnWidth(rows)).toBe(4);
		expect(hostColumnWidth(rows.filter(row => row.host === 'app2'))).toBe(0);
		const lines = text(tableLines({instances: rows, assessment: undefined, selectedId: null, trends: new Map(), width: 100, height: 5, color: false}));
		expect(lines[0]).toMatch(/^ {2}INSTANCE\S* +HOST +STATE/);
		expect(lines[1]).toMatch(/^ {2}api_2 +app2 +running/);
		// The one that cannot be read says so, with no figures.
		expect(lines[3]).toMatch(/^ {2}api_1 +app2 +not assessed \?/);
		expect(lines[3]).not.toMatch(/\d%/);
	});

	it('H sorts by host, then by number within a host; H again reverses the order, as for every column', () => {
		expect(sortKeyFor('H')).toBe('host');
		const byHost = nextSort({key: 'name', descending: false}, 'host');
		expect(orderInstances(rows, byHost, '').ids).toEqual(['a1', 'b1', 'b2']);
		expect(orderInstances(rows, nextSort(byHost, 'host'), '').ids).toEqual(['b2', 'b1', 'a1']);
	});
});
