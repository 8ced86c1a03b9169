// What happens to the terminal: every way va-top can be stopped (signals, a crash it did not expect) must give the
// shell back as it was, with an exit code that says why; a storm of resizes must leave a correct frame.
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect} from 'vitest';
import {randomId, removeRun, runContainer} from '../support/docker-fixtures.js';
import {PG_URL, REDIS_URL, requireDocker, requirePostgres, requireRedis} from '../support/services.js';
import {tmuxAvailable} from '../support/tmux.js';
import {requireTool} from './support/servers.js';
import {launch, rows, trendCells, waitScreen, type LiveRun} from './support/live.js';
import {faultTest, root, seconds} from './support/results.js';

const dockerUp = await requireDocker();
const postgresUp = await requirePostgres();
const redisUp = await requireRedis();
const tmux = requireTool('tmux', await tmuxAvailable(), 'scripts/setup.sh installs it');
const ready = dockerUp && postgresUp && redisUp && tmux;

const crashModule = path.join(root, 'test/faults/support/inject-crash.mjs');

describe.skipIf(!ready)('faults: the terminal', () => {
	const id = randomId();
	const project = `fault-${id}`;
	const service = 'web';
	let live: LiveRun | undefined;
	const args = ['--project', project, '--service', service, '--pg', PG_URL, '--redis', REDIS_URL];

	beforeAll(async () => {
		await Promise.all([1, 2].map(async number => runContainer({run: id, project, service, number, options: ['--memory', '64m'], command: ['sleep', '1000']})));
	}, 60_000);

	afterEach(async () => {
		await live?.close();
		live = undefined;
	});

	afterAll(async () => {
		await removeRun(id);
	});

	async function drawn(target: LiveRun): Promise<string> {
		return waitScreen(target, 'the full frame with both instances', screen => /q quit/.test(screen) && trendCells(screen, `${service}_2`) >= 1, 20_000);
	}

	/** The shell is back as it was: main screen, cursor shown, and it echoes and reads a line (cooked mode). */
	async function shellRestored(target: LiveRun): Promise<void> {
		expect(await target.pane.display('#{alternate_on}')).toBe('0');
		expect(await target.pane.display('#{cursor_flag}')).toBe('1');
		await target.pane.type('echo typed-$((6*7))');
		await waitScreen(target, 'the shell echoes and runs a line', screen => /typed-42/.test(screen) && /echo typed-\$\(\(6\*7\)\)/.test(screen), 5000);
	}

	const ways: ReadonlyArray<{name: string; code: number; how: (target: LiveRun) => Promise<void>; env?: Record<string, string>; crash?: boolean}> = [
		{name: 'SIGINT', code: 130, how: async target => void process.kill(target.pid, 'SIGINT')},
		{name: 'SIGTERM', code: 143, how: async target => void process.kill(target.pid, 'SIGTERM')},
		{name: 'SIGHUP', code: 129, how: async target => void process.kill(target.pid, 'SIGHUP')},
		{name: 'Ctrl-C key', code: 130, how: async target => target.pane.send(['C-c'])},
		{name: 'uncaught exception', code: 70, how: async target => void process.kill(target.pid, 'SIGUSR2'), env: {VA_FAULT_CRASH: 'throw'}, crash: true},
		{name: 'unhandled rejection', code: 70, how: async target => void process.kill(target.pid, 'SIGUSR2'), env: {VA_FAULT_CRASH: 'reject'}, crash: true},
	];

	faultTest(
		{
			id: 'signals-and-crashes',
			group: 'fault',
			order: 80,
			title: 'SIGINT, SIGTERM, SIGHUP, Ctrl-C, an uncaught exception, an unhandled rejection',
			checked: 'terminal restored every time (main screen, cursor, echo); exit code 130/143/129/130/70/70; a crash is one line',
		},
		async record => {
			const outcomes: string[] = [];
			let slowest = 0;
			for (const way of ways) {
				live = await launch(args, {width: 100, height: 30, env: way.env, nodeArgs: way.crash ? ['--import', crashModule] : []});
				await drawn(live);
				expect(await live.pane.display('#{alternate_on}')).toBe('1');
				const sent = Date.now();
				await way.how(live);
				const code = await live.exitCode(10_000);
				const took = Date.now() - sent;
				slowest = Math.max(slowest, took);
				expect(code, way.name).toBe(way.code);
				const after = await live.pane.capture();
				if (way.crash) {
					// One line naming the error, no stack trace
					const lines = rows(after).filter(line => line.startsWith('va-top: '));
					expect(lines).toEqual([expect.stringMatching(/^va-top: injected fault: an (uncaught exception|unhandled rejection)$/)]);
					expect(after).not.toMatch(/fake\.js|at nowhere|node:internal/);
				} else {
					expect(after).not.toMatch(/va-top: |Error/);
				}

				await shellRestored(live);
				outcomes.push(`${way.name} → ${code}`);
				await live.close();
				live = undefined;
			}

			record.figure(outcomes.join(', '));
			record.figure(`shell back within ${seconds(slowest)} at the slowest`);
		},
		180_000,
	);

	faultTest(
		{
			id: 'resize-storm',
			group: 'fault',
			order: 90,
			title: 'Resize storm: 120 resizes in about a second, down to 5x2 and up to 200x60, then back',
			checked: 'no crash; the "too small" line at a tiny size; the same layout as before once back',
		},
		async record => {
			live = await launch(args, {width: 120, height: 40});
			const before = await drawn(live);
			// Each row's first cells: which part of the layout it is (a value or a chart's axis mark may change meanwhile).
			const shape = (screen: string) => rows(screen).map(line => line.slice(0, 3));

			// Mid-storm a tiny pane says it is too small rather than drawing garbage
			await live.pane.resize(40, 10);
			await waitScreen(live, 'too-small line', screen => /^va-top needs at least/.test(screen), 5000);

			const sizes: Array<[number, number]> = [];
			for (let i = 0; i < 120; i++) {
				const tiny = i % 5 === 0;
				sizes.push(tiny ? [5 + (i % 3), 2 + (i % 2)] : [30 + ((i * 37) % 171), 8 + ((i * 13) % 53)]);
			}

			const stormStart = Date.now();
			for (const [index, [width, height]] of sizes.entries()) {
				await live.pane.resize(width, height);
				// Every few resizes a pause of a frame or so, so va-top also draws at the sizes in between.
				if (index % 4 === 3) await new Promise(resolve => setTimeout(resolve, 25));
			}

			const stormMs = Date.now() - stormStart;
			expect(live.alive()).toBe(true);

			const back = Date.now();
			await live.pane.resize(120, 40);
			const after = await waitScreen(live, 'the 120x40 layout of before', screen => {
				const lines = rows(screen);
				return JSON.stringify(shape(screen)) === JSON.stringify(shape(before)) && lines.every(line => [...line].length <= 120) && lines[39] === '';
			}, 10_000);
			record.figure(`${sizes.length} resizes in ${seconds(stormMs)}; layout as before ${seconds(Date.now() - back)} after the last`);
			// The static parts are exactly where they were
			for (const [index, line] of rows(before).entries()) {
				if (/^(  INSTANCE|EVENTS|↑↓)/.test(line) || /^ *\d+┤┄/.test(line)) expect(rows(after)[index]).toBe(line);
			}

			expect(after).not.toMatch(/needs at least/);
			await live.pane.send(['q']);
			expect(await live.exitCode()).toBe(0);
		},
		90_000,
	);
});
