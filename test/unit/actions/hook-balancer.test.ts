// The hooks run a real `sh`: names and addresses reach them as arguments, never as shell code.
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {createHookBalancer, hookScript, runHook} from '../../../source/actions/hook-balancer.js';

let dir: string;
beforeEach(() => {
	dir = mkdtempSync(path.join(tmpdir(), 'va-hook-'));
});
afterEach(() => {
	rmSync(dir, {recursive: true, force: true});
});

describe('hookScript', () => {
	it('appends the two positional arguments, or puts them where the placeholders are', () => {
		expect(hookScript('lb-ctl remove')).toBe('lb-ctl remove "$1" "$2"');
		expect(hookScript('lb-ctl remove --name {name} --addr {address}')).toBe('lb-ctl remove --name "$1" --addr "$2"');
		expect(hookScript(`lb-ctl '{name}' "{address}"`)).toBe('lb-ctl "$1" "$2"');
	});
});

describe('runHook', () => {
	it('passes a hostile name as one literal argument: nothing in it runs', async () => {
		const out = path.join(dir, 'args');
		const pwned = path.join(dir, 'pwned');
		const name = `x"; touch ${pwned}; echo "$(touch ${pwned})\`touch ${pwned}\``;
		await runHook('--lb-remove-cmd', `printf '%s\\n' >> ${out}`, {name, address: '10.0.0.5:8000'});
		await runHook('--lb-remove-cmd', `printf '[%s|%s]\\n' {name} {address} >> ${out}`, {name, address: '10.0.0.5:8000'});
		expect(existsSync(pwned)).toBe(false);
		expect(readFileSync(out, 'utf8')).toBe(`${name}\n10.0.0.5:8000\n[${name}|10.0.0.5:8000]\n`);
	});

	it('gives the values in the environment too', async () => {
		const {stdout} = await runHook('--lb-remove-cmd', 'echo "$VA_TOP_INSTANCE $VA_TOP_ADDRESS" #', {name: 'app-3', address: '10.0.0.3:8000'});
		expect(stdout).toBe('app-3 10.0.0.3:8000\n');
	});

	it('reports a failure with the exit code and the last line, a hang as a timeout, secrets masked', async () => {
		await expect(runHook('--lb-remove-cmd', 'echo starting; echo "denied for postgres://ops:pw@db/x" >&2; exit 3 #', {name: 'a', address: 'b'})).rejects.toThrow(
			'--lb-remove-cmd exited 3: denied for postgres://ops:***@db/x',
		);
		await expect(runHook('--lb-restore-cmd', 'sleep 2 #', {name: 'a', address: 'b'}, {timeoutMs: 300})).rejects.toThrow('--lb-restore-cmd did not finish within 0.3 s and was killed');
	});

	it('as a balancer: remove, then restore with the same arguments', async () => {
		const out = path.join(dir, 'calls');
		const balancer = createHookBalancer({remove: `echo remove >> ${out}; echo`, restore: `echo restore >> ${out}; echo`});
		const handle = await balancer.remove({id: 'id', name: 'p-s-2', number: 2, state: 'running', health: 'none', createdAt: 0, aliases: [], address: 'p-s-2:8000'});
		expect(handle.description).toBe('--lb-remove-cmd ran for p-s-2 (p-s-2:8000)');
		expect(await handle.restore()).toBe('--lb-restore-cmd ran for p-s-2 (p-s-2:8000)');
		expect(readFileSync(out, 'utf8')).toBe('remove\nrestore\n');
	});
});
