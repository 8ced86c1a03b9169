// Issue 12 as the on-call operator met it: 42 real replicas of a service on the Docker engine, one of them (number
// 27) burning CPU, and va-top in a real tmux pane at 80x24, 120x40 and 220x70. Before, the hot one was out of sight at
// every size and took 26 presses of j. Now: C puts it first, ! selects it, PgDn pages, / filters, and the selection
// stays on the instance when the order changes. Every screen fits the pane (lines ≤ columns, the last row free).
import {existsSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {docker as dockerCli, randomId, runContainer, runLabel} from '../support/docker-fixtures.js';
import {PG_URL, REDIS_URL, requireDocker, requirePostgres, requireRedis} from '../support/services.js';
import {openPane, tmuxAvailable, type Pane} from '../support/tmux.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'dist/cli.js');

const docker = await requireDocker();
const postgres = await requirePostgres();
const redis = await requireRedis();
const tmux = await tmuxAvailable();

const replicas = 42;
const hot = 27;

describe.skipIf(!docker || !postgres || !redis || !tmux)('42 replicas, one hot, in a real tmux pane', () => {
	const run = randomId();
	// `vaui` names this session's containers; the run id keeps parallel runs apart.
	const project = `vaui-${run}`;
	const service = 'api';
	let pane: Pane | undefined;
	// Low CPU thresholds: the machine is shared (2 cores, other sessions' tests), so the hot replica may get little of
	// it; the idle ones read 0.0 %.
	const command = `node ${cli} --project ${project} --service ${service} --pg ${PG_URL} --redis ${REDIS_URL} --read-only --cpu-soon 2 --cpu-immediate 4 --cpu-sustain 10m`;

	beforeAll(async () => {
		if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (npm test does)`);
		const numbers = Array.from({length: replicas}, (_, index) => index + 1);
		// A few at a time: the engine here is shared and its storage driver copies every container's root.
		for (let first = 0; first < numbers.length; first += 6) {
			await Promise.all(
				numbers.slice(first, first + 6).map(number =>
					runContainer({
						run,
						project,
						service,
						number,
						options: number === hot ? ['--memory', '64m', '--cpus', '1'] : ['--memory', '64m'],
						command: number === hot ? ['sh', '-c', 'while :; do :; done'] : ['sleep', '100000'],
					}),
				),
			);
		}
	}, 240_000);

	afterEach(async () => {
		await pane?.kill();
		pane = undefined;
	});

	afterAll(async () => {
		// Forty-two at once can outlast one docker CLI call on a busy engine: a few at a time, each with time to spare.
		const ids = (await dockerCli(['ps', '-aq', '--filter', `label=${runLabel}=${run}`])).split('\n').filter(Boolean);
		for (let first = 0; first < ids.length; first += 8) await dockerCli(['rm', '-f', '-v', ...ids.slice(first, first + 8)], 120_000);
	}, 600_000);

	const name = (number: number) => `${project}_${service}_${number}`;
	/** The table's rows on a screen, top to bottom (the number of each), and the selected one. */
	function rows(screen: string): {numbers: number[]; selected: number | undefined} {
		const numbers: number[] = [];
		let selected: number | undefined;
		for (const line of screen.split('\n')) {
			const match = new RegExp(`^(▸| ) \\S*_${service}_(\\d+) `).exec(line);
			if (!match) continue;
			numbers.push(Number(match[2]));
			if (match[1] === '▸') selected = Number(match[2]);
		}

		return {numbers, selected};
	}

	function fits(screen: string, columns: number, height: number): void {
		const lines = screen.replace(/\n$/, '').split('\n');
		for (const line of lines) expect(Array.from(line).length, line).toBeLessThanOrEqual(columns);
		// The frame is at most rows - 1 lines: the pane's last row stays free.
		expect(lines.length).toBeLessThanOrEqual(height);
		expect((lines[height - 1] ?? '').trim()).toBe('');
	}

	it.each([
		[80, 24],
		[120, 40],
		[220, 70],
	])('%ix%i: C puts the hot one first, ! selects it, the selection survives a re-sort, PgDn pages, / filters', async (columns, height) => {
		pane = await openPane({width: columns, height});
		await pane.type(command);
		// Every replica listed (80x24 has 3 rows under the autoscale line), and the hot one's CPU read and marked.
		let screen = await pane.waitForScreen(s => new RegExp(`${replicas}/10 instances`).test(s) && rows(s).numbers.length >= 3, 60_000);
		fits(screen, columns, height);

		// C: sorted by CPU, the hot one is the first row, the heading marks the column.
		await pane.send(['C']);
		screen = await pane.waitForScreen(s => rows(s).numbers[0] === hot && /CPU↓/.test(s), 30_000);
		expect(screen).toMatch(new RegExp(`${name(hot)} .* [\\d.]+% ▲`));
		fits(screen, columns, height);

		// N: back to names; the hot one is out of view at the two smaller sizes, and the heading says so.
		await pane.send(['N']);
		screen = await pane.waitForScreen(s => rows(s).numbers[0] === 1 && rows(s).selected !== undefined);
		if (!rows(screen).numbers.includes(hot)) expect(screen).toMatch(/1 more over threshold ↓/);

		// !: the worst instance, selected and on screen, in one key.
		await pane.send(['!'], {literal: true});
		screen = await pane.waitForScreen(s => rows(s).selected === hot);
		expect(rows(screen).numbers).toContain(hot);
		fits(screen, columns, height);

		// The selection follows the instance when the order changes: C moves it to the top, N back to row 27.
		await pane.send(['C']);
		screen = await pane.waitForScreen(s => /CPU↓/.test(s) && rows(s).numbers[0] === hot);
		expect(rows(screen).selected).toBe(hot);
		await pane.send(['N']);
		screen = await pane.waitForScreen(s => /INSTANCE↑/.test(s) || (rows(s).numbers[0] !== hot && /\d+-\d+\/42/.test(s)));
		expect(rows(screen).selected).toBe(hot);

		// PgDn from the first row: a page further (one row of the old page stays in sight).
		await pane.send(['g']);
		screen = await pane.waitForScreen(s => rows(s).selected === 1);
		const page = rows(screen).numbers.length;
		await pane.send(['NPage']);
		screen = await pane.waitForScreen(s => rows(s).selected !== 1);
		expect(rows(screen).selected).toBe(Math.min(replicas, page));
		fits(screen, columns, height);

		// /: the rows whose name matches, with the count; Esc clears it.
		await pane.send(['/']);
		await pane.send(['_api_4'], {literal: true});
		screen = await pane.waitForScreen(s => s.includes('/_api_4▏'));
		expect(screen).toContain('4 of 42 match');
		await pane.send(['Enter']);
		screen = await pane.waitForScreen(s => s.includes('/_api_4 (4 of 42)'));
		// The matches in order, as many as the pane shows (80x24 has room for 3 of the 4).
		expect(rows(screen).numbers.length).toBeGreaterThanOrEqual(3);
		expect(rows(screen).numbers).toEqual([4, 40, 41, 42].slice(0, rows(screen).numbers.length));
		fits(screen, columns, height);
		await pane.send(['Escape']);
		// The whole list again (its height may differ from before by the event lines that came in meanwhile; 80x24 shows 4).
		screen = await pane.waitForScreen(s => !s.includes('/_api_4') && (/\d+-\d+\/42/.test(s) || rows(s).numbers.length > 4));
		expect(rows(screen).numbers.filter(n => ![4, 40, 41, 42].includes(n)).length).toBeGreaterThan(0);

		await pane.send(['q']);
		await pane.waitForScreen(s => !s.includes('instances'), 10_000);
	}, 180_000);
});
