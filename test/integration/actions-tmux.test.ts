// The action keys as an operator uses them: the built program in a real 80x24 tmux pane against the real Docker
// engine, on a project of its own (busybox httpd instances on network none, with Compose labels). + y adds a replica,
// - y removes the highest-numbered one, d drains an instance while clients inside it hold connections open, a target
// below --min is refused with the reason, and the audit log records each of them; --read-only and --dry-run change
// nothing. Read with capture-pane, driven with send-keys.
import {existsSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {docker, randomId, removeRun, runContainer} from '../support/docker-fixtures.js';
import {PG_URL, REDIS_URL, requireDocker, waitFor} from '../support/services.js';
import {openPane, tmuxAvailable, type Pane} from '../support/tmux.js';
import {appCommand, holdConnections, listService, readAudit, releaseConnections, tempDir} from './actions-fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'dist/cli.js');

const available = await requireDocker();
const tmux = await tmuxAvailable();
if (!tmux && process.env.CI === 'true') {
	describe('tmux (required in CI)', () => {
		it('tmux is required in CI', () => {
			throw new Error('tmux is not installed: scripts/setup.sh must install it');
		});
	});
}

const sleep = async (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
/** The confirmation ignores keys for 300 ms after it opens (issue 7): a deliberate y comes later. */
const guard = 400;

describe.skipIf(!available || !tmux)('actions in a real 80x24 tmux pane', () => {
	const run = randomId();
	const project = `act-ui-${run}`;
	const service = 'app';
	const temp = tempDir('va-actions-tmux-');
	let pane: Pane | undefined;

	// The access log is read as by default: its chart page adds `c 1/2`, and 80 columns must still offer scale and drain.
	const command = (flags: string) =>
		`node ${cli} --project ${project} --service ${service} --pg ${PG_URL} --redis ${REDIS_URL} --interval 1 --min 1 --max 4 --drain-timeout 10 ${flags}; echo "exit=$?"`;

	async function launch(flags: string): Promise<Pane> {
		pane = await openPane({width: 80, height: 24});
		await pane.type(command(flags));
		// The two replicas, by their container names (as the events and the audit log name them).
		await pane.waitForScreen(s => /app_1 +running/.test(s) && /app_2 +running/.test(s), 20_000);
		return pane;
	}

	async function replicas(): Promise<Array<{name: string; number: number; state: string; project: string; service: string}>> {
		return (await listService(project, service)).map(entry => ({
			name: entry.name,
			number: Number(entry.labels['com.docker.compose.container-number']),
			state: entry.state,
			project: entry.labels['com.docker.compose.project']!,
			service: entry.labels['com.docker.compose.service']!,
		}));
	}

	/** Each test starts from replicas 1 and 2 running, whatever the one before left. */
	async function resetReplicas(): Promise<void> {
		const list = await replicas();
		const good = list.length === 2 && list.every(entry => entry.state === 'running' && entry.name === `${project}_${service}_${entry.number}`);
		if (good) return;
		if (list.length > 0) await docker(['rm', '-f', ...list.map(entry => entry.name)]);
		await Promise.all(
			[1, 2].map(async number => runContainer({run, project, service, number, options: ['--stop-timeout', '2', '--memory', '64m'], command: appCommand})),
		);
	}

	async function quit(screen: Pane): Promise<void> {
		await screen.send(['q'], {literal: true});
		await screen.waitForScreen(/exit=0/, 10_000);
	}

	beforeAll(() => {
		if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (npm test does)`);
	});

	// httpd under a shell that ends it on SIGTERM, so `docker stop` is quick and graceful.
	beforeEach(resetReplicas, 60_000);

	afterEach(async () => {
		await pane?.kill();
		pane = undefined;
	});

	afterAll(async () => {
		// The replicas va-top made copy every label, the run's included.
		await removeRun(run);
		const left = await docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`]);
		if (left) await docker(['rm', '-f', ...left.split('\n')]);
		temp.cleanup();
	});

	it('+ y adds a replica, - y removes the highest-numbered, s 0 is refused, d drains with a countdown; all audited', async () => {
		const audit = path.join(temp.dir, 'audit.log');
		const screen = await launch(`--audit-log ${audit}`);
		expect(await screen.capture()).toMatch(/\+\/-\/s scale/);

		// + y: a third replica, made by the engine with the service's labels and the next container number.
		await screen.send(['+'], {literal: true});
		const confirm = await screen.waitForScreen(/SCALE app 2 → 3 \(\+1\)/);
		expect(confirm).toContain('running now 2 · target 3 · allowed 1-4 (--min/--max)');
		expect(confirm).toMatch(/y confirm · any other key cancels/);
		await sleep(guard);
		await screen.send(['y'], {literal: true});
		// The result is the status line; the charts stay.
		await screen.waitForScreen(/scale 2 → 3 ok: created/, 20_000);
		const added = await waitFor(async () => {
			const list = await replicas();
			return list.length === 3 ? list : undefined;
		}, {timeoutMs: 10_000, message: 'a third replica'});
		const third = added.find(entry => entry.number === 3);
		// Named like its siblings (docker-compose 1.29's PROJECT_SERVICE_N here), not PROJECT-SERVICE-N beside them (issue 14).
		expect(third).toMatchObject({name: `${project}_${service}_3`, state: 'running', project, service});
		await screen.waitForScreen(/app_3 +running/, 15_000);

		// - y: the highest-numbered one is drained (no connections: three zero readings) and removed.
		await screen.send(['-'], {literal: true});
		const down = await screen.waitForScreen(/SCALE app 3 → 2 \(-1\)/);
		expect(down).toContain(`take ${project}_${service}_3 out of the load balancer`);
		await sleep(guard);
		await screen.send(['y'], {literal: true});
		await screen.waitForScreen(/scale 3 → 2 ok/, 20_000);
		expect((await replicas()).map(entry => entry.number)).toEqual([1, 2]);

		// s 0 Enter: below --min, refused with the reason (once the screen counts 2 again: it plans from what it shows).
		await screen.waitForScreen(/2\/4 instances/, 10_000);
		await screen.send(['s'], {literal: true});
		await screen.waitForScreen(/scale to: ▏/);
		await screen.send(['0'], {literal: true});
		await screen.waitForScreen(/scale to: 0▏/);
		await screen.send(['Enter']);
		const refused = await screen.waitForScreen(/scale refused/);
		expect(refused).toContain('scale refused: 0 is below the minimum of 1 (--min)');

		// d on app_1 while two clients inside it hold connections: the row counts them down with the seconds left.
		const victim = `${project}_${service}_1`;
		await holdConnections(victim, 2);
		await screen.waitForScreen(/▸ \S*app_1 /);
		await screen.send(['d'], {literal: true});
		const drain = await screen.waitForScreen(new RegExp(`DRAIN ${victim}, then remove it`));
		expect(drain).toContain('running now 2 · after 1 · waits at most 10 s for its connections');
		await sleep(guard);
		await screen.send(['y'], {literal: true});
		// At 80 columns the drain's own column is short: ⇣, the connections, the seconds left; CPU and MEM stay.
		const first = await screen.waitForScreen(/app_1 .*[\d.]+% .*[\d.]+% .*⇣2 \d+s/, 10_000);
		const secondsAt = (s: string) => Number(/⇣2 (\d+)s/.exec(s)?.[1] ?? Number.NaN);
		const later = await screen.waitForScreen(s => secondsAt(s) < secondsAt(first), 5000);
		expect(later).toMatch(new RegExp(`drain ${victim}: 2 conn, \\d+s left {2}Esc abort`));
		// Still there while the connections are open.
		expect((await replicas()).map(entry => entry.number)).toEqual([1, 2]);
		await releaseConnections(victim);
		await screen.waitForScreen(/drain act-ui-\S+_app_1 ok/, 15_000);
		expect((await replicas()).map(entry => entry.name)).toEqual([`${project}_${service}_2`]);

		// One line per step: began, then the result, and the refusal; a scale names the instance it created or removed.
		// Named like its siblings (PROJECT_SERVICE_N here, issue 14), as the lines above check.
		const made = `${project}_${service}_3`;
		expect(readAudit(audit).map(record => [record.action, record.instance, record.from, record.to, record.result])).toEqual([
			['scale', null, 2, 3, 'began'],
			['scale', made, 2, 3, 'ok'],
			['scale', made, 3, 2, 'began'],
			['scale', made, 3, 2, 'ok'],
			['scale', null, 2, 0, 'refused'],
			['drain', victim, 2, 1, 'began'],
			['drain', victim, 2, 1, 'ok'],
		]);
		expect(readAudit(audit)[4]!.error).toBe('0 is below the minimum of 1 (--min)');
		await quit(screen);
	}, 80_000);

	it('Ctrl-C in the middle of a drain: the drain is aborted, recorded, and the program waits for it before leaving', async () => {
		const audit = path.join(temp.dir, 'interrupted.log');
		const victim = `${project}_${service}_2`;
		await holdConnections(victim, 1);
		try {
			const screen = await launch(`--audit-log ${audit}`);
			await screen.send(['j'], {literal: true});
			await screen.waitForScreen(/▸ \S*app_2 /);
			await screen.send(['d'], {literal: true});
			await screen.waitForScreen(new RegExp(`DRAIN ${victim}`));
			await sleep(guard);
			await screen.send(['y'], {literal: true});
			await screen.waitForScreen(/app_2 .*⇣1 \d+s/, 10_000);
			await screen.send(['C-c']);
			await screen.waitForScreen(/exit=130/, 15_000);
			expect(readAudit(audit).map(record => [record.action, record.instance, record.result])).toEqual([
				['drain', victim, 'began'],
				['drain', victim, 'aborted'],
			]);
			expect((await replicas()).filter(entry => entry.state === 'running').map(entry => entry.number)).toEqual([1, 2]);
		} finally {
			await releaseConnections(victim);
		}
	}, 40_000);

	it('--read-only: + opens nothing and says actions are off, no action key is listed, nothing is written', async () => {
		const audit = path.join(temp.dir, 'read-only', 'audit.log');
		const before = (await replicas()).map(entry => entry.name);
		const screen = await launch(`--read-only --audit-log ${audit}`);
		const first = await screen.capture();
		expect(first).toContain('READ-ONLY');
		expect(first).not.toContain('+/-/s');
		await screen.send(['+'], {literal: true});
		await screen.waitForScreen(/read-only: actions are off \(--read-only\)/);
		expect(await screen.capture()).not.toMatch(/SCALE|refused/);
		await screen.send(['y'], {literal: true});
		await sleep(500);
		await quit(screen);
		expect((await replicas()).map(entry => entry.name)).toEqual(before);
		expect(existsSync(audit)).toBe(false);
	}, 40_000);

	it('--dry-run: + y shows what it would do and changes nothing', async () => {
		const audit = path.join(temp.dir, 'dry-run.log');
		const before = (await replicas()).map(entry => entry.name);
		const screen = await launch(`--dry-run --audit-log ${audit}`);
		expect(await screen.capture()).toContain('DRY RUN');
		await screen.send(['+'], {literal: true});
		await screen.waitForScreen(/SCALE app 2 → 3 \(\+1\) · DRY RUN/);
		await sleep(guard);
		await screen.send(['y'], {literal: true});
		await screen.waitForScreen(/dry-run: scale 2 → 3 would create 1 replica/, 15_000);
		await sleep(1000);
		expect((await replicas()).map(entry => entry.name)).toEqual(before);
		expect(readAudit(audit).map(record => [record.action, record.from, record.to, record.result])).toEqual([['scale', 2, 3, 'dry-run']]);
		await sleep(guard);
		await screen.send(['x'], {literal: true});
		await quit(screen);
	}, 40_000);
});
