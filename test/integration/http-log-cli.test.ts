// The access-log triggers as a user meets them: the built binary (--once --json, and the live monitor in a real tmux
// pane) against a real nginx in front of real app instances (test/support/http-stack.ts), with the project's own
// load generator. A slow instance and an error burst each turn the recommendation IMMEDIATE, exit code 2, named.
import {execFile} from 'node:child_process';
import {existsSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, afterEach, describe, expect, it} from 'vitest';
// @ts-expect-error: a plain .mjs script of the project, no type declarations
import {runLoad} from '../../scripts/load.mjs';
import {startHttpStack, type AppMode, type HttpStack} from '../support/http-stack.js';
import {PG_URL, REDIS_URL, requireDocker, requirePostgres, requireRedis} from '../support/services.js';
import {openPane, tmuxAvailable, type Pane} from '../support/tmux.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'dist/cli.js');
const ready = (await requireDocker()) && (await requirePostgres()) && (await requireRedis()) && (await tmuxAvailable());

interface Run {
	code: number;
	stdout: string;
	stderr: string;
}

function runCli(args: string[]): Promise<Run> {
	if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (npm test does)`);
	return new Promise((resolve) => {
		execFile(process.execPath, [cli, ...args], {env: {PATH: process.env.PATH, DATABASE_URL: PG_URL, REDIS_URL}, timeout: 20_000, maxBuffer: 16 * 1024 * 1024}, (error, stdout, stderr) => {
			resolve({code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr});
		});
	});
}

interface Recommendation {
	level: string;
	scope: string;
	subject: string;
	metric: string;
	value: number | null;
	threshold: number | null;
	message: string;
}

interface HttpPart {
	reachable: boolean;
	requests: number;
	errorRatio: number;
	p95Ms: number;
	latencyAssessed: boolean;
	instances: Array<{name: string; requests: number; p95Ms: number | null; errorRatio: number | null}>;
}

const load = (url: string, rate: number, seconds: number) => runLoad({url: new URL(url), rate, seconds, max: Math.ceil(rate * seconds), concurrency: 128});
const stacks: HttpStack[] = [];
let pane: Pane | undefined;

afterEach(async () => {
	await pane?.kill();
	pane = undefined;
});

afterAll(async () => {
	await Promise.allSettled(stacks.map(async (stack) => stack.remove()));
});

async function stack(modes: AppMode[], nginxPort: number, appBasePort: number): Promise<HttpStack> {
	const made = await startHttpStack({nginxPort, appBasePort, modes});
	stacks.push(made);
	return made;
}

describe.skipIf(!ready)('the access-log triggers through the real binary', () => {
	it('--once --json: one slow instance is IMMEDIATE, named as a balancing problem, exit code 2', async () => {
		const slow = await stack(['ok', 'slow 2.5', 'ok'], 18090, 18110);
		await load(slow.url, 15, 6);
		const run = await runCli(['--once', '--json', '--project', slow.project, '--service', 'app']);
		expect(run.code, run.stderr).toBe(2);
		const report = JSON.parse(run.stdout) as {level: string; recommendations: Recommendation[]; http: HttpPart};
		expect(report.level).toBe('IMMEDIATE');
		const named = report.recommendations.find((item) => item.metric === 'latency-p95');
		expect(named).toMatchObject({level: 'IMMEDIATE', scope: 'instance', subject: `${slow.project}-app-2`, threshold: 2000});
		expect(named!.message).toContain('Check load balancing, or drain the instance');
		expect(report.http.reachable).toBe(true);
		expect(report.http.latencyAssessed).toBe(true);
		expect(report.http.instances.map((row) => row.name)).toEqual(slow.appNames);
		expect(report.http.instances[1]!.p95Ms).toBeGreaterThan(2000);
		expect(report.http.requests).toBe((await slow.dockerLogLines()).length);
		await slow.remove();
	}, 90_000);

	it('--once --json: an error burst on every instance is IMMEDIATE for the service, its ratio exact, exit code 2', async () => {
		const burst = await stack(['error', 'error', 'ok'], 18091, 18120);
		await load(burst.url, 15, 3);
		const lines = await burst.dockerLogLines();
		const errors = lines.filter((line) => /"status":"5\d\d"/.test(line)).length;
		const run = await runCli(['--once', '--json', '--project', burst.project, '--service', 'app']);
		expect(run.code, run.stderr).toBe(2);
		const report = JSON.parse(run.stdout) as {recommendations: Recommendation[]; http: HttpPart};
		expect(report.http.errorRatio).toBe(Math.round((errors / lines.length) * 1e4) / 1e4);
		expect(report.recommendations.some((item) => item.metric === 'error-rate' && item.level === 'IMMEDIATE')).toBe(true);
		await burst.remove();
	}, 90_000);

	it('the live monitor shows an error burst IMMEDIATE on the recommendation line, with the 5xx rate', async () => {
		const burst = await stack(['error', 'error', 'ok'], 18094, 18150);
		const running = load(burst.url, 10, 40);
		pane = await openPane({width: 120, height: 40, env: {DATABASE_URL: PG_URL, REDIS_URL}});
		await pane.type(`node ${cli} --project ${burst.project} --service app --no-bell`);
		const screen = await pane.waitForScreen((text) => text.split('\n').some((line) => line.includes('IMMEDIATE') && /5xx/.test(line)), 45_000);
		// The header's access-log status carries the rate the rule judged.
		expect(screen).toMatch(/http p95 \S+ 5xx [\d.]+%/);
		await pane.send(['q']);
		await running;
		await burst.remove();
	}, 120_000);

	it('the live monitor shows IMMEDIATE naming the slow instance, with its p95', async () => {
		const slow = await stack(['ok', 'ok', 'slow 2.5'], 18092, 18130);
		const running = load(slow.url, 10, 40);
		pane = await openPane({width: 120, height: 40, env: {DATABASE_URL: PG_URL, REDIS_URL}});
		await pane.type(`node ${cli} --project ${slow.project} --service app --no-bell`);
		// The recommendation line names the instance and the metric (the event log says it in full).
		const screen = await pane.waitForScreen((text) => text.split('\n').some((line) => line.includes('IMMEDIATE') && line.includes(`${slow.project}-app-3`) && /p95/.test(line)), 45_000);
		expect(screen).toContain(`${slow.project}-app-3`);
		await pane.send(['q']);
		await running;
		await slow.remove();
	}, 120_000);
});
