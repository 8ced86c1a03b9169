// The supervised autoscaler as an operator meets it: the built program in a real 140x30 tmux pane against the real
// Docker engine, PostgreSQL and Redis, on a project of its own whose instances burn real CPU (busy loops inside them;
// see autoscale-fixtures.ts for the CPU caps and the thresholds). It scales up by itself after its countdown, back
// down through a drain when the burning stops, does not flap under an oscillating load, is stopped by the
// connection budget while PostgreSQL is held near max_connections by the test's own connections, and a key in its
// countdown cancels it. Read with capture-pane, driven with send-keys; the audit log says who acted.
import {existsSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {PG_MAX_CONNECTIONS, PG_URL, REDIS_URL, requireDocker, requirePostgres, requireRedis, waitFor} from '../support/services.js';
import {openPane, tmuxAvailable, type Pane} from '../support/tmux.js';
import {randomId, readAudit, removeProject, tempDir} from './actions-fixtures.js';
import {burn, calibrate, cool, holdPostgres, oscillate, pgConnections, removeCgroup, runningNames, startService, type Calibration} from './autoscale-fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'dist/cli.js');
const available = (await requireDocker()) && (await requirePostgres()) && (await requireRedis());
const tmux = await tmuxAvailable();
if (!tmux && process.env.CI === 'true') {
	describe('tmux (required in CI)', () => {
		it('tmux is required in CI', () => {
			throw new Error('tmux is not installed: scripts/setup.sh must install it');
		});
	});
}

const sleep = async (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
/** The autoscale line: the fourth line of the screen. */
const line = (screen: string) => screen.split('\n')[3] ?? '';

describe.skipIf(!available || !tmux)('supervised autoscaling in a real tmux pane', () => {
	const project = `vaauto-l-${randomId()}`;
	const service = 'app';
	const temp = tempDir('va-autoscale-live-');
	let cpu: Calibration;
	let pane: Pane | undefined;
	let names: string[] = [];
	let audit = '';
	let test = 0;

	const command = (flags: string) =>
		[
			`node ${cli} --project ${project} --service ${service} --pg ${PG_URL} --redis ${REDIS_URL} --interval 1 --no-color --audit-log ${audit}`,
			`--autoscale-interval 2s --autoscale-cooldown 4s --drain-timeout 5 ${cpu.args.join(' ')} ${flags}; echo "exit=$?"`,
		].join(' ');

	async function launch(flags: string): Promise<Pane> {
		pane = await openPane({width: 140, height: 30, env: {XDG_STATE_HOME: path.join(temp.dir, 'state')}});
		await pane.type(command(flags));
		await pane.waitForScreen(screen => /^(autoscale|\[AUTOSCALE ON\])/.test(line(screen)) && screen.includes('app-3'), 20_000);
		return pane;
	}

	async function quit(screen: Pane): Promise<void> {
		// A key in a countdown only cancels it: q until the shell says the exit code.
		await waitFor(
			async () => {
				await screen.send(['q'], {literal: true});
				return /exit=0/.test(await screen.capture());
			},
			{timeoutMs: 15_000, intervalMs: 1000, message: 'va-top quit'},
		);
	}

	async function count(): Promise<number> {
		return (await runningNames(project, service)).length;
	}

	beforeAll(async () => {
		if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (npm test does)`);
		names = await startService(project, service, 3);
		cpu = await calibrate(names);
	}, 180_000);

	beforeEach(async () => {
		audit = path.join(temp.dir, `audit-${++test}.log`);
		// Each test starts from the three instances, cool.
		await Promise.all((await runningNames(project, service)).map(cool));
		names = await startService(project, service, 3);
	}, 60_000);

	afterEach(async () => {
		await pane?.kill();
		pane = undefined;
		await Promise.all((await runningNames(project, service)).map(cool));
	}, 60_000);

	afterAll(async () => {
		await removeProject(project);
		removeCgroup(project);
		temp.cleanup();
	});

	it('--autoscale scales 3 → 4 by itself after a countdown, and back to 3 through a drain once the burning stops; all audited "by": "autoscale"', async () => {
		await Promise.all(names.map(burn));
		const screen = await launch('--autoscale --min 3 --max 4 --scale-up-sustain 2s --scale-down-sustain 6s --autoscale-countdown 2s');
		const counting = await screen.waitForScreen(s => /scaling up 3 → 4 in \d s: any key cancels/.test(line(s)), 30_000);
		expect(line(counting)).toMatch(/^\[AUTOSCALE ON\] scaling up 3 → 4 in \d s: any key cancels \(and turns autoscaling off\)/);
		await waitFor(async () => (await count()) === 4, {timeoutMs: 30_000, message: 'a fourth instance'});
		// At --max, still burning: it says so rather than scaling.
		await screen.waitForScreen(s => line(s).includes('would scale up but already at --max 4'), 30_000);

		await Promise.all(names.map(cool));
		await screen.waitForScreen(s => /would scale down 4 → 3 in/.test(line(s)), 30_000);
		await waitFor(async () => (await count()) === 3, {timeoutMs: 60_000, message: 'back to three'});
		expect(await runningNames(project, service)).toEqual(names);
		await screen.waitForScreen(s => line(s).includes('holding at --min 3'), 30_000);
		// Each line names the instance it created or removed (a scale-up's 'began' cannot yet).
		const fourth = `${project}-${service}-4`;
		expect(readAudit(audit).map(record => [record.action, record.instance, record.from, record.to, record.result, record.by]), JSON.stringify(readAudit(audit))).toEqual([
			['scale', null, 3, 4, 'began', 'autoscale'],
			['scale', fourth, 3, 4, 'ok', 'autoscale'],
			['scale', fourth, 4, 3, 'began', 'autoscale'],
			['scale', fourth, 4, 3, 'ok', 'autoscale'],
		]);
		await quit(screen);
	}, 180_000);

	it('an oscillating load (busy 4 s, idle 4 s, for a minute) does not flap the count', async () => {
		const screen = await launch('--autoscale --min 2 --max 4 --scale-up-sustain 8s --scale-down-sustain 16s --autoscale-countdown 1s');
		await Promise.all(names.map(async name => oscillate(name, 4, 4)));
		const seen = new Set<string>();
		const until = Date.now() + 60_000;
		while (Date.now() < until) {
			seen.add(line(await screen.capture()).replace(/\d+ s/g, 'N s').replace(/\d+ %/g, 'N %'));
			await sleep(500);
		}

		// It saw the scale-up coming again and again (never held long enough) and did nothing.
		expect([...seen].some(text => text.includes('would scale up 3 → 4 in N s'))).toBe(true);
		expect(await count()).toBe(3);
		expect(readAudit(audit)).toEqual([]);
		await quit(screen);
	}, 120_000);

	it('PostgreSQL held near max_connections stops the scale-up with the reason; released, it scales', async () => {
		const screen = await launch('--autoscale --min 3 --max 4 --scale-up-sustain 2s --scale-down-sustain 1h --autoscale-countdown 1s');
		await screen.waitForScreen(s => /postgres ok/.test(s), 10_000);
		// With 13 client connections on 3 instances, a fourth projects ~18 of 20 (90 %), over --db-immediate 80 %.
		const now = await pgConnections();
		expect(now.max).toBe(PG_MAX_CONNECTIONS);
		const held = await holdPostgres(Math.max(0, 13 - now.connections));
		try {
			await Promise.all(names.map(burn));
			const blocked = await screen.waitForScreen(s => /would scale up 3 → 4 but the database would be at \d+ % of max_connections/.test(line(s)), 30_000);
			expect(line(blocked)).toMatch(/^\[AUTOSCALE ON\] would scale up 3 → 4 but the database would be at (\d+) % of max_connections \(~(\d+) of 20, over --db-immediate 80 %\)$/);
			const [, percent, projected] = /at (\d+) % of max_connections \(~(\d+) of 20/.exec(line(blocked))!;
			expect(Number(percent)).toBe(Math.round((Number(projected) / 20) * 100));
			expect(Number(projected)).toBeGreaterThan(16);
			// Several evaluations later, still three and nothing attempted.
			await sleep(8000);
			expect(await count()).toBe(3);
			expect(readAudit(audit)).toEqual([]);
		} finally {
			await held.release();
		}

		await waitFor(async () => (await count()) === 4 && readAudit(audit).length === 2, {timeoutMs: 40_000, message: 'the scale-up once the connections are released'}).catch(async (error: unknown) => {
			throw new Error(`${String(error)}\n${JSON.stringify(readAudit(audit))}\n${await screen.capture()}`);
		});
		expect(readAudit(audit).map(record => [record.from, record.to, record.result, record.by]), JSON.stringify(readAudit(audit))).toEqual([
			[3, 4, 'began', 'autoscale'],
			[3, 4, 'ok', 'autoscale'],
		]);
		await quit(screen);
	}, 150_000);

	it('A turns it on after y; a key in the countdown cancels the step and turns autoscaling off', async () => {
		await Promise.all(names.map(burn));
		const screen = await launch('--min 3 --max 4 --scale-up-sustain 2s --autoscale-countdown 8s');
		await screen.waitForScreen(s => /^autoscale: would scale up 3 → 4/.test(line(s)), 30_000);
		await screen.send(['A'], {literal: true});
		await screen.waitForScreen(s => line(s).startsWith('autoscale: y turns autoscaling on (3..4, avg CPU >'));
		await sleep(400);
		await screen.send(['y'], {literal: true});
		await screen.waitForScreen(s => /^\[AUTOSCALE ON\] scaling up 3 → 4 in \d s/.test(line(s)), 30_000);
		await screen.send(['x'], {literal: true});
		const cancelled = await screen.waitForScreen(s => /autoscale: scale up 3 → 4 cancelled \(key x pressed\); autoscaling is off/.test(s));
		expect(line(cancelled)).toMatch(/^autoscale: /);
		// Past the countdown's end: nothing was done, nothing written.
		await sleep(10_000);
		expect(await count()).toBe(3);
		expect(readAudit(audit)).toEqual([]);
		expect(line(await screen.capture())).toMatch(/^autoscale: would scale up 3 → 4/);
		await quit(screen);
	}, 120_000);
});
