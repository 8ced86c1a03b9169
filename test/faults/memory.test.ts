// A simulated day of one-second samples through the monitor's history and event log, at full speed, in a process of
// its own (support/simulated-day.mjs): memory must level off, not grow with time or with instances come and gone.
import {execFile} from 'node:child_process';
import {existsSync} from 'node:fs';
import path from 'node:path';
import {promisify} from 'node:util';
import {describe, expect} from 'vitest';
import {faultTest, megabytes, root, seconds} from './support/results.js';

const run = promisify(execFile);

interface Checkpoint {
	hours: number;
	heapUsed: number;
	rss: number;
	arrayBuffers: number;
	series: number;
}

interface DayResult {
	samples: number;
	elapsedMs: number;
	checkpoints: Checkpoint[];
	maxEvents: number;
	series: number;
	gc: boolean;
}

async function simulateDay(scenario: 'steady' | 'churn'): Promise<DayResult> {
	const dist = path.join(root, 'dist');
	if (!existsSync(path.join(dist, 'source/core/monitor.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
	const {stdout} = await run(process.execPath, ['--expose-gc', path.join(root, 'test/faults/support/simulated-day.mjs'), dist, scenario], {timeout: 120_000});
	return JSON.parse(stdout) as DayResult;
}

function checkBounded(result: DayResult): {at12: Checkpoint; at24: Checkpoint} {
	expect(result.gc).toBe(true);
	expect(result.samples).toBe(86_400);
	const at3 = result.checkpoints.find(point => point.hours === 3)!;
	const at12 = result.checkpoints.find(point => point.hours === 12)!;
	const at24 = result.checkpoints.find(point => point.hours === 24)!;
	// The event log never holds more than its 500 entries
	expect(result.maxEvents).toBeLessThanOrEqual(500);
	// The history holds the series of the instances there are, not of every instance there was
	expect(at24.series).toBe(at3.series);
	expect(at24.series).toBeLessThanOrEqual(32);
	// The second half of the day adds nothing: heap within 1 MB, RSS within 24 MB (GC noise)
	expect(at24.heapUsed - at12.heapUsed).toBeLessThan(1024 * 1024);
	expect(at24.rss - at12.rss).toBeLessThan(24 * 1024 * 1024);
	// The samples live in typed arrays (an hour per series, 57.6 KB): never more than a few MB of them at any time
	for (const point of result.checkpoints) expect(point.arrayBuffers).toBeLessThan(8 * 1024 * 1024);
	return {at12, at24};
}

describe('faults: memory over a simulated day', () => {
	faultTest(
		{
			id: 'simulated-day',
			group: 'fault',
			order: 100,
			title: 'A simulated day (86,400 one-second samples) through the history and the event log, at full speed',
			checked: 'memory levels off: heap, typed arrays and RSS do not grow in the second half; 500 events at most; series only of present instances',
		},
		async record => {
			const steady = await simulateDay('steady');
			const s = checkBounded(steady);
			record.figure(
				`5 instances, a deploy every 30 min: RSS after 86,400 samples ${megabytes(s.at24.rss)} (${megabytes(s.at12.rss)} at 12 h), heap ${megabytes(s.at24.heapUsed)}, ${s.at24.series} series, at most ${steady.maxEvents} events; the day took ${seconds(steady.elapsedMs)}`,
			);
			const churn = await simulateDay('churn');
			const c = checkBounded(churn);
			record.figure(`plus a new instance every minute (1,440 in the day): RSS ${megabytes(c.at24.rss)} (${megabytes(c.at12.rss)} at 12 h), heap ${megabytes(c.at24.heapUsed)}, ${c.at24.series} series`);
		},
		180_000,
	);
});
