// Issue 12, "An honest headline": the live header says what --once would say for the same readings, the data age is
// the oldest reading's, every concern is reachable, and a source's extra charts are a key away.
import React from 'react';
import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {createMonitor} from '../../../source/core/monitor.js';
import {evaluate, exitCodeFor} from '../../../source/core/rules.js';
import type {AnySourceModel} from '../../../source/core/source-model.js';
import {defaultThresholds} from '../../../source/core/thresholds.js';
import {App} from '../../../source/ui/app.js';
import type {ScreenSettings} from '../../../source/ui/contexts/monitor-state-context.js';
import {fitProblems, frameLines, instance, MemoryStack, renderAt, settings, snapshot, sources, t0, waitForFrame} from '../../support/ui-fixtures.js';

afterEach(() => {
	cleanup();
});

const escape = '\u001B';

function mount(stack: MemoryStack, options: {columns?: number; rows?: number; settings?: Partial<ScreenSettings>; models?: readonly AnySourceModel[]} = {}) {
	const models = options.models ?? sources;
	const monitor = createMonitor({sources: models, thresholds: defaultThresholds});
	const rendered = renderAt(
		<App stack={stack} monitor={monitor} settings={settings({intervalMs: 100, sources: models, ...options.settings})} onQuit={() => {}} />,
		options.columns ?? 80,
		options.rows ?? 24,
	);
	return {...rendered, monitor};
}

describe('the headline', () => {
	it('with no instance found and Redis unreachable, says ? UNKNOWN, as --once does (exit 3), never ✓ OK', async () => {
		const data = snapshot({instances: [], redis: {status: {kind: 'unreachable', reason: 'connection refused at 127.0.0.1:6379', since: t0}, sample: null}});
		const once = evaluate(data, defaultThresholds, undefined, data.at, {sources, oneShot: true}).assessment;
		expect(exitCodeFor(once)).toBe(3);

		const app = mount(new MemoryStack(data));
		const frame = await waitForFrame(app, f => f.includes('UNKNOWN'));
		const headline = frameLines(frame)[1]!;
		expect(headline).toMatch(/^\? UNKNOWN: /);
		// The worst concern, cut to leave room for the count of the other (Redis): `a` lists both in full.
		expect(headline).toMatch(/ · \? docker: no instances.* · \+1 more \(a\)$/);
		expect(frame).not.toContain('✓ OK');
	});

	it('an IMMEDIATE breach outranks an unreadable source, as in --once (exit 2)', async () => {
		const data = snapshot({db: 95, redis: {status: {kind: 'unreachable', reason: 'connection refused at 127.0.0.1:6379', since: t0}, sample: null}});
		expect(exitCodeFor(evaluate(data, defaultThresholds, undefined, data.at, {sources, oneShot: true}).assessment)).toBe(2);
		const frame = await waitForFrame(mount(new MemoryStack(data)), f => f.includes('IMMEDIATE'));
		expect(frameLines(frame)[1]).toBe('▲▲ IMMEDIATE: Scale database connections or add read replica · 2 concerns (a)');
	});

	it('"data Ns old" is the age of the oldest reading the verdict used, not the newest', async () => {
		const data = snapshot({at: t0 + 9000, instances: [instance('web-1', 20, 30, {sampledAt: t0 + 9000}), instance('web-2', 25, 30, {sampledAt: t0 + 9000})]});
		// PostgreSQL's last reading is 7 s old (still fresh enough not to be stale at a 60 s interval).
		const slowDb = {...data, sources: {...data.sources, postgres: {...data.sources.postgres!, status: {kind: 'ok' as const, at: t0 + 2000}, sample: {...data.sources.postgres!.sample!, at: t0 + 2000}}}};
		const frame = await waitForFrame(mount(new MemoryStack(slowDb), {settings: {intervalMs: 60_000}}), f => f.includes('data '));
		expect(frameLines(frame)[2]).toMatch(/^data 7s old/);
	});

	it('shows the worst concern and a count of the rest; `a` lists every concern in full, Esc closes', async () => {
		const data = snapshot({
			db: 92,
			redisPercent: 88,
			instances: [instance('web-1', 30, 90), instance('web-2', 30, 20), instance('web-3', 20, 20, {state: 'exited', cpuPercent: null, memPercent: null})],
		});
		const app = mount(new MemoryStack(data));
		const frame = await waitForFrame(app, f => f.includes('IMMEDIATE'));
		const headline = frameLines(frame)[1]!;
		// At 80 columns: the runbook's action whole, then what fits of the worst concern, then the count of the others.
		expect(headline).toMatch(/^▲▲ IMMEDIATE: Scale database connections or add read replica · (db conn 92% … · \+3 more|4 concerns) \(a\)$/);
		expect(fitProblems(frame, 80, 24)).toEqual([]);

		app.stdin.write('a');
		const list = await waitForFrame(app, f => f.includes('Concerns ('));
		for (const text of ['database connections 92/100', 'redis memory (of maxmemory) 88% > 85%', 'web-1 memory 90% > 85%', 'web-3 is exited']) {
			expect(list).toContain(text);
		}

		expect(list).toContain('Concerns (4)');
		app.stdin.write(escape);
		await waitForFrame(app, f => f.includes('EVENTS') && !f.includes('Concerns ('));
	});
});

describe('chart pages', () => {
	// A stand-in source model with a chart on page 2: what a new source's folder would add, no system needed.
	const queueModel: AnySourceModel = {
		id: 'jobs',
		title: 'Jobs',
		thresholds: [{key: 'jobsImmediate', flag: 'jobs-immediate', unit: 'count', defaultValue: 1000, description: 'jobs waiting'}],
		series: sample => ({depth: (sample as unknown as {depth: number}).depth}),
		concerns: () => [],
		report: {json: () => null, lines: () => []},
		charts: [{key: 'jobs', page: 2, series: 'depth', label: 'JOBS waiting', now: sample => ` ${(sample as unknown as {depth: number}).depth}`, threshold: 'jobsImmediate', lineColor: 'yellow'}],
	};

	it('`c` cycles the pages when a source has charts past page 1, and the footer says which page is shown', async () => {
		const data = snapshot();
		const withJobs = {...data, sources: {...data.sources, jobs: {endpoint: 'redis://q', status: {kind: 'ok' as const, at: t0}, sample: {depth: 420, at: t0}}}};
		const app = mount(new MemoryStack(withJobs), {models: [...sources, queueModel]});
		let frame = await waitForFrame(app, f => f.includes('DB conn'));
		expect(frameLines(frame).at(-1)).toContain('c 1/2');
		expect(frame).not.toContain('JOBS waiting');

		app.stdin.write('c');
		frame = await waitForFrame(app, f => f.includes('JOBS waiting 420'));
		expect(frame).not.toContain('DB conn');
		expect(frameLines(frame).at(-1)).toContain('c 2/2');

		app.stdin.write('c');
		await waitForFrame(app, f => f.includes('DB conn') && f.includes('c 1/2'));
	});

	it('with one page there is no `c` in the footer', async () => {
		const frame = await waitForFrame(mount(new MemoryStack(snapshot())), f => f.includes('DB conn'));
		expect(frameLines(frame).at(-1)).not.toContain('charts');
	});
});
