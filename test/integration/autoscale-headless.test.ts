// `va-top --autoscale --headless` as systemd would run it: the built program against the real Docker engine,
// PostgreSQL, Redis and the project's real nginx (as in actions-nginx.test.ts). Its JSON lines are read as they come;
// SIGTERM is sent in the middle of a drain; a second autoscaler on the same stack is started beside it.
import {spawn, type ChildProcess} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {PG_URL, REDIS_URL, requireDocker, requirePostgres, requireRedis, waitFor} from '../support/services.js';
import {docker, holdConnections, randomId, readAudit, releaseConnections, removeProject, tempDir} from './actions-fixtures.js';
import {burn, calibrate, cool, ensureNginxImage, removeCgroup, runningNames, startNginx, startService, upstreamFor, type Calibration} from './autoscale-fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'dist/cli.js');
const available = (await requireDocker()) && (await requirePostgres()) && (await requireRedis());

interface Headless {
	child: ChildProcess;
	lines: Array<Record<string, unknown>>;
	stderr: () => string;
	exit: Promise<number | null>;
	/** Waits for a line that matches and returns it. */
	line(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

function startHeadless(args: string[], env: Record<string, string>): Headless {
	const child = spawn(process.execPath, [cli, '--autoscale', '--headless', ...args], {env: {PATH: process.env.PATH, ...env}, stdio: ['ignore', 'pipe', 'pipe']});
	const lines: Array<Record<string, unknown>> = [];
	let buffer = '';
	let stderr = '';
	child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
		buffer += chunk;
		for (let at = buffer.indexOf('\n'); at !== -1; at = buffer.indexOf('\n')) {
			lines.push(JSON.parse(buffer.slice(0, at)) as Record<string, unknown>);
			buffer = buffer.slice(at + 1);
		}
	});
	child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
		stderr += chunk;
	});
	const exit = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
	return {
		child,
		lines,
		stderr: () => stderr,
		exit,
		async line(match, timeoutMs = 30_000) {
			try {
				return await waitFor(() => lines.find(match), {timeoutMs, intervalMs: 50});
			} catch {
				throw new Error(`no such line within ${timeoutMs} ms; got:\n${lines.map(entry => JSON.stringify(entry)).join('\n')}\nstderr: ${stderr}`);
			}
		},
	};
}

