// Colour on and off. Colour is forced on for this file (a test runner is no TTY), so "monochrome" is real:
// with --no-color or NO_COLOR the frame must carry no colour codes at all and still show every breach.
import {vi} from 'vitest';

vi.hoisted(() => {
	process.env['FORCE_COLOR'] = '3';
});

const {cleanup} = await import('ink-testing-library');
const React = await import('react');
const {afterEach, describe, expect, it} = await import('vitest');
const {createMonitor} = await import('../../../source/core/monitor.js');
const {defaultThresholds} = await import('../../../source/core/thresholds.js');
const {App} = await import('../../../source/ui/app.js');
const {screenSettings} = await import('../../../source/ui/render-live.js');
const {colorEnabled} = await import('../../../source/ui/layout/symbols.js');
const {instance, MemoryStack, renderAt, settings, snapshot, sources, stripAnsi, t0, waitForFrame, fitProblems} = await import('../../support/ui-fixtures.js');

afterEach(() => {
	cleanup();
});

const colourCode = /\u001B\[(?:3[0-7]|9[0-7]|38;|4[0-7]|7)m/;

function breaching() {
	return new MemoryStack(
		snapshot({
			db: 92,
			redisPercent: 75,
			instances: [instance('web-1', 30, 90), instance('web-2', 30, 40)],
			postgres: undefined,
			redis: {status: {kind: 'reconnecting', reason: 'connection reset at 127.0.0.1:6379', since: t0}},
		}),
	);
}

function mount(color: boolean) {
	return renderAt(
		<App stack={breaching()} monitor={createMonitor({sources, thresholds: defaultThresholds})} settings={settings({color, intervalMs: 100})} onQuit={() => {}} />,
		80,
		24,
	);
}

describe('colour', () => {
	it('with colour: breaches are coloured and still carry their symbols', async () => {
		const frame = await waitForFrame(mount(true), f => stripAnsi(f).includes('IMMEDIATE'));
		expect(frame).toMatch(colourCode);
		expect(stripAnsi(frame)).toContain('▲▲ IMMEDIATE');
	});

	it('monochrome: not one colour code, and every breach still shows by symbol and word', async () => {
		const raw = await waitForFrame(mount(false), f => stripAnsi(f).includes('IMMEDIATE'));
		// Bold stays (it is not colour); colours and inverse video go.
		expect(raw).not.toMatch(colourCode);
		const frame = stripAnsi(raw);
		expect(frame).toContain('▲▲ IMMEDIATE: Scale database connections or add read replica');
		expect(frame).toMatch(/web-1\s+running\/healthy\s+30%\s+90% ▲▲/);
		expect(frame).toContain('? redis: reconnecting');
		expect(frame).toContain('DB conn 92/100 92% ▲▲');
		expect(frame).toContain('┄┄┄');
		expect(fitProblems(frame, 80, 24)).toEqual([]);
	});

	it('NO_COLOR (non-empty) or --no-color turn colour off; an empty NO_COLOR does not', () => {
		expect(colorEnabled(false, {})).toBe(true);
		expect(colorEnabled(false, {NO_COLOR: '1'})).toBe(false);
		expect(colorEnabled(false, {NO_COLOR: ''})).toBe(true);
		expect(colorEnabled(true, {})).toBe(false);
		const stack = {mode: 'demo' as const, snapshot: () => snapshot()};
		const options = {project: 'p', service: 's', dockerHost: undefined, thresholds: defaultThresholds, intervalMs: 1000, max: 10, bell: true, color: true};
		expect(screenSettings(stack, options, {NO_COLOR: '1'}).color).toBe(false);
		expect(screenSettings(stack, {...options, color: false}, {}).color).toBe(false);
		expect(screenSettings(stack, options, {})).toMatchObject({color: true, mode: 'demo', intervalMs: 1000, max: 10});
	});
});
