// Issue 12, "names": one display name per instance (its container name) in the table, the events, the dialogs and
// the audit log, shortened one way where the width requires it, never into a form another instance could have.
import fc from 'fast-check';
import React from 'react';
import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {createMonitor} from '../../../source/core/monitor.js';
import {defaultThresholds} from '../../../source/core/thresholds.js';
import {App} from '../../../source/ui/app.js';
import {fitTitle} from '../../../source/ui/components/chart/chart.js';
import {shortenName, shortenNames} from '../../../source/ui/layout/instance-names.js';
import {fitProblems, frameLines, instance, MemoryStack, renderAt, settings, snapshot, waitForFrame, sources} from '../../support/ui-fixtures.js';

afterEach(() => {
	cleanup();
});

describe('shortening a name', () => {
	it('whole when it fits; else its start gives way, cut after a separator when one is near', () => {
		expect(shortenName('acme_api_27', 11)).toBe('acme_api_27');
		expect(shortenName('voiceassist-voiceassist-server-12', 24)).toBe('…voiceassist-server-12');
		expect(shortenName('voiceassist-voiceassist-server-12', 12)).toBe('…server-12');
		expect(shortenName('api_27', 4)).toBe('…_27');
		expect(shortenName('api_27', 1)).toBe('…');
	});

	it('a set of names is never shortened into two alike, at any width', () => {
		fc.assert(
			fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_-]{0,30}$/), {minLength: 2, maxLength: 30}), fc.integer({min: 3, max: 40}), (names, width) => {
				const short = shortenNames(names, width);
				// Two names may only look alike when the width cannot tell them apart at all.
				const distinguishable = new Set(names.map(name => name.slice(-Math.max(1, width - 2)))).size === names.length;
				if (distinguishable) expect(new Set(short).size).toBe(names.length);
				for (const text of short) expect(Array.from(text).length).toBeLessThanOrEqual(width);
			}),
			{numRuns: 300},
		);
		// Two replicas of different projects with the same end: their starts tell them apart.
		expect(shortenNames(['alpha-web-1', 'bravo-web-1'], 8)).toEqual(['a…-web-1', 'b…-web-1']);
	});

	it('a chart title keeps the selected name recognisable: its start gives way, its end is never cut', () => {
		expect(fitTitle('CPU 95% ▲ (5m) · voiceassist-voiceassist-server-27', 38)).toBe('CPU 95% ▲ (5m) · …oiceassist-server-27');
		expect(fitTitle('CPU 95% ▲ (5m) · voiceassist-voiceassist-server-27', 39)).toBe('CPU 95% ▲ (5m) · …voiceassist-server-27');
		expect(fitTitle('CPU 95% (5m) · acme_api_27', 40)).toBe('CPU 95% (5m) · acme_api_27');
	});
});

describe('on screen', () => {
	const replicas = Array.from({length: 43}, (_, index) => instance(`acme_api_${index + 1}`, index === 26 ? 95 : 20, 40));

	it.each([
		[60, 16],
		[80, 24],
		[120, 40],
	])('%ix%i: acme_api_27 is never cut into acme_api_2… anywhere, and the table and the events say the same name', async (columns, rows) => {
		const data = {...snapshot({instances: replicas}), project: 'acme', service: 'api'};
		const app = renderAt(
			<App stack={new MemoryStack(data)} monitor={createMonitor({sources, thresholds: defaultThresholds})} settings={settings({intervalMs: 100, project: 'acme', service: 'api'})} onQuit={() => {}} initialUi={{selectedId: 'id-acme_api_27'}} />,
			columns,
			rows,
		);
		const frame = await waitForFrame(app, f => f.includes('breach began'));
		expect(fitProblems(frame, columns, rows)).toEqual([]);
		// Before: `api_2…` at 60x16 in the recommendation line, and `api_27` in the table beside `acme_api_27` in the events.
		expect(frame).not.toMatch(/api_2…/);
		expect(frame).toMatch(/▸ acme_api_27 /);
		expect(frame).toMatch(/breach began: acme_api_27/);
		for (const line of frameLines(frame)) {
			for (const match of line.matchAll(/(?:…|\b)(\S*api_\d+)(…?)/g)) {
				// Any name shown is a whole name, or a start-shortened one: never one cut at its end.
				expect(match[2], line).toBe('');
			}
		}
	});
});
