// A crash in the middle of an action still leaves its "began" line: the built code runs a drain in a child process
// whose balancer hook kills that very process (kill -9 of its parent), and the audit log is read afterwards.
import {execFile} from 'node:child_process';
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, describe, expect, it} from 'vitest';
import {tempDir} from './actions-fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = path.join(root, 'dist/source/actions');
const temp = tempDir('va-actions-crash-');

afterAll(() => temp.cleanup());

describe('audit log across a crash', () => {
	it('keeps the began line of an action whose process is killed mid-way', async () => {
		if (!existsSync(path.join(dist, 'action-runner.js'))) throw new Error(`${dist} is missing: run \`npm run build\` first (npm test does)`);
		const audit = path.join(temp.dir, 'audit.log');
		const script = path.join(temp.dir, 'crash.mjs');
		writeFileSync(
			script,
			`
import {createActionRunner} from ${JSON.stringify(path.join(dist, 'action-runner.js'))};
import {openAuditLog} from ${JSON.stringify(path.join(dist, 'audit-log.js'))};
import {createDemoBackend} from ${JSON.stringify(path.join(dist, 'demo-backend.js'))};
import {createHookBalancer} from ${JSON.stringify(path.join(dist, 'hook-balancer.js'))};
import {createDemoStack} from ${JSON.stringify(path.join(root, 'dist/source/sources/demo/demo-stack.js'))};
const stack = createDemoStack({project: 'va', service: 'app', intervalMs: 1000, seed: 1});
stack.docker.start();
const backend = createDemoBackend(stack, {appPort: 8000});
// The balancer step kills this process: the action is under way when it dies.
backend.balancer = async () => createHookBalancer({remove: 'kill -9 $PPID', restore: 'true'});
const runner = createActionRunner({backend, options: {min: 2, max: 10, readOnly: false, dryRun: false, appPort: 8000, drainTimeoutMs: 5000, dbThreshold: 80}, audit: openAuditLog({path: ${JSON.stringify(audit)}}), log: () => {}});
const instance = stack.docker.view().instances[2];
const plan = runner.planDrain(instance, {current: 3});
await runner.executeDrain(plan);
console.log('survived');
`,
		);
		const outcome = await new Promise<{signal: string | null; stdout: string}>((resolve) => {
			execFile(process.execPath, [script], {timeout: 20_000}, (error, stdout) => {
				resolve({signal: (error as {signal?: string} | null)?.signal ?? null, stdout});
			});
		});
		expect(outcome.signal).toBe('SIGKILL');
		expect(outcome.stdout).not.toContain('survived');
		const lines = readFileSync(audit, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
		expect(lines).toEqual([expect.objectContaining({action: 'drain', instance: 'va-app-3', result: 'began', from: 3, to: 2, duration: null})]);
	}, 30_000);
});
