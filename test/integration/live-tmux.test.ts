// The live monitor as an operator meets it: the built program in a real tmux pane of 80x24, against the real
// Docker engine, PostgreSQL and Redis; read with capture-pane, driven with send-keys.
import {existsSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import pg from 'pg';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {randomId, removeRun, runContainer} from '../support/docker-fixtures.js';
import {PG_ADMIN_URL, PG_URL, REDIS_URL, requireDocker, requirePostgres, requireRedis} from '../support/services.js';
import {openPane, tmuxAvailable, type Pane} from '../support/tmux.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'dist/cli.js');

const docker = await requireDocker();
const postgres = await requirePostgres();
const redis = await requireRedis();
const tmux = await tmuxAvailable();
if (!tmux && process.env.CI === 'true') {
	describe('tmux (required in CI)', () => {
		it('tmux is required in CI', () => {
			throw new Error('tmux is not installed: scripts/setup.sh must install it');
		});
	});
}

describe.skipIf(!docker || !postgres || !redis || !tmux)('va-top live in a real 80x24 tmux pane', () => {
	const run = randomId();
	const project = `live-${run}`;
	const service = 'web';
	let pane: Pane | undefined;
	const command = `node ${cli} --project ${project} --service ${service} --pg ${PG_URL} --redis ${REDIS_URL} --cpu-sustain 20s --cpu-soon 5 --cpu-immediate 8 --no-history`; // low, so a busy machine's CI still breaches; each launch starts with no recorded past
	// Low CPU thresholds: the hot container shares 2 cores with whatever else runs, and must still cross them.

	beforeAll(async () => {
		if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (npm test does)`);
		await Promise.all([
			// Two busy loops: under load from other work this container still takes a large share of the 2 cores.
			runContainer({run, project, service, number: 1, options: ['--memory', '256m'], command: ['sh', '-c', '(while :; do :; done) & while :; do :; done']}),
			runContainer({run, project, service, number: 2, options: ['--memory', '256m'], command: ['sleep', '1000']}),
		]);
	}, 60_000);

	afterEach(async () => {
		await pane?.kill();
		pane = undefined;
	});

	afterAll(async () => {
		await removeRun(run);
	});

	async function launch(): Promise<Pane> {
		pane = await openPane({width: 80, height: 24});
		await pane.type(`${command}; echo "exit=$?"`);
		return pane;
	}

	it('shows instances, charts and both database panels, answers keys, and restores the shell on q', async () => {
		// Given va-top running against the stack
		const screen = await launch();
		const first = await screen.waitForScreen(s => /web_1 .*[\d.]+% ▲/.test(s) && /web_2 .*[\d.]+%/.test(s) && /DB conn \d+\/20/.test(s) && /CPU \d+% ▲+ \d+s →/.test(s), 20_000);

		// Then the hot instance carries its breach mark and timer toward IMMEDIATE, and every panel is there
		expect(first).toMatch(/va-top +voiceassist|va-top .*live-/);
		expect(first).toContain(`${project}/${service}`);
		expect(first).toMatch(/CPU \d+% ▲+ \d+s → IMMEDIATE at 20s/);
		expect(first).toMatch(/DB conn \d+\/20 [\d.]+%/);
		expect(first).toMatch(/REDIS mem /);
		expect(first).toMatch(/100┤/);
		expect(await screen.display('#{alternate_on}')).toBe('1');
		// And the frame leaves the last row alone (a full-height frame makes Ink repaint everything)
		expect(first.split('\n').every(line => line.length <= 80)).toBe(true);

		// When the sustained breach has lasted its 20 s, it becomes IMMEDIATE
		await screen.waitForScreen(/IMMEDIATE: (Check load balancing|Scale application horizontally)/, 30_000);

		// When j moves the selection, the charts follow the second instance
		await screen.send(['j']);
		await screen.waitForScreen(/▸ \S*web_2/);
		// When 1 chooses the one-minute window
		await screen.send(['1']);
		await screen.waitForScreen(/\(1m\)/);
		// When p pauses the display
		await screen.send(['p']);
		await screen.waitForScreen(/PAUSED/);
		await screen.send(['p']);
		await screen.waitForScreen(s => !s.includes('PAUSED'));
		// When ? shows the help, every key is listed; Esc closes it
		await screen.send(['?']);
		const help = await screen.waitForScreen(/show or close this help/);
		expect(help).toMatch(/q/);
		await screen.send(['Escape']);
		await screen.waitForScreen(s => !s.includes('show or close this help'));

		// When q quits, the shell is back: main screen, cursor shown, exit 0, and the line discipline works
		await screen.send(['q']);
		await screen.waitForScreen(/exit=0/);
		expect(await screen.display('#{alternate_on}')).toBe('0');
		expect(await screen.display('#{cursor_flag}')).toBe('1');
		await screen.type('echo typed-$((6*7))');
		await screen.waitForScreen(/typed-42/);
	}, 90_000);

	it('restores the terminal on SIGTERM and says so in the exit code', async () => {
		const screen = await launch();
		await screen.waitForScreen(/web_1 .*[\d.]+%/, 20_000);
		const {execFileSync} = await import('node:child_process');
		// va-top is the pane shell's only child.
		const shellPid = await screen.display('#{pane_pid}');
		const pid = execFileSync('pgrep', ['-P', shellPid]).toString().trim().split('\n')[0]!;
		process.kill(Number(pid), 'SIGTERM');
		await screen.waitForScreen(/exit=143/);
		expect(await screen.display('#{alternate_on}')).toBe('0');
		expect(await screen.display('#{cursor_flag}')).toBe('1');
		await screen.type('echo typed-$((6*7))');
		await screen.waitForScreen(/typed-42/);
	}, 60_000);

	it('flips the recommendation when the database is held above 80 %', async () => {
		const held: pg.Client[] = [];
		try {
			const screen = await launch();
			await screen.waitForScreen(/DB conn \d+\/20/, 20_000);
			// Up to 17 of 20 client connections, va-top's own and any others included. As the superuser, so the
			// slots reserved for superusers can be used and other clients on the server cannot make this fail.
			const admin = new pg.Client({connectionString: PG_ADMIN_URL});
			await admin.connect();
			held.push(admin);
			const count = async () => Number((await admin.query<{n: string}>("select count(*) as n from pg_stat_activity where backend_type = 'client backend'")).rows[0]!.n);
			for (let open = await count(); open < 17; open++) {
				const client = new pg.Client({connectionString: PG_ADMIN_URL});
				await client.connect();
				held.push(client);
			}

			// The headline names the first IMMEDIATE concern; the hot instance may hold it, so the database's may be the "+1".
			const flipped = await screen.waitForScreen(s => /IMMEDIATE: Scale database connections or add read replica/.test(s) || (/▲▲ IMMEDIATE/.test(s) && /IMMEDIATE: database connections 1[7-9]\/20/.test(s)), 15_000);
			expect(flipped).toMatch(/DB conn 1[7-9]\/20 [\d.]+% ▲▲/);
		} finally {
			await Promise.allSettled(held.map(async client => client.end()));
		}
	}, 60_000);
});
