// Each panel on its own: what a frame shows for given data, at 80 and 120 columns.
import React from 'react';
import {afterEach, describe, expect, it} from 'vitest';
import {cleanup} from 'ink-testing-library';
import {Chart} from '../../../source/ui/components/chart/index.js';
import {EventLog} from '../../../source/ui/components/event-log/index.js';
import {Footer} from '../../../source/ui/components/footer/index.js';
import {Header, type HeaderProps} from '../../../source/ui/components/header/index.js';
import {HelpOverlay} from '../../../source/ui/components/help-overlay/index.js';
import {InstancesTable} from '../../../source/ui/components/instances-table/index.js';
import {TooSmall} from '../../../source/ui/components/too-small/index.js';
import {assessment, concern, fitProblems, frameLines, instance, renderAt, snapshot, stripAnsi, t0} from '../../support/ui-fixtures.js';

afterEach(() => {
	cleanup();
});

function headerProps(overrides: Partial<HeaderProps> = {}): HeaderProps {
	return {
		width: 80,
		color: false,
		project: 'voiceassist',
		service: 'voiceassist-server',
		dockerEndpoint: 'unix:///var/run/docker.sock',
		mode: 'live',
		readOnly: false,
		paused: false,
		max: 10,
		intervalMs: 1000,
		snapshot: snapshot(),
		assessment: assessment(),
		now: t0,
		...overrides,
	};
}

describe('Header', () => {
	it('names the stack, the endpoint, the count against the maximum and says OK in the runbook words', () => {
		const {lastFrame} = renderAt(<Header {...headerProps({width: 120})} />, 120, 40);
		const lines = frameLines(lastFrame());
		expect(lines[0]).toContain('voiceassist/voiceassist-server');
		expect(lines[0]).toContain('3/10 instances');
		expect(lines[0]).toContain('docker unix:///var/run/docker.sock');
		expect(lines[1]).toContain('✓ OK: Current capacity is adequate');
		expect(lines[2]).toContain('data 0s old');
		expect(lines[2]).toContain('redis ok');
	});

	it('IMMEDIATE with its symbol, action and the concern behind it', () => {
		const immediate = assessment([
			concern({level: 'IMMEDIATE', key: 'database.connections', scope: 'database', subject: 'postgres', metric: 'connections', label: 'db conn', value: 92, threshold: 80, action: 'Scale database connections or add read replica'}),
		]);
		const {lastFrame} = renderAt(<Header {...headerProps({assessment: immediate})} />, 80, 24);
		expect(frameLines(lastFrame())[1]).toBe('▲▲ IMMEDIATE: Scale database connections or add read replica · db conn 92% ▲▲');
	});

	it('a sustained CPU rule shows its clock towards IMMEDIATE', () => {
		const soon = assessment([
			concern({level: 'SOON', key: 'service.cpu', value: 84, sustain: {since: t0 - 372_000, heldSeconds: 372, requiredSeconds: 600}}),
		]);
		const {lastFrame} = renderAt(<Header {...headerProps({assessment: soon, width: 120})} />, 120, 40);
		expect(frameLines(lastFrame())[1]).toContain('▲ SOON: Scale application horizontally · avg cpu 84% ▲ 6m12s → IMMEDIATE at 10m');
	});

	it('a stale source says so with its age, and stale means older than 3 intervals', () => {
		const data = snapshot({at: t0});
		const later = {...data, at: t0 + 12_000, sources: {...data.sources, redis: {...data.sources.redis!, status: {kind: 'ok' as const, at: t0}}}};
		const fresh = {...later, docker: {...later.docker, status: {kind: 'ok' as const, at: t0 + 12_000}}, sources: {...later.sources, postgres: {...later.sources.postgres!, sample: {...later.sources.postgres!.sample!, at: t0 + 11_000}}}};
		const {lastFrame} = renderAt(<Header {...headerProps({snapshot: fresh, now: t0 + 12_000})} />, 80, 24);
		const line = frameLines(lastFrame())[2]!;
		expect(line).toContain('? redis: stale 12s');
		// The age of the oldest reading the verdict used (issue 12): Redis's, not the newest.
		expect(line).toContain('data 12s old');
		expect(line).not.toContain('postgres: stale');
	});

	it('reconnecting and unreachable sources, problems first', () => {
		const data = snapshot({
			docker: {kind: 'reconnecting', reason: 'connection reset at /var/run/docker.sock', since: t0 - 5000},
			postgres: {status: {kind: 'unreachable', reason: 'connection refused at 127.0.0.1:5432', since: t0 - 5000}, sample: null},
		});
		const {lastFrame} = renderAt(<Header {...headerProps({snapshot: data, width: 120})} />, 120, 40);
		const line = frameLines(lastFrame())[2]!;
		expect(line).toMatch(/^data 0s old · \? docker: reconnecting · \? postgres: unreachable \(connection refused at 127\.0\.0\.1:5432\) · redis ok$/);
	});

	it('DEMO, READ-ONLY and PAUSED badges come before anything that may be cut', () => {
		const {lastFrame} = renderAt(<Header {...headerProps({mode: 'demo', readOnly: true, paused: true, width: 60})} />, 60, 20);
		expect(frameLines(lastFrame())[0]).toMatch(/^va-top \[DEMO\] \[READ-ONLY\] \[PAUSED\] /);
		expect(fitProblems(lastFrame()!, 60, 20)).toEqual([]);
	});

	it('says it is waiting before the first reading', () => {
		const {lastFrame} = renderAt(<Header {...headerProps({snapshot: undefined, assessment: undefined})} />, 80, 24);
		expect(lastFrame()).toContain('waiting for the first reading');
		expect(lastFrame()).toContain('no data yet');
	});
});