describe.skipIf(!available)('va-top --autoscale --headless', () => {
	const project = `vaauto-h-${randomId()}`;
	const service = 'app';
	const temp = tempDir('va-autoscale-headless-');
	const state = path.join(temp.dir, 'state');
	let nginx: {name: string; upstreamFile: string};
	const running: Headless[] = [];
	let cpu: Calibration;
	// Thresholds of the test's own database: the shared PostgreSQL's other users must not make an IMMEDIATE here.
	const common = (audit: string) => ['--project', project, '--service', service, '--pg', PG_URL, '--redis', REDIS_URL, '--interval', '1', '--audit-log', audit, '--db-immediate', '100', '--db-soon', '100', ...cpu.args];

	beforeAll(async () => {
		if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (npm test does)`);
		await ensureNginxImage();
		const names = await startService(project, service, 3);
		nginx = await startNginx(project, service, 3, temp.dir);
		cpu = await calibrate(names);
	}, 180_000);

	afterEach(async () => {
		for (const headless of running.splice(0)) {
			headless.child.kill('SIGKILL');
			await headless.exit;
		}
	});

	afterAll(async () => {
		await removeProject(project);
		removeCgroup(project);
		temp.cleanup();
	});

	it('SIGTERM in the middle of a drain puts the instance back into nginx, records it, and exits 0', async () => {
		const audit = path.join(temp.dir, 'sigterm.log');
		const victim = `${project}-${service}-3`;
		// A client inside the highest-numbered instance keeps its drain waiting.
		await holdConnections(victim, 1);
		try {
			const headless = startHeadless([...common(audit), '--min', '2', '--max', '4', '--autoscale-interval', '2s', '--scale-down-sustain', '4s', '--autoscale-cooldown', '30s', '--drain-timeout', '60'], {XDG_STATE_HOME: state});
			running.push(headless);
			expect(await headless.line(line => line.event === 'start')).toMatchObject({project, service, min: 2, max: 4, scaleDownAt: cpu.scaleDownAt, intervalSeconds: 2, downSustainSeconds: 4});
			// Idle instances: down after the down-sustain, through a drain that takes app-3 out of nginx first.
			expect(await headless.line(line => line.event === 'act')).toMatchObject({action: 'scale', direction: 'down', from: 3, to: 2, dryRun: false});
			await headless.line(line => line.event === 'log' && String(line.text).includes('marked down'));
			expect(readFileSync(nginx.upstreamFile, 'utf8')).toContain(`server ${service}-3:8000 max_fails=3 fail_timeout=30s down;`);

			headless.child.kill('SIGTERM');
			expect(await headless.exit).toBe(0);
			const events = headless.lines.map(line => line.event);
			// In that order: the signal, the drain's result, the end.
			expect(events.indexOf('stopping')).toBeGreaterThan(events.indexOf('act'));
			expect(events.indexOf('result')).toBeGreaterThan(events.indexOf('stopping'));
			expect(events.at(-1)).toBe('stop');
			expect(headless.lines.find(line => line.event === 'stopping')).toMatchObject({signal: 'SIGTERM', inProgress: 'scale 3 → 2'});
			expect(headless.lines.find(line => line.event === 'result')).toMatchObject({action: 'scale', result: 'aborted', from: 3, to: 2});
			expect(headless.lines.at(-1)).toMatchObject({event: 'stop', signal: 'SIGTERM', settled: true});
			// Back in the balancer byte for byte, in what nginx runs, and still running.
			expect(readFileSync(nginx.upstreamFile, 'utf8')).toBe(upstreamFor(service, 3));
			expect(await docker(['exec', nginx.name, 'nginx', '-T'])).toContain(`server ${service}-3:8000 max_fails=3 fail_timeout=30s;`);
			expect(await runningNames(project, service)).toEqual([1, 2, 3].map(n => `${project}-${service}-${n}`));
			expect(readAudit(audit).map(record => [record.action, record.from, record.to, record.result, record.by])).toEqual([
				['scale', 3, 2, 'began', 'autoscale'],
				['scale', 3, 2, 'aborted', 'autoscale'],
			]);
			expect(headless.stderr()).toBe('');
		} finally {
			await releaseConnections(victim);
		}
	}, 90_000);

	it('a second autoscaler on the same stack is refused (exit 75, the holder named) until the first has gone', async () => {
		const audit = path.join(temp.dir, 'lock.log');
		const quiet = [...common(audit), '--min', '2', '--max', '4', '--autoscale-interval', '1h'];
		const first = startHeadless(quiet, {XDG_STATE_HOME: state});
		running.push(first);
		const start = await first.line(line => line.event === 'start');
		expect(String(start.lock)).toMatch(new RegExp(`^${state}/va-top/stacks/${project}__${service}-[0-9a-f]{12}/autoscale\\.lock$`));

		const second = startHeadless(quiet, {XDG_STATE_HOME: state});
		running.push(second);
		expect(await second.exit).toBe(75);
		expect(second.lines).toEqual([]);
		const message = second.stderr().trimEnd().split('\n');
		expect(message).toHaveLength(1);
		expect(message[0]).toBe(`va-top: another autoscaler is running on ${project}/${service}: a va-top autoscaler (pid ${first.child.pid}) autoscales this stack (lock ${String(start.lock)}); refusing to start a second one`);

		first.child.kill('SIGTERM');
		expect(await first.exit).toBe(0);
		expect(existsSync(String(start.lock))).toBe(false);
		const third = startHeadless(quiet, {XDG_STATE_HOME: state});
		running.push(third);
		await third.line(line => line.event === 'start');
		third.child.kill('SIGTERM');
		expect(await third.exit).toBe(0);
	}, 60_000);

	it('scales up on its own when the instances burn CPU: a decision line each interval, the act and its result', async () => {
		const audit = path.join(temp.dir, 'up.log');
		const names = await runningNames(project, service);
		await Promise.all(names.map(burn));
		try {
			const headless = startHeadless([...common(audit), '--min', '3', '--max', '4', '--autoscale-interval', '2s', '--autoscale-cooldown', '1m', '--scale-down-sustain', '1h'], {XDG_STATE_HOME: state});
			running.push(headless);
			const result = await headless.line(line => line.event === 'result', 45_000);
			expect(result).toMatchObject({action: 'scale', result: 'ok', from: 3, to: 4});
			// The decision right before the act: up, now, with the average over the threshold.
			const acted = headless.lines.findIndex(line => line.event === 'act');
			const before = headless.lines.slice(0, acted).filter(line => line.event === 'decision');
			expect(before.at(-1)).toMatchObject({kind: 'up', from: 3, to: 4, etaSeconds: 0});
			expect(before.at(-1)!.text).toMatch(/^would scale up 3 → 4 now \(avg CPU \d+ % > [\d.]+ % for \d+ s of 2 s\)$/);
			expect(Number(before.at(-1)!.avgCpuPercent)).toBeGreaterThan(cpu.scaleUpAt);
			expect(headless.lines[acted]).toMatchObject({event: 'act', direction: 'up', from: 3, to: 4});
			expect(await runningNames(project, service)).toHaveLength(4);
			expect(readAudit(audit).map(record => [record.from, record.to, record.result, record.by])).toEqual([
				[3, 4, 'began', 'autoscale'],
				[3, 4, 'ok', 'autoscale'],
			]);
			headless.child.kill('SIGTERM');
			expect(await headless.exit).toBe(0);
		} finally {
			await Promise.all((await runningNames(project, service)).map(cool));
			const extra = (await runningNames(project, service)).filter(name => !name.endsWith('-1') && !name.endsWith('-2') && !name.endsWith('-3'));
			if (extra.length > 0) await docker(['rm', '-f', ...extra]);
		}
	}, 90_000);
});
