import {describe, expect, it} from 'vitest';
import {
	crashLine,
	enterAlternateScreen,
	leaveAlternateScreen,
	openTerminalSession,
	showCursor,
} from '../../../source/ui/terminal/alternate-screen.js';
import {clearScreen, clipLine, frameUpdate, hideCursor, ScreenWriter, visibleWidth} from '../../../source/ui/terminal/screen-writer.js';
import {FakeProcess, FakeStdin, FakeTerminal} from '../../support/ui-fixtures.js';

const leave = showCursor + leaveAlternateScreen;

function count(text: string, part: string): number {
	return text.split(part).length - 1;
}

describe('frameUpdate', () => {
	it('paints the first frame in full from the top-left', () => {
		const update = frameUpdate(null, ['a', 'b'], 10, 5);
		expect(update.startsWith(clearScreen)).toBe(true);
		expect(update).toContain('\u001B[1;1Ha\u001B[K');
		expect(update).toContain('\u001B[2;1Hb\u001B[K');
	});

	it('rewrites only the lines that changed, at absolute rows', () => {
		expect(frameUpdate(['a', 'b', 'c'], ['a', 'B', 'c'], 10, 5)).toBe('\u001B[2;1HB\u001B[K');
		expect(frameUpdate(['a', 'b'], ['a', 'b'], 10, 5)).toBe('');
	});

	it('erases lines a shorter frame no longer uses', () => {
		expect(frameUpdate(['a', 'b', 'c'], ['a'], 10, 5)).toBe('\u001B[2;1H\u001B[K\u001B[3;1H\u001B[K');
	});

	it('never draws on the last row', () => {
		const update = frameUpdate(null, ['1', '2', '3', '4', '5'], 10, 4);
		expect(update).toContain('\u001B[3;1H3');
		expect(update).not.toContain('\u001B[4;1H');
	});

	it('does not erase after a full-width line (the cursor sits in the pending-wrap cell there)', () => {
		expect(frameUpdate(null, ['\u001B[31m12345\u001B[39m'], 5, 3)).toBe(`${clearScreen}\u001B[1;1H\u001B[31m12345\u001B[39m`);
		expect(visibleWidth('\u001B[1m▲▲ ok\u001B[22m')).toBe(5);
	});
});

describe('clipLine', () => {
	it('cuts to the width by cells, keeps colour codes, resets after a cut', () => {
		expect(clipLine('abc', 5)).toBe('abc');
		expect(clipLine('abcdef', 3)).toBe('abc\u001B[0m');
		expect(clipLine('\u001B[31m▲▲ hot\u001B[39m', 4)).toBe('\u001B[31m▲▲ h\u001B[0m');
		expect(visibleWidth(clipLine('x'.repeat(300), 120))).toBe(120);
	});

	it('a frame laid out for a wider pane (the render just after a shrink) never wraps', () => {
		const update = frameUpdate(null, ['y'.repeat(120), 'z'.repeat(80)], 50, 10);
		for (const line of update.split(/\u001B\[\d+;1H/).slice(1)) expect(visibleWidth(line.replace('\u001B[K', ''))).toBeLessThanOrEqual(50);
	});
});

describe('ScreenWriter', () => {
	it('hides the cursor, writes diffs, and repaints in full after a resize', () => {
		const terminal = new FakeTerminal(20, 6);
		const writer = new ScreenWriter(terminal, {maxFps: 0});
		expect(terminal.output).toBe(hideCursor);
		writer.write('one\ntwo');
		writer.write('one\nTWO');
		expect(terminal.output).toBe(`${hideCursor}${clearScreen}\u001B[1;1Hone\u001B[K\u001B[2;1Htwo\u001B[K\u001B[2;1HTWO\u001B[K`);
		let resized = 0;
		writer.on('resize', () => resized++);
		terminal.resize(30, 8);
		expect(resized).toBe(1);
		expect(writer.columns).toBe(30);
		expect(writer.rows).toBe(8);
		terminal.output = '';
		writer.write('one\nTWO');
		expect(terminal.output.startsWith(clearScreen)).toBe(true);
	});

	it('caps the frame rate: a burst shows its first frame at once and its last one after the gap', async () => {
		const terminal = new FakeTerminal(20, 6);
		const writer = new ScreenWriter(terminal, {maxFps: 20});
		writer.write('a');
		writer.write('b');
		writer.write('c');
		expect(terminal.output).toContain('a');
		expect(terminal.output).not.toContain('c');
		const deadline = Date.now() + 2000;
		while (!terminal.output.includes('c') && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 5));
		expect(terminal.output).toContain('c');
		expect(terminal.output).not.toContain('b');
		writer.close();
	});

	it('flushes the pending frame on close and writes nothing after', () => {
		const terminal = new FakeTerminal(20, 6);
		const writer = new ScreenWriter(terminal, {maxFps: 1});
		writer.write('first');
		writer.write('last');
		writer.close();
		expect(terminal.output).toContain('last');
		const before = terminal.output;
		writer.write('late');
		expect(terminal.output).toBe(before);
		expect(terminal.listenerCount('resize')).toBe(0);
	});
});

