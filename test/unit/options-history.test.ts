// The flags of the recorder, the snapshot and the alerting formats: what they take, and what they refuse.
import {describe, expect, it} from 'vitest';
import {checkArgv, resolveOptions} from '../../source/config/options.js';
import {UsageError} from '../../source/config/usage-error.js';

function usageMessage(fn: () => unknown): string {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(UsageError);
		return (error as Error).message;
	}

	throw new Error('expected a UsageError, got none');
}

describe('history, snapshot and format flags', () => {
	it('default to recording on, text, and the state directory', () => {
		expect(resolveOptions({}, {}, {})).toMatchObject({record: false, history: true, historyDir: undefined, snapshotDir: undefined, format: 'text', output: undefined, snapshotFile: undefined});
	});

	it('take --record, --no-history, --history-dir and --snapshot-dir (also from the config file)', () => {
		checkArgv(['--record', '--history-dir', '/srv/h']);
		checkArgv(['--no-history']);
		expect(resolveOptions({record: true, 'history-dir': '/srv/h'}, {}, {})).toMatchObject({record: true, historyDir: '/srv/h'});
		expect(resolveOptions({}, {history: false, 'snapshot-dir': '/tmp/s'}, {})).toMatchObject({history: false, snapshotDir: '/tmp/s'});
	});

	it('take --once --format nagios|prometheus|json|text, with --json the same as --format json', () => {
		for (const format of ['text', 'json', 'nagios', 'prometheus']) expect(resolveOptions({once: true, format}, {}, {}).format).toBe(format);
		expect(resolveOptions({once: true, json: true}, {}, {}).format).toBe('json');
		expect(resolveOptions({once: true, json: true, format: 'json'}, {}, {}).format).toBe('json');
		expect(resolveOptions({once: true, output: '/tmp/x.prom', snapshot: '/tmp/inc'}, {}, {})).toMatchObject({output: '/tmp/x.prom', snapshotFile: '/tmp/inc'});
	});

	it('refuse what does not go together, in one line naming what was expected', () => {
		expect(usageMessage(() => resolveOptions({once: true, format: 'xml'}, {}, {}))).toBe('--format: "xml" is not a format, expected text, json, nagios or prometheus');
		expect(usageMessage(() => resolveOptions({once: true, json: true, format: 'nagios'}, {}, {}))).toBe('--json is --format json, expected one of them (got --format nagios)');
		expect(usageMessage(() => resolveOptions({format: 'nagios'}, {}, {}))).toBe('--format goes with --once, expected --once --format …');
		expect(usageMessage(() => resolveOptions({output: 'x'}, {}, {}))).toBe('--output goes with --once, expected --once --output …');
		expect(usageMessage(() => resolveOptions({snapshot: 'x'}, {}, {}))).toBe('--snapshot goes with --once, expected --once --snapshot …');
		expect(usageMessage(() => resolveOptions({record: true, once: true}, {}, {}))).toBe('--record and --once are two ways to run, expected one of them');
		expect(usageMessage(() => resolveOptions({record: true, demo: true}, {}, {}))).toBe('--record keeps the history of a real stack, expected no --demo');
		expect(usageMessage(() => resolveOptions({record: true, history: false}, {}, {}))).toBe('--record with --no-history would record nothing, expected one of them');
		expect(usageMessage(() => checkArgv(['--record=yes']))).toBe('--record takes no value, got "yes"');
		expect(usageMessage(() => checkArgv(['--history-dir']))).toBe('--history-dir needs a value: a directory path');
	});
});
