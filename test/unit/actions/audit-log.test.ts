import {chmodSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {AuditLogError, defaultAuditLogPath, openAuditLog} from '../../../source/actions/audit-log.js';

let dir: string;
beforeEach(() => {
	dir = mkdtempSync(path.join(tmpdir(), 'va-audit-'));
});
afterEach(() => {
	rmSync(dir, {recursive: true, force: true});
});

const entry = {action: 'scale' as const, instance: null, from: 2, to: 3, result: 'began' as const, duration: null, error: null};

describe('defaultAuditLogPath', () => {
	it('uses XDG_STATE_HOME when absolute, else ~/.local/state', () => {
		expect(defaultAuditLogPath({XDG_STATE_HOME: '/var/state'}, '/home/op')).toBe('/var/state/va-top/audit.log');
		expect(defaultAuditLogPath({XDG_STATE_HOME: 'relative'}, '/home/op')).toBe('/home/op/.local/state/va-top/audit.log');
		expect(defaultAuditLogPath({}, '/home/op')).toBe('/home/op/.local/state/va-top/audit.log');
	});
});

describe('openAuditLog', () => {
	it('creates nothing until the first write, then a 0700 directory and a 0600 file', () => {
		const file = path.join(dir, 'state', 'va-top', 'audit.log');
		const log = openAuditLog({env: {XDG_STATE_HOME: path.join(dir, 'state')}, now: () => Date.UTC(2025, 10, 27, 12), user: 'op', host: 'bastion'});
		expect(log.path).toBe(file);
		expect(() => statSync(path.dirname(file))).toThrow();
		log.write(entry);
		log.write({...entry, result: 'ok', duration: 1234.4});
		log.close();
		expect(statSync(file).mode & 0o777).toBe(0o600);
		expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
		const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
		expect(lines).toEqual([
			{time: '2025-11-27T12:00:00.000Z', user: 'op', host: 'bastion', action: 'scale', instance: null, instances: null, from: 2, to: 3, result: 'began', duration: null, error: null},
			{time: '2025-11-27T12:00:00.000Z', user: 'op', host: 'bastion', action: 'scale', instance: null, instances: null, from: 2, to: 3, result: 'ok', duration: 1234, error: null},
		]);
	});

	it('appends to what is there and never rewrites it', () => {
		const file = path.join(dir, 'audit.log');
		writeFileSync(file, 'earlier line\n', {mode: 0o600});
		const log = openAuditLog({path: file});
		log.write(entry);
		log.close();
		const second = openAuditLog({path: file});
		second.write({...entry, result: 'ok', duration: 5});
		second.close();
		const text = readFileSync(file, 'utf8');
		expect(text.startsWith('earlier line\n')).toBe(true);
		expect(text.trimEnd().split('\n')).toHaveLength(3);
	});

	it('refuses a log open to others, a symlink, and writes nothing there', () => {
		const wide = path.join(dir, 'wide.log');
		writeFileSync(wide, '');
		chmodSync(wide, 0o644);
		const log = openAuditLog({path: wide});
		expect(() => log.write(entry)).toThrow(AuditLogError);
		expect(() => log.write(entry)).toThrow(/mode 0644.*chmod 600/);
		expect(readFileSync(wide, 'utf8')).toBe('');
		expect(statSync(wide).mode & 0o777).toBe(0o644);

		const target = path.join(dir, 'target');
		writeFileSync(target, '', {mode: 0o600});
		const link = path.join(dir, 'link.log');
		symlinkSync(target, link);
		expect(() => openAuditLog({path: link}).write(entry)).toThrow(/symbolic link/);
		expect(readFileSync(target, 'utf8')).toBe('');
	});

	it('keeps passwords out: URL passwords and the given secrets are masked, errors are one line', () => {
		const file = path.join(dir, 'audit.log');
		const log = openAuditLog({path: file, secrets: ['hunter22']});
		log.write({...entry, result: 'failed', duration: 10, error: 'hook said: postgres://ops:s3cret@db/va failed\nsecond line with hunter22'});
		log.close();
		const text = readFileSync(file, 'utf8');
		expect(text).not.toContain('s3cret');
		expect(text).not.toContain('hunter22');
		expect((JSON.parse(text) as {error: string}).error).toBe('hook said: postgres://ops:***@db/va failed second line with ***');
	});
});