describe('ScreenWriter.draw', () => {
	it('takes a frame as lines: the same diff as a written frame, nothing when no line changed', () => {
		const terminal = new FakeTerminal(20, 6);
		const writer = new ScreenWriter(terminal, {maxFps: 0});
		writer.draw(['one', 'two', 'three']);
		terminal.output = '';
		writer.draw(['one', 'TWO', 'three']);
		expect(terminal.output).toBe('\u001B[2;1HTWO\u001B[K');
		terminal.output = '';
		writer.draw(['one', 'TWO', 'three']);
		expect(terminal.output).toBe('');
		// Ink's empty writes (its own tree is empty when the screen draws) carry no frame and erase nothing.
		writer.write('');
		expect(terminal.output).toBe('');
	});
});

describe('openTerminalSession', () => {
	function open(graceMs = 20) {
		const terminal = new FakeTerminal(80, 24);
		const stdin = new FakeStdin();
		const stderr = new FakeTerminal(80, 24);
		const proc = new FakeProcess();
		const calls: string[] = [];
		const session = openTerminalSession({
			stdout: terminal,
			stdin,
			stderr,
			proc,
			graceMs,
			teardown: () => calls.push(`teardown, output so far ends with leave: ${terminal.output.endsWith(leave)}`),
			onSignal: (code, signal) => calls.push(`signal ${signal} ${code}`),
		});
		return {terminal, stdin, stderr, proc, calls, session};
	}

	it('enters the alternate screen once at start', () => {
		const {terminal} = open();
		expect(terminal.output).toBe(enterAlternateScreen);
	});

	it.each([
		['SIGTERM', 143],
		['SIGINT', 130],
		['SIGHUP', 129],
	] as const)('%s: tears down, leaves once, raw mode off, reports %i and exits with it after the grace time', async (signal, code) => {
		const {terminal, stdin, proc, calls, session} = open();
		proc.emit(signal);
		// The caller disposes from inside the signal: the handler must stay, or signal-exit re-raises the signal.
		session.dispose();
		expect(proc.listenerCount(signal)).toBe(1);
		expect(calls).toEqual(['teardown, output so far ends with leave: false', `signal ${signal} ${code}`]);
		expect(count(terminal.output, leaveAlternateScreen)).toBe(1);
		expect(terminal.output.endsWith(leave)).toBe(true);
		expect(stdin.rawMode).toEqual([false]);
		const deadline = Date.now() + 2000;
		while (proc.exits.length === 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 5));
		expect(proc.exits).toEqual([code]);
	});

	it('a second signal while shutting down exits at once', () => {
		const {proc, calls} = open(60_000);
		proc.emit('SIGTERM');
		proc.emit('SIGINT');
		expect(calls.filter(call => call.startsWith('signal'))).toEqual(['signal SIGTERM 143']);
		expect(proc.exits).toEqual([130]);
	});

	it('an uncaught error: leaves first, then one line on stderr, exit 70', () => {
		const {terminal, stderr, proc} = open();
		proc.emit('uncaughtException', new Error('boom\n    at somewhere (file.js:1:1)'));
		expect(terminal.output.endsWith(leave)).toBe(true);
		expect(stderr.output).toBe('va-top: boom\n');
		expect(proc.exits).toEqual([70]);
	});

	it('an unhandled rejection is a crash too, with the stack only under VA_TOP_DEBUG', () => {
		const {stderr, proc} = open();
		proc.env['VA_TOP_DEBUG'] = '1';
		proc.emit('unhandledRejection', new Error('lost'));
		expect(stderr.output).toMatch(/^va-top: Error: lost\n\s+at /);
		expect(proc.exits).toEqual([70]);
	});

	it('process exit and repeated restores leave exactly once', () => {
		const {terminal, proc, session} = open();
		session.restore();
		proc.emit('exit', 0);
		session.restore();
		expect(count(terminal.output, leaveAlternateScreen)).toBe(1);
	});

	it('dispose removes every handler it installed', () => {
		const {proc, session, terminal} = open();
		session.dispose();
		for (const event of ['SIGINT', 'SIGTERM', 'SIGHUP', 'uncaughtException', 'unhandledRejection', 'exit']) {
			expect(proc.listenerCount(event), event).toBe(0);
		}

		expect(terminal.listenerCount('error')).toBe(0);
	});

	it('crashLine keeps to one line', () => {
		expect(crashLine(new Error('first\nsecond'), false)).toBe('va-top: first\n');
		expect(crashLine('text', false)).toBe('va-top: text\n');
	});
});
