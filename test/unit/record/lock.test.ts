// The writer's lock: one holder at a time, a dead holder's lock taken over, a live one respected.
import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, utimesSync} from 'node:fs';
import {hostname, tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {acquireLock, processStartTime} from '../../../source/record/lock.js';
import {historyBaseDir, stackPaths} from '../../../source/record/stack-paths.js';

let dir: string;
let file: string;
beforeEach(() => {
	dir = mkdtempSync(path.join(tmpdir(), 'va-top-lock-'));
	file = path.join(dir, 'lock');
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

function deadPid(): number {
	// A process that has run and exited: its pid names no one (until the kernel hands it out again).
	const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
	return Number(child.stdout.toString());
}

const lockOf = (fields: Record<string, unknown>) => JSON.stringify({host: hostname(), startTime: null, role: 'record', since: '', nonce: 'theirs', ...fields});

describe('the store lock', () => {
	it('is held by the first process, names it, and makes a second one a reader', () => {
		const first = acquireLock(file, 'record');
		expect(first.kind).toBe('held');
		expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({pid: process.pid, host: hostname(), role: 'record'});
		expect(statSync(file).mode & 0o777).toBe(0o600);

		const second = acquireLock(file, 'live');
		expect(second).toMatchObject({kind: 'busy', holder: {pid: process.pid}, reason: `va-top --record (pid ${process.pid}) records this stack`});

		if (first.kind === 'held') first.lock.release();
		expect(acquireLock(file, 'live').kind).toBe('held');
	});

	it('is taken over from a holder that died', () => {
		writeFileSync(file, lockOf({pid: deadPid()}));
		const result = acquireLock(file, 'live');
		expect(result.kind).toBe('held');
		expect(JSON.parse(readFileSync(file, 'utf8')).pid).toBe(process.pid);
	});

	it('is taken over when its pid now belongs to another process (started at another time)', () => {
		expect(processStartTime(process.pid)).toMatch(/^\d+$/);
		writeFileSync(file, lockOf({pid: process.pid, startTime: '1'}));
		expect(acquireLock(file, 'record').kind).toBe('held');
	});

	it('is respected when held from another host (va-top cannot tell whether that one runs)', () => {
		writeFileSync(file, lockOf({pid: deadPid(), host: 'some-other-host'}));
		expect(acquireLock(file, 'record')).toMatchObject({kind: 'busy', reason: expect.stringContaining('on some-other-host')});
	});

	it('waits for an unreadable lock being written, and takes over one left unreadable for long', () => {
		writeFileSync(file, '');
		expect(acquireLock(file, 'record').kind).toBe('busy');
		utimesSync(file, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
		expect(acquireLock(file, 'record').kind).toBe('held');
	});

	it('tells its holder when another process has taken it over', () => {
		const result = acquireLock(file, 'record');
		if (result.kind !== 'held') throw new Error('not held');
		expect(result.lock.stillOurs()).toBe(true);
		writeFileSync(file, lockOf({pid: 1}));
		expect(result.lock.stillOurs()).toBe(false);
		// And releasing leaves the other holder's lock alone
		result.lock.release();
		expect(JSON.parse(readFileSync(file, 'utf8')).nonce).toBe('theirs');
	});
});

describe('where a stack keeps its history', () => {
	it('is one folder per stack under $XDG_STATE_HOME/va-top, else ~/.local/state/va-top, else --history-dir', () => {
		expect(historyBaseDir(undefined, {XDG_STATE_HOME: '/var/lib/x'}, '/home/ops')).toBe('/var/lib/x/va-top');
		expect(historyBaseDir(undefined, {XDG_STATE_HOME: 'relative'}, '/home/ops')).toBe('/home/ops/.local/state/va-top');
		expect(historyBaseDir('/srv/h', {}, '/home/ops')).toBe('/srv/h');
		const a = stackPaths('/b', {project: 'va', service: 'web', endpoints: ['unix:///var/run/docker.sock']});
		const b = stackPaths('/b', {project: 'va', service: 'web', endpoints: ['ssh://ops@bastion']});
		expect(a.dir).toMatch(/^\/b\/stacks\/va__web-[0-9a-f]{12}$/);
		expect(a.dir).not.toBe(b.dir);
		expect(a.store).toBe(`${a.dir}/history.vtr`);
	});
});
