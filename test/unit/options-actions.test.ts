import {describe, expect, it} from 'vitest';
import {helpText} from '../../source/config/help.js';
import {checkArgv, checkConfig, resolveOptions} from '../../source/config/options.js';
import {UsageError} from '../../source/config/usage-error.js';

function usageMessage(fn: () => unknown): string {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(UsageError);
		const message = (error as Error).message;
		expect(message).not.toContain('\n');
		return message;
	}

	throw new Error('expected a UsageError, got none');
}

describe('action flags', () => {
	it('default to the runbook autoscale bounds, port 8000 and the 30 s drain', () => {
		expect(resolveOptions({}, {}, {})).toMatchObject({
			min: 2,
			max: 10,
			composeFile: undefined,
			lbRemoveCmd: undefined,
			lbRestoreCmd: undefined,
			appPort: 8000,
			drainTimeoutMs: 30_000,
			readOnly: false,
			dryRun: false,
			auditLog: undefined,
		});
	});

	it('take values from flags and the config file', () => {
		const options = resolveOptions(
			{min: '3', 'app-port': '8080', 'drain-timeout': '4.5', 'read-only': true, 'dry-run': true, 'audit-log': '/tmp/a.log'},
			{'compose-file': '/srv/va/docker-compose.yml', 'lb-remove-cmd': 'lb off', 'lb-restore-cmd': 'lb on', max: 6},
			{},
		);
		expect(options).toMatchObject({
			min: 3,
			max: 6,
			appPort: 8080,
			drainTimeoutMs: 4500,
			readOnly: true,
			dryRun: true,
			auditLog: '/tmp/a.log',
			composeFile: '/srv/va/docker-compose.yml',
			lbRemoveCmd: 'lb off',
			lbRestoreCmd: 'lb on',
		});
	});

	it('keeps hook commands as given (quotes and all)', () => {
		const cmd = `curl -s -X POST "http://127.0.0.1:9/pool/remove?name=$1" --data-urlencode 'a=b'`;
		expect(resolveOptions({'lb-remove-cmd': cmd, 'lb-restore-cmd': 'true'}, {}, {}).lbRemoveCmd).toBe(cmd);
	});

	it('refuse bad numbers with a one-line reason', () => {
		expect(usageMessage(() => resolveOptions({min: '0'}, {}, {}))).toBe('--min: expected a whole number of instances from 1 to 1000, got "0"');
		expect(usageMessage(() => resolveOptions({min: '2.5'}, {}, {}))).toContain('whole number');
		expect(usageMessage(() => resolveOptions({min: '1001', max: '1000'}, {}, {}))).toContain('--min');
		expect(usageMessage(() => resolveOptions({'app-port': '0'}, {}, {}))).toBe('--app-port: expected a port from 1 to 65535, got "0"');
		expect(usageMessage(() => resolveOptions({'app-port': '65536'}, {}, {}))).toContain('65535');
		expect(usageMessage(() => resolveOptions({'app-port': 'http'}, {}, {}))).toContain('--app-port');
		expect(usageMessage(() => resolveOptions({'drain-timeout': '0'}, {}, {}))).toBe('--drain-timeout: expected seconds from 1 to 3600, got "0"');
		expect(usageMessage(() => resolveOptions({'drain-timeout': '3601'}, {}, {}))).toContain('3600');
		expect(usageMessage(() => resolveOptions({}, {'drain-timeout': -5}, {}))).toContain('config "drain-timeout"');
	});

	it('refuse --min above --max', () => {
		expect(usageMessage(() => resolveOptions({min: '5', max: '4'}, {}, {}))).toBe('--min (5) is above --max (4), expected --min at or below --max');
		expect(usageMessage(() => resolveOptions({min: '11'}, {}, {}))).toContain('--min (11) is above --max (10)');
		expect(resolveOptions({min: '4', max: '4'}, {}, {})).toMatchObject({min: 4, max: 4});
	});

	it('want both balancer hooks or neither', () => {
		expect(usageMessage(() => resolveOptions({'lb-remove-cmd': 'x'}, {}, {}))).toContain('expected --lb-restore-cmd too');
		expect(usageMessage(() => resolveOptions({}, {'lb-restore-cmd': 'x'}, {}))).toContain('expected --lb-remove-cmd too');
		expect(usageMessage(() => resolveOptions({'lb-remove-cmd': '  ', 'lb-restore-cmd': 'y'}, {}, {}))).toContain('empty value');
	});

	it('allow --read-only with --dry-run', () => {
		expect(resolveOptions({'read-only': true, 'dry-run': true}, {}, {})).toMatchObject({readOnly: true, dryRun: true});
	});

	it('are known to argv checking and the config file', () => {
		expect(() => checkArgv(['--min', '3', '--max', '8', '--read-only', '--dry-run', '--app-port=8080', '--drain-timeout', '5', '--compose-file', 'c.yml', '--lb-remove-cmd', 'a', '--lb-restore-cmd', 'b', '--audit-log', 'x.log'])).not.toThrow();
		expect(usageMessage(() => checkArgv(['--read-only=yes']))).toContain('takes no value');
		expect(usageMessage(() => checkArgv(['--min']))).toBe('--min needs a value: a whole number of instances from 1 to 1000');
		expect(usageMessage(() => checkArgv(['--app-port']))).toBe('--app-port needs a value: a port from 1 to 65535');
		expect(usageMessage(() => checkArgv(['--lb-remove-cmd']))).toBe('--lb-remove-cmd needs a value: a shell command');
		expect(checkConfig('{"readOnly": true, "drainTimeout": 5, "lbRemoveCmd": "a", "lbRestoreCmd": "b"}', 'c.json')).toEqual({
			'read-only': true,
			'drain-timeout': 5,
			'lb-remove-cmd': 'a',
			'lb-restore-cmd': 'b',
		});
		expect(usageMessage(() => checkConfig('{"min": "3"}', 'c.json'))).toContain('"min" must be a number');
	});

	it('appear in --help under Actions', () => {
		const help = helpText();
		expect(help).toMatch(/^Actions$/m);
		for (const flag of ['--min N', '--compose-file FILE', '--lb-remove-cmd CMD', '--lb-restore-cmd CMD', '--app-port PORT', '--drain-timeout SECONDS', '--read-only', '--dry-run', '--audit-log FILE']) {
			expect(help).toContain(flag);
		}
	});
});
