// The keys against a real three-node Swarm, as an operator uses them: the built program in a 200x50 tmux pane, the
// manager's socket as --docker-host and the workers' as --node-host. + y scales through the service update; a
// version race between the confirmation and y is refused with both versions; d y drains a chosen task on a worker
// (out of the balancer by the hooks, its connection on its node waited for, its container stopped, N-1) and Swarm's
// choice is checked, and said plainly when it removed another task; D y on a node line drains the node and D y makes
// it active again; the manager's engine paused leaves the header saying so while the keys still answer. The service
// avoids the manager's node, so the two workers hold every task and Swarm's choices can be known beforehand (it
// removes by node balance first).
import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {randomId} from '../support/docker-fixtures.js';
import {PG_URL, REDIS_URL, waitFor} from '../support/services.js';
import {connectionInNode, deployStack, enginePid, nodeAvailability, on, removeStack, requireSwarm, runningTasks, serviceState, type TaskRow} from '../support/swarm.js';
import {openPane, tmuxAvailable, type Pane} from '../support/tmux.js';
import {tempDir} from './actions-fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'dist/cli.js');
const swarm = await requireSwarm();
const tmux = await tmuxAvailable();
const sleep = async (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The confirmation ignores keys for 300 ms after it opens: a deliberate y comes later. */
const guard = 400;

describe.skipIf(swarm === null || !tmux)('Swarm keys in a real 200x50 tmux pane', () => {
	const run = randomId();
	const project = `vaswk${run}`;
	const service = 'api';
	const serviceName = `${project}_${service}`;
	const temp = tempDir('va-swarm-keys-');
	const auditFile = path.join(temp.dir, 'audit.log');
	const lbFile = path.join(temp.dir, 'lb.log');
	let pane: Pane;

	const audit = (): Array<Record<string, unknown>> =>
		existsSync(auditFile) ? readFileSync(auditFile, 'utf8').trimEnd().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) : [];
	const lb = () => (existsSync(lbFile) ? readFileSync(lbFile, 'utf8') : '');

	async function key(name: string): Promise<void> {
		await pane.send([name], {literal: true});
	}

	/** Presses j / k until the selected line (▸) matches. */
	async function select(pattern: RegExp): Promise<string> {
		for (let presses = 0; presses < 30; presses++) {
			const screen = await pane.capture();
			const selected = screen.split('\n').find((line) => line.startsWith('▸'));
			if (selected !== undefined && pattern.test(selected)) return selected;
			await key(presses < 15 ? 'j' : 'k');
			await sleep(120);
		}

		throw new Error(`no line matching ${String(pattern)} could be selected; screen:\n${await pane.capture()}`);
	}

	async function confirm(opener: string, title: RegExp): Promise<string> {
		await key(opener);
		const screen = await pane.waitForScreen(title, 10_000);
		await sleep(guard);
		await key('y');
		return screen;
	}

	async function closeNotice(): Promise<void> {
		await sleep(guard);
		await key('x');
		await sleep(200);
	}

	/** The task rows' states, as the table shows them. */
	const rowStates = (screen: string) => screen.split('\n').flatMap((line) => /^[ ▸] \S+ +vaswarm-n\d (\w+)/.exec(line)?.[1] ?? []);

	/** Tasks per worker hostname. */
	function perNode(tasks: readonly TaskRow[]): Map<string, TaskRow[]> {
		const map = new Map<string, TaskRow[]>();
		for (const task of tasks) map.set(task.node, [...(map.get(task.node) ?? []), task]);
		return map;
	}

	beforeAll(async () => {
		if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (npm test does)`);
		await deployStack(swarm!, {project, service, replicas: 4, avoid: [swarm!.manager.hostname], stopGraceSeconds: 2});
		pane = await openPane({width: 200, height: 50});
		const hooks = `--lb-remove-cmd 'echo remove "$1" "$2" >> ${lbFile}' --lb-restore-cmd 'echo restore "$1" "$2" >> ${lbFile}'`;
		await pane.type(
			`node ${cli} --docker-host ${swarm!.manager.url} --node-host ${swarm!.nodeHosts} --project ${project} --service ${service} --pg ${PG_URL} --redis ${REDIS_URL} --min 2 --max 8 --drain-timeout 20 --audit-log ${auditFile} ${hooks}; echo "exit=$?"`,
		);
		await pane.waitForScreen((screen) => /4\/8 replicas/.test(screen) && rowStates(screen).filter((state) => state === 'running').length === 4 && /swarm v\d+: 3\/3 nodes ready/.test(screen), 30_000);
	}, 180_000);

	afterAll(async () => {
		await pane?.send(['q'], {literal: true}).catch(() => undefined);
		await pane?.kill();
		await on(swarm!.manager, ['node', 'update', '--availability', 'active', 'vaswarm-n3']).catch(() => '');
		await removeStack(swarm!, project);
		temp.cleanup();
	}, 120_000);

	it('+ y scales up through the service update on the manager; the header and the table follow', async () => {
		const before = await serviceState(swarm!, serviceName);
		const dialog = await confirm('+', /SCALE \S+ 4 → 5 \(\+1\)/);
		expect(dialog).toContain(`replicas now 4 · target 5 · allowed 2-8 (--min/--max) · version ${before.version}`);
		await pane.waitForScreen(/scale 4 → 5 ok: created \S+\.5\.\w{12} on vaswarm-n[23]/, 40_000);
		expect((await serviceState(swarm!, serviceName)).replicas).toBe(5);
		await pane.waitForScreen(/5\/8 replicas/, 10_000);
		expect(audit().slice(-2).map((line) => [line.action, line.result, line.engine, line.version])).toEqual([
			['scale', 'began', 'n1', before.version],
			['scale', 'ok', 'n1', before.version],
		]);
		await closeNotice();
	}, 60_000);

	it('a version race: the service is updated while the confirmation is open; y is refused with both versions and nothing changes', async () => {
		const before = await serviceState(swarm!, serviceName);
		await key('+');
		await pane.waitForScreen(/SCALE \S+ 5 → 6/, 10_000);
		await on(swarm!.manager, ['service', 'update', '--detach', '--label-add', `race=${run}`, serviceName]);
		const after = await serviceState(swarm!, serviceName);
		await sleep(guard);
		await key('y');
		const screen = await pane.waitForScreen(/scale refused|refused/, 15_000);
		expect(screen).toContain(`version ${before.version} → ${after.version}`);
		expect((await serviceState(swarm!, serviceName)).replicas).toBe(5);
		expect(audit().at(-1)).toMatchObject({action: 'scale', result: 'refused', from: 5, to: 6});
		await closeNotice();
	}, 40_000);

	it('d y drains a chosen task on a worker: out of the balancer, its connection on its node waited for, stopped, 5 → 4, and Swarm removed that one', async () => {
		// The worker with three tasks: Swarm removes by node balance first, so the drained one there is the one to go.
		const tasks = await runningTasks(swarm!, serviceName);
		const [busiest, mine] = [...perNode(tasks)].sort((a, b) => b[1].length - a[1].length)[0]!;
		expect(mine.length).toBe(3);
		const victim = mine.at(-1)!;
		const node = swarm!.nodes.find((entry) => entry.hostname === busiest)!;
		const name = `${serviceName}.${victim.slot}.${victim.id.slice(0, 12)}`;
		await select(new RegExp(`${victim.id.slice(0, 12)}`));
		// A client holds a connection to port 8000 on that node: the drain waits for it.
		const connection = await connectionInNode(node, 8000);
		try {
			const dialog = await confirm('d', /DRAIN \S+, then remove it/);
			expect(dialog).toMatch(/stop \S+ on its node \(SIGTERM, then the service's stop grace period\)/);
			await pane.waitForScreen(/draining 1 conn/, 15_000);
			expect(lb()).toContain(`remove ${name} ${node.address}:8000`);
		} finally {
			connection.close();
		}

		await pane.waitForScreen(new RegExp(`drain ${name.replace(/\./g, '\\.')} ok`), 60_000);
		const left = await runningTasks(swarm!, serviceName);
		expect(left.length).toBe(4);
		expect(left.map((task) => task.slot)).not.toContain(victim.slot);
		expect(left.map((task) => task.id).sort()).toEqual(tasks.filter((task) => task.id !== victim.id).map((task) => task.id).sort());
		expect(audit().slice(-2).map((line) => [line.action, line.result, line.instance, line.node, line.from, line.to])).toEqual([
			['drain', 'began', name, busiest, 5, 4],
			['drain', 'ok', name, busiest, 5, 4],
		]);
		await closeNotice();
	}, 120_000);

	it('after a drain on the worker with fewer tasks, what va-top says Swarm removed matches docker’s own task list (another task: said plainly)', async () => {
		// 5 tasks: one worker 3, the other 2. Swarm removes by node balance first unless the drained slot is already
		// dead when the scale lands: which of the two happens is Swarm's timing, and va-top must tell them apart.
		// As an operator would: once the header shows the 4 replicas the last drain left. The drain's outcome is shown
		// at once, the manager's reading of it up to a second later, and a confirmation is planned from the last frame.
		await pane.waitForScreen(/ 4\/8 replicas/, 10_000);
		await confirm('+', /SCALE \S+ 4 → 5/);
		await pane.waitForScreen(/scale 4 → 5 ok/, 40_000);
		await closeNotice();
		// As an operator would: once the table shows the five running.
		await pane.waitForScreen((screen) => rowStates(screen).length === 5 && rowStates(screen).every((state) => state === 'running'), 20_000);
		const tasks = await runningTasks(swarm!, serviceName);
		const [fewest, mine] = [...perNode(tasks)].sort((a, b) => a[1].length - b[1].length)[0]!;
		expect(mine.length).toBe(2);
		const victim = mine[0]!;
		await select(new RegExp(`${victim.id.slice(0, 12)}`));
		const dialog = await confirm('d', /DRAIN \S+, then remove it/);
		expect(dialog.replace(/\s*\n\s*/g, ' ')).toMatch(new RegExp(`Swarm balances nodes first: vaswarm-n\\d runs 3 tasks and ${fewest} 2`));
		// This drain's own outcome: the event log still holds the earlier drain's `drain … ok` line. The status line
		// wraps: read it as one line.
		const victimName = `${serviceName}.${victim.slot}.${victim.id.slice(0, 12)}`.replace(/\./g, '\\.');
		const outcome = new RegExp(`Swarm replaced a different task|Swarm removed slot ${victim.slot} \\(\\S+, drained and stopped\\), as asked|drain ${victimName} (ok|failed)`);
		const screen = (await pane.waitForScreen((text) => outcome.test(text.replace(/\s*\n\s*/g, ' ')), 60_000)).replace(/\s*\n\s*/g, ' ');
		await waitFor(async () => (await runningTasks(swarm!, serviceName)).length === 4, {timeoutMs: 20_000, message: 'four tasks run'});
		const left = await runningTasks(swarm!, serviceName);
		const gone = tasks.filter((task) => !left.some((entry) => entry.slot === task.slot));
		if (/Swarm replaced a different task/.test(screen)) {
			console.log('Swarm removed another task than the drained one; va-top said so');
			// The status line is one line; the whole message is in the event log, which wraps it when it has the keys (e).
			await key('e');
			const log = (await pane.waitForScreen((text) => /instead, without a drain/.test(text.replace(/\s*\n\s*/g, ' ')), 10_000)).replace(/\s*\n\s*/g, ' ');
			await key('e');
			expect(log).toMatch(new RegExp(`slot ${victim.slot} runs again as \\S+ on vaswarm-n\\d`));
			expect(left.map((task) => task.slot)).toContain(victim.slot);
			expect(left.map((task) => task.id)).not.toContain(victim.id);
			expect(gone.length).toBe(1);
			expect(log).toContain(`removed ${serviceName}.${gone[0]!.slot}.${gone[0]!.id.slice(0, 12)} (slot ${gone[0]!.slot} on ${gone[0]!.node}) instead, without a drain`);
			expect(audit().at(-1)).toMatchObject({action: 'drain', result: 'failed', error: expect.stringContaining('Swarm replaced a different task')});
			// The drained slot runs again: it went back into the balancer.
			expect(lb()).toMatch(new RegExp(`restore ${serviceName}\\.${victim.slot}\\.`));
		} else {
			console.log('Swarm removed the drained slot (dead when the scale landed); va-top said so');
			expect(gone.map((task) => task.id)).toEqual([victim.id]);
			expect(audit().at(-1)).toMatchObject({action: 'drain', result: 'ok'});
		}

		await closeNotice();
	}, 120_000);

	it('D y on a node line drains the node (its tasks move), and D y again makes it active', async () => {
		await select(/^▸ vaswarm-n3 /);
		const dialog = await confirm('D', /NODE vaswarm-n3: active → DRAIN/);
		expect(dialog).toMatch(/set vaswarm-n3's availability to drain \(POST \/nodes\/\{id\}\/update against its version \d+\)/);
		await pane.waitForScreen(/node vaswarm-n3: active → drain ok/, 20_000);
		expect(await nodeAvailability(swarm!, 'vaswarm-n3')).toBe('drain');
		await waitFor(async () => (await runningTasks(swarm!, serviceName)).every((task) => task.node !== 'vaswarm-n3'), {timeoutMs: 30_000, message: 'no task left on vaswarm-n3'});
		await pane.waitForScreen(/vaswarm-n3 +10\.213\.77\.3 +worker +ready +drain +0 tasks/, 15_000);
		await pane.waitForScreen(/nodes ready \(vaswarm-n3 drain\)/, 5000);
		await closeNotice();

		await select(/^▸ vaswarm-n3 /);
		await confirm('D', /NODE vaswarm-n3: drain → ACTIVE/);
		await pane.waitForScreen(/node vaswarm-n3: drain → active ok/, 20_000);
		expect(await nodeAvailability(swarm!, 'vaswarm-n3')).toBe('active');
		expect(audit().slice(-4).map((line) => [line.action, line.result, line.node, (line.availability as {to: string}).to])).toEqual([
			['node', 'began', 'vaswarm-n3', 'drain'],
			['node', 'ok', 'vaswarm-n3', 'drain'],
			['node', 'began', 'vaswarm-n3', 'active'],
			['node', 'ok', 'vaswarm-n3', 'active'],
		]);
		await closeNotice();
	}, 90_000);
	it('the manager’s engine paused: the header says the manager is stale (or reconnecting) while the keys still answer, and it recovers when resumed', async () => {
		const pid = await enginePid(swarm!.manager);
		process.kill(pid, 'SIGSTOP');
		try {
			const screen = await pane.waitForScreen(/docker: manager n1 (stale|reconnecting|unreachable)/, 30_000);
			// The tasks stay on screen (their own engines still answer); all on one node now, so without a HOST column.
			const taskRow = new RegExp(`^[ ▸] ${serviceName.replace(/\./g, '\\.')}\\.\\d+\\.\\w{12} .*running`);
			expect(screen.split('\n').filter((line) => taskRow.test(line)).length, screen).toBeGreaterThanOrEqual(4);
			// Keys answer at once: the help opens and closes while the manager says nothing.
			await key('?');
			await pane.waitForScreen(/show or close this help/, 3000);
			await key('?');
			await pane.waitForScreen((text) => !/show or close this help/.test(text) && /docker: manager n1/.test(text), 3000);
		} finally {
			process.kill(pid, 'SIGCONT');
		}

		await pane.waitForScreen((text) => !/docker: manager n1/.test(text) && /swarm v\d+: 3\/3 nodes ready/.test(text), 30_000);
	}, 90_000);
});
