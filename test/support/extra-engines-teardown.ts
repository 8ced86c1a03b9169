// Vitest global setup: at the end of a run, the extra engines a test of this run started are stopped again (the Swarm
// of scripts/swarm-up.sh: three dockerd and their containerd; the engines of scripts/engines-up.sh), so a run leaves
// the shared machine as it found it. Engines that were all up when a test asked for them are left up. A test that
// starts them marks them (markStarted); the mark lives beside their sockets, so a run that crashed is cleaned up by the next.
// The network namespaces and data roots stay (a later run then starts in seconds); `--purge` on the scripts removes them.
import {execFile} from 'node:child_process';
import {existsSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const extraEngines = {
	swarm: {run: process.env['VA_SWARM_RUN'] ?? '/var/run/va-top-swarm', names: ['n1', 'n2', 'n3'], down: 'scripts/swarm-down.sh'},
	engines: {run: process.env['VA_ENGINES_RUN'] ?? '/var/run/va-top-engines', names: [] as string[], down: 'scripts/engines-down.sh'},
} as const;

export type ExtraEngines = keyof typeof extraEngines;

const marker = (kind: ExtraEngines) => path.join(extraEngines[kind].run, 'started-by-tests');

/** True when the engine's dockerd (by its pid file) is alive. */
export function engineAlive(kind: ExtraEngines, name: string): boolean {
	try {
		const pid = readFileSync(path.join(extraEngines[kind].run, `${name}.pid`), 'utf8').trim();
		return pid !== '' && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('dockerd');
	} catch {
		return false;
	}
}

/** Before a test runs the up script: true when any of the engines is not running (this run will start it). */
export function anyDown(kind: ExtraEngines, names: readonly string[]): boolean {
	return names.length === 0 || !names.every((name) => engineAlive(kind, name));
}

/** After the up script: the engines are this run's to stop at its end. */
export function markStarted(kind: ExtraEngines): void {
	writeFileSync(marker(kind), `${new Date().toISOString()}\n`);
}

export async function teardown(): Promise<void> {
	if (process.env['VA_TOP_KEEP_ENGINES'] === '1') return;
	for (const kind of Object.keys(extraEngines) as ExtraEngines[]) {
		if (!existsSync(marker(kind))) continue;
		try {
			await run('bash', [path.join(root, extraEngines[kind].down)], {timeout: 120_000});
			rmSync(marker(kind), {force: true});
		} catch (error) {
			console.warn(`${extraEngines[kind].down} failed: ${(error as {stderr?: string}).stderr?.trim() || String(error)}`);
		}
	}
}
