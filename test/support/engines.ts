// The extra Docker engines of scripts/engines-up.sh for the several-engines tests: started (idempotently) by the
// project's script, stopped and started again by the tests that act out a host dropping off the network, and left
// running at the end when they were up before the run, else stopped (extra-engines-teardown.ts). Containers are made with the
// docker CLI against each engine's socket (`docker -H`), as an operator would.
import {execFile} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {describe, it} from 'vitest';
import {runLabel} from './docker-fixtures.js';
import {anyDown, markStarted} from './extra-engines-teardown.js';
import {IN_CI, TEST_IMAGE} from './services.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface TestEngine {
	name: string;
	/** unix:///var/run/va-top-engines/NAME.sock */
	url: string;
}

/**
 * Starts the named engines with scripts/engines-up.sh; null when they cannot run here (not root, no dockerd). In CI
 * that is a failing test, never a skip.
 */
export async function requireEngines(names: readonly string[]): Promise<TestEngine[] | null> {
	try {
		// Started by this run: stopped at its end (test/support/extra-engines-teardown.ts).
		const starting = anyDown('engines', names);
		const {stdout} = await run('bash', [path.join(root, 'scripts/engines-up.sh'), ...names], {timeout: 180_000});
		if (starting) markStarted('engines');
		return stdout
			.trim()
			.split('\n')
			.map((line) => {
				const [name, url] = line.split(' ');
				return {name: name!, url: url!};
			});
	} catch (error) {
		const why = `scripts/engines-up.sh ${names.join(' ')} failed: ${(error as {stderr?: string}).stderr?.trim() || String(error)}`;
		if (IN_CI) {
			describe('extra Docker engines', () => {
				it('are required in CI', () => {
					throw new Error(why);
				});
			});
		} else {
			console.warn(`skipping: ${why}`);
		}

		return null;
	}
}

/** Stops one engine (its containers keep running: --live-restore), as a host that drops off the network. */
export async function stopEngine(name: string): Promise<void> {
	await run('bash', [path.join(root, 'scripts/engines-down.sh'), name], {timeout: 60_000});
}

export async function startEngine(name: string): Promise<void> {
	await run('bash', [path.join(root, 'scripts/engines-up.sh'), name], {timeout: 120_000});
}

/** `docker -H URL ARGS`, stdout trimmed. */
export async function dockerOn(engine: TestEngine, args: string[], timeoutMs = 30_000): Promise<string> {
	const {stdout} = await run('docker', ['-H', engine.url, ...args], {timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024});
	return stdout.trim();
}

export interface Replica {
	run: string;
	project: string;
	service: string;
	number: number;
	/** Its name; default docker-compose 1.29's PROJECT_SERVICE_N. */
	name?: string;
	options?: string[];
	command?: string[];
}

/** A Compose-labelled replica on the engine (network none, stop timeout 1 s); its full id. */
export async function runReplica(engine: TestEngine, replica: Replica): Promise<string> {
	const labels = [
		`${runLabel}=${replica.run}`,
		`com.docker.compose.project=${replica.project}`,
		`com.docker.compose.service=${replica.service}`,
		`com.docker.compose.container-number=${replica.number}`,
		'com.docker.compose.oneoff=False',
	];
	const args = ['run', '-d', '--name', replica.name ?? `${replica.project}_${replica.service}_${replica.number}`, '--network', 'none', '--stop-timeout', '1'];
	for (const label of labels) args.push('--label', label);
	return dockerOn(engine, [...args, ...(replica.options ?? []), TEST_IMAGE, ...(replica.command ?? ['sleep', '100000'])]);
}

/** Removes every container of the test run (and what actions made from them: they copy the labels) on the engine. */
export async function removeRunOn(engine: TestEngine, runId: string, project?: string): Promise<void> {
	const filters = project === undefined ? ['--filter', `label=${runLabel}=${runId}`] : ['--filter', `label=com.docker.compose.project=${project}`];
	const ids = await dockerOn(engine, ['ps', '-aq', ...filters]).catch(() => '');
	if (ids) await dockerOn(engine, ['rm', '-f', '-v', ...ids.split('\n')]);
}

/** `docker -H URL stats --no-stream` for the containers, by 12-character id: the CLI's CPU and memory percentages. */
export async function statsOn(engine: TestEngine, ids: readonly string[]): Promise<Map<string, {cpuPercent: number; memPercent: number}>> {
	const out = await dockerOn(engine, ['stats', '--no-stream', '--format', '{{json .}}', ...ids]);
	const result = new Map<string, {cpuPercent: number; memPercent: number}>();
	for (const line of out.split('\n')) {
		if (!line.trim()) continue;
		const row = JSON.parse(line) as {ID: string; CPUPerc: string; MemPerc: string};
		result.set(row.ID.slice(0, 12), {cpuPercent: Number.parseFloat(row.CPUPerc), memPercent: Number.parseFloat(row.MemPerc)});
	}

	return result;
}

/** Names of the engine's containers of a project and service, with their states, sorted by name. */
export async function namesOn(engine: TestEngine, project: string, service: string): Promise<Array<[string, string]>> {
	const out = await dockerOn(engine, ['ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--filter', `label=com.docker.compose.service=${service}`, '--format', '{{.Names}} {{.State}}']);
	return out
		.split('\n')
		.filter(Boolean)
		.map((line) => line.split(' ') as [string, string])
		.sort((a, b) => a[0].localeCompare(b[0]));
}
