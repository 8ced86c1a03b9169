// The stack panel (the project's other services) on its own, in the layout, and in the whole screen with its key.
import React from 'react';
import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {createMonitor} from '../../../source/core/monitor.js';
import {summarizeServices} from '../../../source/core/stack-services.js';
import {defaultThresholds} from '../../../source/core/thresholds.js';
import type {InstanceSample, StackSnapshot} from '../../../source/core/types.js';
import {App} from '../../../source/ui/app.js';
import {stackPanelHeight, stackPanelLines} from '../../../source/ui/components/stack-panel/index.js';
import {initialUiState, monitorUiReducer} from '../../../source/ui/hooks/use-monitor-state.js';
import {computeLayout, minColumns, minRows} from '../../../source/ui/layout/screen-layout.js';
import {plainText} from '../../../source/ui/layout/styled-text.js';
import {assessment, concern, fitProblems, frameLines, instance, MemoryStack, renderAt, settings, snapshot, sources, waitForFrame} from '../../support/ui-fixtures.js';

afterEach(() => {
	cleanup();
});

const mib = 1024 ** 2;

function other(service: string, name: string, cpu: number | null, mem: number | null, extra: Partial<InstanceSample> = {}): InstanceSample {
	return instance(name, cpu, mem, {service, health: 'none', memoryLimited: true, memLimitBytes: 64 * mib, ...extra});
}

const others = [
	other('nginx', 'shop-nginx-1', 1, 10),
	other('nginx', 'shop-nginx-2', null, null, {state: 'exited'}),
	other('postgres', 'shop-postgres-1', 48, 30, {restartCount: 2, health: 'healthy'}),
	other('redis', 'shop-redis-1', 0.5, 91),
];
const redisConcern = concern({level: 'IMMEDIATE', key: 'container.memory:shop-redis-1', scope: 'container', subject: 'shop-redis-1', metric: 'memory'});

function lines(props: {expanded: boolean; width?: number; height?: number; list?: InstanceSample[]}) {
	const list = props.list ?? others;
	const services = summarizeServices(list);
	return stackPanelLines({
		services,
		others: list,
		assessment: assessment([redisConcern]),
		expanded: props.expanded,
		width: props.width ?? 80,
		height: props.height ?? stackPanelHeight(services.length, props.expanded),
		color: false,
	}).map(plainText);
}

describe('the stack panel', () => {
	it('collapsed: one line with each service running/total, the concern mark of its containers, and the key', () => {
		expect(lines({expanded: false})).toEqual(['stack nginx 1/2 · postgres 1/1 · redis 1/1 ▲▲  x: expand']);
	});

	it('collapsed on a narrow pane: as many services as fit, then how many more', () => {
		const [line] = lines({expanded: false, width: 38});
		expect(line).toBe('stack nginx 1/2 · postgres 1/1 +1 more');
		expect(line!.length).toBeLessThanOrEqual(38);
		expect(lines({expanded: false, width: 37})).toEqual(['stack nginx 1/2 +2 more  x: expand']);
	});

	it('expanded: a line per service with the hottest CPU, the fullest memory of its limit, restarts and health', () => {
		const shown = lines({expanded: true});
		expect(shown).toHaveLength(4);
		expect(shown[0]).toMatch(/^STACK\s+RUNNING\s+CPU\s+MEM\s+RESTARTS\s+HEALTH\s+x: collapse$/);
		expect(shown[1]).toMatch(/^nginx\s+1\/2\s+1\.0%\s+10% of 64M\s+0\s+-$/);
		expect(shown[2]).toMatch(/^postgres\s+1\/1\s+48%\s+30% of 64M\s+2\s+healthy$/);
		expect(shown[3]).toMatch(/^redis\s+1\/1\s+0\.5%\s+▲▲\s+91% of 64M\s+0\s+-$/);
		for (const line of shown) expect(line.length).toBeLessThanOrEqual(80);
	});

	it('expanded with less room than services: those with concerns first, and how many are not shown', () => {
		const shown = lines({expanded: true, height: 3});
		expect(shown).toEqual([expect.stringMatching(/^STACK/), expect.stringMatching(/^redis .*▲▲/), '+2 more services (--once lists all)']);
	});

	it('says "of host" for a container with no limit, and ? for a running one without a figure (never 0)', () => {
		const shown = lines({expanded: true, list: [other('qdrant', 'shop-qdrant-1', 2, 40, {memoryLimited: false}), other('worker', 'shop-worker-1', null, null)]});
		expect(shown[1]).toMatch(/^qdrant\s+1\/1\s+2\.0%\s+40% of host/);
		expect(shown[2]).toMatch(/^worker\s+1\/1\s+\?\s+\?\s+0/);
	});

	it('takes no line when the project has no other service', () => {
		expect(stackPanelHeight(0, true)).toBe(0);
		expect(lines({expanded: false, list: []})).toEqual([]);
	});
});

