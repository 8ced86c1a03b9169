// renderLive end to end on a fake terminal: alternate screen in and out, exit codes, bell, crash report.
import {describe, expect, it} from 'vitest';
import {defaultThresholds} from '../../../source/core/thresholds.js';
import type {StackSnapshot} from '../../../source/core/types.js';
import {renderLive, type LiveOptions} from '../../../source/ui/render-live.js';
import {enterAlternateScreen, leaveAlternateScreen, showCursor} from '../../../source/ui/terminal/alternate-screen.js';
import {FakeProcess, FakeStdin, FakeTerminal, MemoryStack, snapshot} from '../../support/ui-fixtures.js';

const options: LiveOptions = {
	project: 'voiceassist',
	service: 'voiceassist-server',
	dockerHost: undefined,
	thresholds: defaultThresholds,
	intervalMs: 100,
	max: 10,
	bell: true,
	color: false,
};

function start(overrides: Partial<LiveOptions> = {}, stack = new MemoryStack(snapshot())) {
	const stdout = new FakeTerminal(80, 24);
	const stderr = new FakeTerminal(80, 24);
	const stdin = new FakeStdin();
	const proc = new FakeProcess();
	const exit = renderLive({
		stack,
		options: {...options, ...overrides},
		stdout: stdout as unknown as NodeJS.WriteStream,
		stderr: stderr as unknown as NodeJS.WriteStream,
		stdin: stdin as unknown as NodeJS.ReadStream,
		proc,
		env: {},
	});
	return {stdout, stderr, stdin, proc, stack, exit};
}

async function until(check: () => boolean, what: string): Promise<void> {
	const deadline = Date.now() + 3000;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise(resolve => setTimeout(resolve, 5));
	}
}

function count(text: string, part: string): number {
	return text.split(part).length - 1;
}

describe('renderLive', () => {
	it('draws in the alternate screen and q leaves it once, cursor shown, raw mode off, code 0', async () => {
		const live = start();
		await until(() => live.stdout.output.includes('OK: Current capacity is adequate'), 'the first frame');
		expect(live.stdout.output.startsWith(enterAlternateScreen)).toBe(true);
		expect(live.stdin.rawMode).toContain(true);
		live.stdin.write('q');
		expect(await live.exit).toBe(0);
		expect(live.stdout.output.endsWith(showCursor + leaveAlternateScreen)).toBe(true);
		expect(count(live.stdout.output, leaveAlternateScreen)).toBe(1);
		expect(live.stdin.rawMode.at(-1)).toBe(false);
		expect(live.proc.listenerCount('SIGTERM')).toBe(0);
		expect(live.stdout.listenerCount('resize')).toBe(0);
	});

	it('Ctrl-C resolves 130, SIGTERM 143, SIGHUP 129', async () => {
		const ctrlC = start();
		await until(() => ctrlC.stdout.output.includes('web-1'), 'a frame');
		ctrlC.stdin.write('\u0003');
		expect(await ctrlC.exit).toBe(130);
		for (const [signal, code] of [['SIGTERM', 143], ['SIGHUP', 129]] as const) {
			const live = start();
			await until(() => live.stdout.output.includes('web-1'), 'a frame');
			live.proc.emit(signal);
			expect(await live.exit).toBe(code);
			expect(live.stdout.output.endsWith(showCursor + leaveAlternateScreen)).toBe(true);
			expect(count(live.stdout.output, leaveAlternateScreen)).toBe(1);
		}
	});

	it('rings the bell once on entering IMMEDIATE, and never with --no-bell', async () => {
		for (const bell of [true, false]) {
			const stack = new MemoryStack(snapshot({db: 95}));
			const live = start({bell}, stack);
			await until(() => live.stdout.output.includes('IMMEDIATE: Scale database'), 'the IMMEDIATE frame');
			const reads = stack.reads;
			await until(() => stack.reads >= reads + 3, 'three more ticks');
			expect(count(live.stdout.output, '\u0007'), `bell ${bell}`).toBe(bell ? 1 : 0);
			live.stdin.write('q');
			await live.exit;
		}
	});

	it('after the first frame only changed lines are written', async () => {
		const stack = new MemoryStack(snapshot());
		const live = start({}, stack);
		await until(() => live.stdout.output.includes('web-1'), 'a frame');
		const reads = stack.reads;
		await until(() => stack.reads >= reads + 2, 'two ticks');
		const mark = live.stdout.output.length;
		stack.current = snapshot({instances: [...snapshot().docker.instances.slice(0, 2), {...snapshot().docker.instances[2]!, cpuPercent: 77, sampledAt: snapshot().at + 1}]});
		await until(() => live.stdout.output.slice(mark).includes('77%'), 'the changed row');
		const update = live.stdout.output.slice(mark);
		// The header, footer and other rows did not change: a fraction of the 23-line frame is sent.
		expect(update).not.toContain('va-top');
		expect(update).not.toContain('q quit');
		expect(update.length).toBeLessThan(1200);
		live.stdin.write('q');
		await live.exit;
	});

	it('a render error leaves the screen first, then prints one line and resolves 70', async () => {
		const broken = new MemoryStack({...snapshot(), docker: {...snapshot().docker, instances: null as unknown as StackSnapshot['docker']['instances']}});
		const live = start({}, broken);
		expect(await live.exit).toBe(70);
		expect(live.stdout.output.endsWith(showCursor + leaveAlternateScreen)).toBe(true);
		expect(live.stderr.output).toMatch(/^va-top: [^\n]+\n$/);
	});
});
