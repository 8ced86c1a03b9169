// Which charts each page holds: numbered pages first, then each source's per-node charts on pages of their own.
import {describe, expect, it} from 'vitest';
import type {AnySourceModel, SourceChartSpec} from '../../../source/core/source-model.js';
import type {StackSnapshot} from '../../../source/core/types.js';
import {chartPageLayout, chartPages} from '../../../source/ui/layout/chart-specs.js';

const spec = (key: string, page: number): SourceChartSpec<unknown> => ({key, page, series: key, label: key, now: () => '', threshold: 'x', lineColor: 'green'});

function model(id: string, charts: Array<SourceChartSpec<unknown>>, nodes = 0): AnySourceModel {
	return {
		id,
		title: id,
		thresholds: [],
		concerns: () => [],
		report: {json: () => null, lines: () => []},
		charts,
		...(nodes === 0 ? {} : {chartsFor: () => Array.from({length: nodes}, (_, index) => spec(`${id}:${index}`, 0))}),
	};
}

const snapshot = (ids: string[]): StackSnapshot => ({
	at: 1,
	project: 'p',
	service: 's',
	docker: {endpoint: 'd', status: {kind: 'ok', at: 1}, instances: []},
	sources: Object.fromEntries(ids.map(id => [id, {endpoint: id, status: {kind: 'ok', at: 1}, sample: {at: 1}}])),
});

describe('chart pages', () => {
	it('puts per-node charts after the numbered pages, four to a page, each source on a page of its own', () => {
		const sources = [model('postgres', [spec('db', 1)], 6), model('pool', [spec('pool', 2)]), model('redis', [spec('redis', 1)], 2)];
		const layout = chartPageLayout(sources, snapshot(['postgres', 'pool', 'redis']));
		const keys = (page: number) => (layout.get(page) ?? []).map(chart => chart.spec.key);
		expect(keys(1)).toEqual(['db', 'redis']);
		expect(keys(2)).toEqual(['pool']);
		expect(keys(3)).toEqual(['postgres:0', 'postgres:1', 'postgres:2', 'postgres:3']);
		expect(keys(4)).toEqual(['postgres:4', 'postgres:5']);
		expect(keys(5)).toEqual(['redis:0', 'redis:1']);
		expect(chartPages(sources, snapshot(['postgres', 'pool', 'redis']))).toBe(5);
	});

	it('gives a source the snapshot does not have (not configured) no page: the node pages move up', () => {
		const sources = [model('postgres', [spec('db', 1)], 2), model('pool', [spec('pool', 2)])];
		const layout = chartPageLayout(sources, snapshot(['postgres']));
		expect([...layout.keys()]).toEqual([1, 2]);
		expect((layout.get(2) ?? []).map(chart => chart.spec.key)).toEqual(['postgres:0', 'postgres:1']);
		expect(chartPages(sources, snapshot(['postgres']))).toBe(2);
		// Before the first frame every source counts.
		expect(chartPages(sources)).toBe(2);
	});

	it('adds no node pages before a sample is in', () => {
		const sources = [model('postgres', [spec('db', 1)], 3)];
		expect(chartPages(sources)).toBe(1);
		expect(chartPages(sources, snapshot([]))).toBe(1);
	});
});