describe('the stack panel in the layout and the keys', () => {
	it('fills exactly rows - 1 lines with the panel at every size, leaving the table, charts and log their least', () => {
		for (let columns = minColumns; columns <= 200; columns += 13) {
			for (let rows = minRows; rows <= 60; rows += 4) {
				for (const wanted of [1, 4, 12]) {
					const layout = computeLayout(columns, rows, 3, {stackWanted: wanted});
					if (layout.kind !== 'screen') throw new Error('too small');
					expect(layout.header + layout.footer + layout.table + layout.stack + layout.charts.height * layout.charts.rows + layout.events, `${columns}x${rows} stack ${wanted}`).toBe(rows - 1);
					expect(layout.stack).toBeGreaterThanOrEqual(1);
					expect(layout.stack).toBeLessThanOrEqual(wanted);
					expect(layout.table).toBeGreaterThanOrEqual(2);
					expect(layout.charts.height).toBeGreaterThanOrEqual(3);
				}
			}
		}
	});

	it('x expands on a small screen and collapses on a wide one (where it starts expanded)', () => {
		const small = monitorUiReducer(initialUiState, {type: 'toggle-stack', wide: false});
		expect(small.stackExpanded).toBe(true);
		expect(monitorUiReducer(small, {type: 'toggle-stack', wide: false}).stackExpanded).toBe(false);
		expect(monitorUiReducer(initialUiState, {type: 'toggle-stack', wide: true}).stackExpanded).toBe(false);
	});

	it('80x24: one line under the table; x expands it to a line per service, the frame still within the pane', async () => {
		const base = snapshot();
		const data: StackSnapshot = {...base, docker: {...base.docker, others}};
		const stack = new MemoryStack(data);
		const monitor = createMonitor({sources, thresholds: defaultThresholds});
		const app = renderAt(<App stack={stack} monitor={monitor} settings={settings({intervalMs: 100})} onQuit={() => undefined} />, 80, 24);
		const collapsed = await waitForFrame(app, frame => frame.includes('stack nginx 1/2'));
		expect(fitProblems(collapsed, 80, 24)).toEqual([]);
		const tableEnd = frameLines(collapsed).findIndex(line => line.startsWith('stack '));
		expect(frameLines(collapsed)[tableEnd - 1]).toContain('web-3');
		// The evaluation of this snapshot found the redis container over 85 %: the panel marks it.
		expect(frameLines(collapsed)[tableEnd]).toContain('redis 1/1 ▲▲');
		app.stdin.write('x');
		const expanded = await waitForFrame(app, frame => frame.includes('x: collapse'));
		expect(fitProblems(expanded, 80, 24)).toEqual([]);
		expect(frameLines(expanded)).toHaveLength(23);
		expect(expanded).toMatch(/postgres\s+1\/1\s+48%/);
		// The app service stays the table's focus: no other service's container is a row of it.
		expect(expanded).not.toMatch(/▸ shop-/);
		app.stdin.write('x');
		await waitForFrame(app, frame => frame.includes('x: expand'));
	});

	it('120x40: expanded from the start, a line per service; e (the event log) leaves it be, x collapses it to one line', async () => {
		const base = snapshot();
		const stack = new MemoryStack({...base, docker: {...base.docker, others}});
		const monitor = createMonitor({sources, thresholds: defaultThresholds});
		const app = renderAt(<App stack={stack} monitor={monitor} settings={settings({intervalMs: 100})} onQuit={() => undefined} />, 120, 40);
		const expanded = await waitForFrame(app, frame => frame.includes('x: collapse'));
		expect(fitProblems(expanded, 120, 40)).toEqual([]);
		expect(expanded).toMatch(/^nginx\s+1\/2/m);
		expect(expanded).toMatch(/^redis\s+1\/1\s+0\.5%\s+▲▲/m);
		// `e` is the event log's key: it gives the body to the table and the log, leaving the panel as it was.
		app.stdin.write('e');
		const log = await waitForFrame(app, frame => !frame.includes('x: collapse'));
		expect(log).not.toMatch(/^postgres\s+1\/1/m);
		app.stdin.write('\u001B');
		await waitForFrame(app, frame => frame.includes('x: collapse'));
		app.stdin.write('x');
		const collapsed = await waitForFrame(app, frame => frame.includes('x: expand'));
		expect(fitProblems(collapsed, 120, 40)).toEqual([]);
		expect(collapsed).not.toContain('x: collapse');
	});
});
