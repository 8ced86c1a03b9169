// A full disk under the history: a 24 KiB tmpfs made by this test (as root) holds the store, which fills it within
// a minute. The live monitor in a real tmux pane must go on reading and say that recording stopped.
import {execFileSync} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {storePaths} from '../../source/record/open-history.js';
import {loadStore} from '../../source/record/store.js';
import {randomId, removeRun, runContainer} from '../support/docker-fixtures.js';
import {PG_URL, REDIS_URL, requireDocker, requirePostgres, requireRedis} from '../support/services.js';
import {openPane, tmuxAvailable, type Pane} from '../support/tmux.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'dist/cli.js');

const docker = await requireDocker();
const postgres = await requirePostgres();
const redis = await requireRedis();
const tmux = await tmuxAvailable();
const isRoot = process.getuid?.() === 0;

describe.skipIf(!docker || !postgres || !redis || !tmux || !isRoot)('the history on a disk that fills up', () => {
	const run = randomId();
	const project = `varecdisk${run}`;
	const service = 'web';
	const mount = mkdtempSync(path.join(tmpdir(), 'va-top-full-'));
	let mounted = false;
	let pane: Pane | undefined;

	beforeAll(async () => {
		if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (npm test does)`);
		execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24k,mode=0700', 'tmpfs', mount]);
		mounted = true;
		await runContainer({run, project, service, number: 1, options: ['--memory', '64m'], command: ['sleep', '1000']});
	}, 60_000);

	afterAll(async () => {
		await pane?.kill();
		await removeRun(run);
		if (mounted) execFileSync('umount', [mount]);
		rmSync(mount, {recursive: true, force: true});
	});

	it('goes on monitoring when no space is left, and says that recording stopped', async () => {
		// Given the live monitor recording to the small disk
		pane = await openPane({width: 140, height: 30});
		await pane.type(`node ${cli} --project ${project} --service ${service} --pg ${PG_URL} --redis ${REDIS_URL} --history-dir ${mount} --interval 0.2; echo "exit=$?"`);
		await pane.waitForScreen(/web_1 .*running/, 20_000);

		// When the store has filled the disk, the screen says so: in the header and in the event log
		const full = await pane.waitForScreen(s => /recording stopped: no space left on the device/.test(s) && /UNKNOWN recording stopped/.test(s), 120_000);
		expect(full).toMatch(/\? recording stopped: no space left on the device/);
		expect(full).toMatch(/UNKNOWN recording stopped: no space left on the device \(the monitor goes on/);

		// Then it still reads the stack: a new instance shows up
		await runContainer({run, project, service, number: 2, options: ['--memory', '64m'], command: ['sleep', '1000']});
		const later = await pane.waitForScreen(/web_2 .*running/, 30_000);
		expect(later).toMatch(/2\/10 instances/);

		// And what was written before the disk filled is a store that loads
		const store = storePaths({project, service, dockerHost: undefined, historyDir: mount});
		const history = loadStore(store.store, {since: 0});
		expect(history!.series.get('service:cpu')!.times.length).toBeGreaterThan(10);

		await pane.send(['q']);
		await pane.waitForScreen(/exit=0/, 10_000);
	}, 200_000);
});