describe('InstancesTable', () => {
	const instances = [instance('web-1', 84, 50), instance('web-2', 91, 88), instance('web-3', 20, 30, {state: 'exited', health: 'none', cpuPercent: null, memPercent: null})];
	const marks = assessment([
		concern({level: 'SOON', key: 'instance.cpu:web-1', scope: 'instance', subject: 'web-1', value: 84, threshold: 80, sustain: {since: t0, heldSeconds: 30, requiredSeconds: 600}}),
		concern({level: 'IMMEDIATE', key: 'instance.memory:web-2', scope: 'instance', subject: 'web-2', metric: 'memory', value: 88, threshold: 85}),
		concern({level: 'SOON', key: 'instance.state:web-3', scope: 'instance', subject: 'web-3', metric: 'state', value: null, threshold: null}),
	]);

	it.each([
		[80, 24],
		[120, 40],
	])('at %ix%i: rows with marks that do not need colour, none wider than the width', (columns, rows) => {
		const {lastFrame} = renderAt(
			<InstancesTable instances={instances} assessment={marks} selectedId="id-web-2" trends={new Map([['id-web-1', [10, 50, 90]]])} width={columns} height={4} color={false} />,
			columns,
			rows,
		);
		const lines = frameLines(lastFrame());
		expect(lines).toHaveLength(4);
		expect(lines[0]).toMatch(/INSTANCE↑\s+STATE\S*\s+(HEALTH\s+)?CPU\s+MEM/);
		// Below 120 columns state and health share a column; from 120 the health has its own.
		const state = columns >= 120 ? 'running\\s+healthy' : 'running\\/healthy';
		expect(lines[1]).toMatch(new RegExp(`^ {2}web-1\\s+${state}\\s+84% ▲\\s+50%\\s`));
		expect(lines[2]).toMatch(new RegExp(`^▸ web-2\\s+${state}\\s+91%\\s+88% ▲▲`));
		expect(lines[3]).toMatch(/^ {2}web-3\s+exited ▲\s+(-\s+)?-\s+-/);
		expect(lines[1]).toMatch(/ ▂▅▇$/);
		expect(fitProblems(lastFrame()!, columns, rows)).toEqual([]);
	});

	it('a service-wide breach marks every instance over the same threshold', () => {
		const service = assessment([concern({level: 'IMMEDIATE', key: 'service.memory', metric: 'memory', value: 90, threshold: 85})]);
		const {lastFrame} = renderAt(
			<InstancesTable instances={[instance('web-1', 40, 95), instance('web-2', 40, 80)]} assessment={service} selectedId={null} trends={new Map()} width={80} height={3} color={false} />,
			80,
			24,
		);
		const lines = frameLines(lastFrame());
		expect(lines[1]).toContain('95% ▲▲');
		expect(lines[2]).not.toContain('▲');
	});

	it('scrolls so the selected instance is visible, and says which rows are shown', () => {
		const many = Array.from({length: 12}, (_, i) => instance(`web-${i + 1}`, 10, 10));
		const {lastFrame} = renderAt(<InstancesTable instances={many} assessment={undefined} selectedId="id-web-9" trends={new Map()} width={80} height={4} color={false} />, 80, 24);
		const lines = frameLines(lastFrame());
		expect(lines[0]).toContain('INSTANCE↑ 7-9/12');
		expect(lines[3]).toMatch(/^▸ web-9 /);
	});

	it('no instances: says why instead of an empty table', () => {
		const {lastFrame} = renderAt(<InstancesTable instances={[]} assessment={undefined} selectedId={null} trends={new Map()} width={80} height={3} color={false} emptyText="docker: reconnecting" />, 80, 24);
		expect(frameLines(lastFrame())[1]).toBe('  docker: reconnecting');
	});

	it('long container names keep their distinguishing end', () => {
		const {lastFrame} = renderAt(
			<InstancesTable instances={[instance('voiceassist-voiceassist-server-12', 10, 10)]} assessment={undefined} selectedId={null} trends={new Map()} width={80} height={2} color={false} />,
			80,
			24,
		);
		expect(frameLines(lastFrame())[1]).toMatch(/^ {2}…\S*server-12 /);
	});
});

