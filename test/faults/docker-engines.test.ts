// One of several Docker engines lost and back, as va-top in a real pane sees it: three engines of the project's own
// (scripts/engines-up.sh), each running replicas of one service; the second one's dockerd is stopped mid-run (its
// containers run on, --live-restore: a host that dropped off the network) and started again.
import {afterAll, afterEach, beforeAll, describe, expect} from 'vitest';
import {randomId} from '../support/docker-fixtures.js';
import {removeRunOn, requireEngines, runReplica, startEngine, stopEngine, type TestEngine} from '../support/engines.js';
import {PG_URL, REDIS_URL, requirePostgres, requireRedis} from '../support/services.js';
import {tmuxAvailable} from '../support/tmux.js';
import {requireTool} from './support/servers.js';
import {launch, rows, sourcesLine, waitScreen, type LiveRun} from './support/live.js';
import {faultTest, seconds} from './support/results.js';

const engines = await requireEngines(['e1', 'e2', 'e3']);
const postgresUp = await requirePostgres();
const redisUp = await requireRedis();
const tmux = requireTool('tmux', await tmuxAvailable(), 'scripts/setup.sh installs it');
const ready = engines !== null && postgresUp && redisUp && tmux;

/** The table rows of one host (the HOST column follows the name). */
function hostRows(screen: string, host: string): string[] {
	return rows(screen).filter(line => new RegExp(`^[ ▸] \\S+_web_\\d\\s+${host}\\s`).test(line));
}

/** Cells of a row's CPU trend (one per reading in view). */
function trend(row: string): number {
	return /([▁▂▃▄▅▆▇█]+)\s*$/.exec(row)?.[1]?.length ?? 0;
}

describe.skipIf(!ready)('faults: one of several Docker engines', () => {
	const id = randomId();
	const project = `vadockf${id}`;
	let live: LiveRun | undefined;

	beforeAll(async () => {
		for (const engine of engines as TestEngine[]) {
			for (const number of [1, 2]) await runReplica(engine, {run: id, project, service: 'web', number});
		}
	}, 60_000);

	afterEach(async () => {
		await live?.close();
		live = undefined;
		await startEngine('e2');
	});

	afterAll(async () => {
		for (const engine of engines ?? []) await removeRunOn(engine, id, project);
	});

	faultTest(
		{
			id: 'docker-engine-lost',
			group: 'fault',
			order: 12,
			title: 'One of three Docker engines stops answering (its dockerd stopped), then comes back',
			checked: 'its rows "not assessed" and the header names it with the reason; the other hosts keep streaming; all back in the same process',
		},
		async record => {
			const hosts = (engines as TestEngine[]).map(engine => `${engine.name}=${engine.url}`).join(',');
			// Wide enough for the whole sources line (a reason takes most of 120 columns).
			live = await launch(['--docker-host', hosts, '--project', project, '--service', 'web', '--pg', PG_URL, '--redis', REDIS_URL], {width: 200, height: 40});
			await waitScreen(live, '3/3 hosts ok and every row streaming', screen => /docker: 3\/3 hosts ok/.test(sourcesLine(screen)) && ['e1', 'e2', 'e3'].every(host => hostRows(screen, host).length === 2 && hostRows(screen, host).every(row => trend(row) >= 2)), 30_000);

			// When e2 drops off
			const down = Date.now();
			await stopEngine('e2');
			const lost = await waitScreen(live, 'e2 named in the header, its rows not assessed', screen => /docker: e2 (unreachable|reconnecting)/.test(sourcesLine(screen)) && hostRows(screen, 'e2').every(row => /not assessed/.test(row)), 15_000);
			record.figure(`e2 named and its rows not assessed ${seconds(Date.now() - down)} after its engine stopped`);
			expect(sourcesLine(lost)).toMatch(/docker: 2\/3 hosts ok/);
			expect(lost).toMatch(/docker: e2 (unreachable, |reconnecting, )?.*(no such socket|connection refused|connection reset|lost connection)/);
			// never a zero for what is not seen
			for (const row of hostRows(lost, 'e2')) expect(row).not.toMatch(/\s0\.0%/);
			// Then the others keep streaming
			const e1Cells = trend(hostRows(lost, 'e1')[0]!);
			await waitScreen(live, 'e1 and e3 trends grow', screen => trend(hostRows(screen, 'e1')[0]!) >= e1Cells + 2 && hostRows(screen, 'e3').every(row => /running/.test(row)), 15_000);

			// When it comes back
			const up = Date.now();
			await startEngine('e2');
			await waitScreen(live, '3/3 hosts ok and e2 streaming again', screen => /docker: 3\/3 hosts ok/.test(sourcesLine(screen)) && hostRows(screen, 'e2').every(row => /running/.test(row) && /\d%/.test(row)), 20_000);
			record.figure(`3/3 hosts ok and e2's rows assessed again ${seconds(Date.now() - up)} after it answered`);
			expect(live.alive()).toBe(true);
		},
		120_000,
	);
});
