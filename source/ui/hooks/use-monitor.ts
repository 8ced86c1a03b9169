// The one shared clock: a single setInterval reads the stack, ticks the monitor and sets state once.
// Stats messages may arrive many times a second; they only land in the stack's latest view, and the screen
// takes one snapshot per interval, so a frame costs one React update whatever the data rate.
// Until the first frame has every reading (the start), new data is drawn as it arrives instead of at the next tick:
// the first CPU figures come ~0.3 s after the start, and waiting for the clock would show them up to a second late.
import {markTick} from '../terminal/frame-profile.js';
import {useEffect, useRef, useState} from 'react';
import type {Level} from '../../core/assessment.js';
import type {Monitor, MonitorFrame} from '../../core/monitor.js';
import type {StackSnapshot} from '../../core/types.js';

/** All the screen needs of a stack: its latest snapshot, and (optionally) word when it changed. */
export interface SnapshotSource {
	snapshot(): StackSnapshot;
	/** Called after a source's view changed (the Stack's subscribe); without it frames come on the clock only. */
	subscribe?(listener: () => void): () => void;
	/** Which instances are on screen (the real stack reads those first); optional for sources that do not care. */
	focus?(ids: readonly string[] | null): void;
}

/** Notifications come in bursts (one per container read): they are drawn together this long after the first. */
export const startupCoalesceMs = 15;
/** The start ends when a frame is complete, or after this long whatever is still missing (a source never answering). */
export const startupLimitMs = 10_000;

/** True when a frame enters IMMEDIATE: the bell rings on the way in, not on every frame that stays there. */
export function entersImmediate(previous: Level | undefined, next: Level): boolean {
	return next === 'IMMEDIATE' && previous !== 'IMMEDIATE';
}

/** Every source has answered (data or an error) and every running instance has its CPU and memory figures. */
export function completeSnapshot(snapshot: StackSnapshot): boolean {
	const {docker} = snapshot;
	if (docker.status.kind === 'connecting' || Object.values(snapshot.sources).some(reading => reading.status.kind === 'connecting')) return false;
	return docker.instances.every(instance => instance.state !== 'running' || instance.notAssessed !== undefined || (instance.cpuPercent !== null && instance.memPercent !== null));
}

export interface UseMonitorOptions {
	stack: SnapshotSource;
	monitor: Monitor;
	intervalMs: number;
	/** While paused readings go on (history, events, bell) but the shown frame stays. */
	paused: boolean;
	onEnterImmediate?: () => void;
	/** Every frame, paused or not (the autoscaler's policy moves on with the readings). */
	onFrame?: (frame: MonitorFrame) => void;
}

export function useMonitor({stack, monitor, intervalMs, paused, onEnterImmediate, onFrame}: UseMonitorOptions): MonitorFrame | undefined {
	const [frame, setFrame] = useState<MonitorFrame | undefined>(() => monitor.current());
	const pausedRef = useRef(paused);
	// Set while rendering, not in an effect: a tick between the commit and the effect would show a frame while paused.
	pausedRef.current = paused;
	const latestRef = useRef<MonitorFrame | undefined>(monitor.current());
	const bellRef = useRef(onEnterImmediate);
	bellRef.current = onEnterImmediate;
	const frameRef = useRef(onFrame);
	frameRef.current = onFrame;

	useEffect(() => {
		const startedAt = Date.now();
		let starting = stack.subscribe !== undefined;
		let early: NodeJS.Timeout | undefined;
		let unsubscribe = () => {};

		const tick = () => {
			markTick();
			const previous = latestRef.current?.assessment.level;
			const next = monitor.tick(stack.snapshot());
			latestRef.current = next;
			if (entersImmediate(previous, next.assessment.level)) bellRef.current?.();
			frameRef.current?.(next);
			if (!pausedRef.current) setFrame(next);
			if (starting && (completeSnapshot(next.snapshot) || Date.now() - startedAt >= startupLimitMs)) stopStarting();
		};

		const stopStarting = () => {
			starting = false;
			clearTimeout(early);
			early = undefined;
			unsubscribe();
		};

		if (stack.subscribe) {
			unsubscribe = stack.subscribe(() => {
				if (!starting || early !== undefined) return;
				early = setTimeout(() => {
					early = undefined;
					if (starting) tick();
				}, startupCoalesceMs);
			});
		}

		tick();
		const timer = setInterval(tick, Math.max(100, intervalMs));
		return () => {
			clearInterval(timer);
			stopStarting();
		};
	}, [stack, monitor, intervalMs]);

	useEffect(() => {
		pausedRef.current = paused;
		// Resuming shows the newest frame at once rather than at the next tick.
		if (!paused && latestRef.current) setFrame(latestRef.current);
	}, [paused]);

	return frame;
}