describe('Chart', () => {
	it.each([
		[40, 6],
		[60, 13],
		[15, 5],
	])('fills %ix%i exactly: title plus plot lines, none wider', (width, height) => {
		const {lastFrame} = renderAt(<Chart title="CPU 84% ▲ 6m12s → IMMEDIATE at 10m (5m) · web-1" values={[10, 50, 84, 84]} threshold={80} width={width} height={height} color={false} />, 120, 40);
		const lines = frameLines(lastFrame());
		expect(lines).toHaveLength(height);
		expect(lines[0]!.startsWith('CPU 84%')).toBe(true);
		for (const line of lines) expect(Array.from(stripAnsi(line)).length).toBeLessThanOrEqual(width);
		// The first value's row has '┼' on the axis (asciichart's mark); a top of 110 gives 12 plot lines a label each.
		expect(lines[1]).toMatch(/^1[01]0[┤┼]/);
		expect(lines.at(-1)).toMatch(/^ {2}0[┤┼]/);
	});

	it('an empty series draws the frame and says no data', () => {
		const {lastFrame} = renderAt(<Chart title="DB conn no data" values={[]} threshold={80} width={40} height={6} color={false} />, 80, 24);
		expect(lastFrame()).toContain('no data');
		expect(lastFrame()).toContain('┄┄┄┄');
	});
});

describe('EventLog', () => {
	const events = [
		{at: t0, level: 'SOON' as const, key: 'service.cpu', text: 'breach began: service CPU 74% > 70%'},
		{at: t0 + 60_000, level: 'IMMEDIATE' as const, key: 'database.connections', text: 'breach began: database connections 92/100'},
		{at: t0 + 120_000, level: 'OK' as const, key: 'service.cpu', text: 'breach ended: voiceassist-server cpu back under 70%'},
	];

	it('shows the newest entries with their time and a level symbol', () => {
		process.env.TZ = 'UTC';
		const {lastFrame} = renderAt(<EventLog events={events} width={80} height={3} color={false} />, 80, 24);
		const lines = frameLines(lastFrame());
		expect(lines[0]).toBe('EVENTS (last 2 of 3; e scrolls)');
		expect(lines[1]).toMatch(/^\d\d:01:00 ▲▲ IMMEDIATE breach began: database connections 92\/100$/);
		expect(lines[2]).toMatch(/^\d\d:02:00 ✓ OK breach ended/);
	});

	it('says when there is nothing yet, and renders nothing at height 0', () => {
		expect(renderAt(<EventLog events={[]} width={80} height={2} color={false} />, 80, 24).lastFrame()).toContain('no breaches so far');
		expect(renderAt(<EventLog events={events} width={80} height={0} color={false} />, 80, 24).lastFrame()).toBe('');
	});
});

describe('Footer, help and too-small', () => {
	it('the footer lists the keys that work now', () => {
		expect(renderAt(<Footer color={false} help={false} paused={false} canSelect window="5m" width={140} />, 140, 24).lastFrame()).toBe(
			'↑↓/jk select  ! worst  / filter  C/M/N sort  ? help  q quit  t table  e events  1-4 window 5m  p pause',
		);
		expect(renderAt(<Footer color={false} help={false} paused canSelect={false} window="1h" />, 80, 24).lastFrame()).toBe('? help  q quit  t table  e events  1-4 window 1h  p resume');
		expect(renderAt(<Footer color={false} help paused={false} canSelect window="5m" />, 80, 24).lastFrame()).toBe('? close help  q quit');
	});

	it('help lists every key and mark at 80x24, and fits the smallest body', () => {
		const full = renderAt(<HelpOverlay width={80} height={19} color={false} />, 80, 24).lastFrame()!;
		for (const key of ['j k', 'PgUp PgDn g G', '!', 'C  M  N', '/ ', 't  e', 'a  c  x', 'the stack panel', '1 2 3 4', 'p ', 'S ', '?  Esc', 'q  Ctrl-C', '▲ SOON', '▲▲ IMMEDIATE', '╌╌ 100 % (1 core)']) expect(full).toContain(key);
		expect(full).not.toContain('…');
		cleanup();
		const {lastFrame} = renderAt(<HelpOverlay width={60} height={11} color={false} />, 60, 16);
		expect(fitProblems(lastFrame()!, 60, 16)).toEqual([]);
	});

	it('too small: one sentence, cut to the pane', () => {
		expect(renderAt(<TooSmall columns={59} rows={20} />, 59, 20).lastFrame()).toBe('va-top needs at least 60x16, this pane is 59x20');
		const narrow = renderAt(<TooSmall columns={30} rows={10} />, 30, 10).lastFrame()!;
		expect(fitProblems(narrow, 30, 10)).toEqual([]);
		expect(narrow.startsWith('va-top needs at least 60x16')).toBe(true);
	});
});
