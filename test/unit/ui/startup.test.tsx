// The start: readings that arrive before the clock's next tick are drawn at once, until a frame has them all;
// after that the clock alone makes frames, however often the sources say they changed.
import React from 'react';
import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {createMonitor} from '../../../source/core/monitor.js';
import {defaultThresholds} from '../../../source/core/thresholds.js';
import type {StackSnapshot} from '../../../source/core/types.js';
import {App} from '../../../source/ui/app.js';
import {completeSnapshot} from '../../../source/ui/hooks/use-monitor.js';
import {instance, MemoryStack, renderAt, settings, snapshot, t0, waitForFrame, sources} from '../../support/ui-fixtures.js';

afterEach(() => {
	cleanup();
});

/** A MemoryStack that, like the real Stack, tells its subscribers when a source's view changed. */
class NotifyingStack extends MemoryStack {
	private readonly listeners = new Set<() => void>();

	subscribe(listener: () => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	get subscribers(): number {
		return this.listeners.size;
	}

	set(next: StackSnapshot): void {
		this.current = next;
		for (const listener of [...this.listeners]) listener();
	}
}

function connecting(): StackSnapshot {
	const data = snapshot({docker: {kind: 'connecting', since: t0}, instances: []});
	return {...data, sources: {...data.sources, postgres: {...data.sources.postgres!, status: {kind: 'connecting', since: t0}, sample: null}}};
}

/** Docker listed the instances: memory is known, CPU needs a second reading. */
function memoryOnly(): StackSnapshot {
	return snapshot({instances: [instance('web-1', null, 50), instance('web-2', null, 52)]});
}

function full(): StackSnapshot {
	return snapshot({instances: [instance('web-1', 40, 50), instance('web-2', 45, 52)]});
}

// A clock far slower than any wait here: every frame after the first comes from the data, or not at all.
function mount(stack: MemoryStack) {
	return renderAt(<App stack={stack} monitor={createMonitor({sources, thresholds: defaultThresholds})} settings={settings({intervalMs: 60_000})} onQuit={() => {}} />, 80, 24);
}

describe('the start', () => {
	it('draws readings as they arrive, before the first tick of the clock', async () => {
		const stack = new NotifyingStack(connecting());
		const app = mount(stack);
		await waitForFrame(app, f => f.includes('docker: connecting'));
		const started = Date.now();
		stack.set(memoryOnly());
		await waitForFrame(app, f => /web-1\s+running\/healthy\s+-\s+50%/.test(f), 1000);
		stack.set(full());
		const frame = await waitForFrame(app, f => /web-1\s+running\/healthy\s+40%\s+50%/.test(f), 1000);
		expect(frame).toMatch(/web-2\s+running\/healthy\s+45%\s+52%/);
		expect(Date.now() - started).toBeLessThan(1000);
	});

	it('a burst of notifications makes one frame, not one each', async () => {
		const stack = new NotifyingStack(connecting());
		const app = mount(stack);
		await waitForFrame(app, f => f.includes('docker: connecting'));
		const reads = stack.reads;
		for (let i = 0; i < 50; i++) stack.set(memoryOnly());
		await waitForFrame(app, f => f.includes('web-1'), 1000);
		expect(stack.reads - reads).toBe(1);
	});

	it('once a frame has every reading, notifications no longer make frames and the listener is gone', async () => {
		const stack = new NotifyingStack(connecting());
		const app = mount(stack);
		stack.set(full());
		await waitForFrame(app, f => /web-1\s+running\/healthy\s+40%/.test(f), 1000);
		expect(stack.subscribers).toBe(0);
		const reads = stack.reads;
		stack.set(snapshot({instances: [instance('web-1', 77, 50), instance('web-2', 45, 52)]}));
		await new Promise(resolve => setTimeout(resolve, 200));
		expect(stack.reads).toBe(reads);
		expect(app.lastFrame()).not.toContain('77%');
	});

	it('a frame is complete when every source answered and every running instance has CPU and memory', () => {
		expect(completeSnapshot(connecting())).toBe(false);
		expect(completeSnapshot(memoryOnly())).toBe(false);
		expect(completeSnapshot(full())).toBe(true);
		// Stopped instances have no figures to wait for; a source that is down has answered too.
		const stopped = snapshot({instances: [instance('web-1', 40, 50), instance('web-2', null, null, {state: 'exited', health: 'none'})]});
		expect(completeSnapshot(stopped)).toBe(true);
		const redisDown = {...full(), sources: {...full().sources, redis: {...full().sources.redis!, status: {kind: 'unreachable' as const, reason: 'connection refused', since: t0}, sample: null}}};
		expect(completeSnapshot(redisDown)).toBe(true);
	});
});
