// The one shared clock: a single setInterval reads the stack, ticks the monitor and sets state once.
// Stats messages may arrive many times a second; they only land in the stack's latest view, and the screen
// takes one snapshot per interval, so a frame costs one React update whatever the data rate.
import {markTick} from '../terminal/frame-profile.js';
import {useEffect, useRef, useState} from 'react';
import type {Level} from '../../core/assessment.js';
import type {Monitor, MonitorFrame} from '../../core/monitor.js';
import type {StackSnapshot} from '../../core/types.js';

/** All the screen needs of a stack: its latest snapshot. */
export interface SnapshotSource {
	snapshot(): StackSnapshot;
}

/** True when a frame enters IMMEDIATE: the bell rings on the way in, not on every frame that stays there. */
export function entersImmediate(previous: Level | undefined, next: Level): boolean {
	return next === 'IMMEDIATE' && previous !== 'IMMEDIATE';
}

export interface UseMonitorOptions {
	stack: SnapshotSource;
	monitor: Monitor;
	intervalMs: number;
	/** While paused readings go on (history, events, bell) but the shown frame stays. */
	paused: boolean;
	onEnterImmediate?: () => void;
}

export function useMonitor({stack, monitor, intervalMs, paused, onEnterImmediate}: UseMonitorOptions): MonitorFrame | undefined {
	const [frame, setFrame] = useState<MonitorFrame | undefined>(() => monitor.current());
	const pausedRef = useRef(paused);
	const latestRef = useRef<MonitorFrame | undefined>(monitor.current());
	const bellRef = useRef(onEnterImmediate);
	bellRef.current = onEnterImmediate;

	useEffect(() => {
		const tick = () => {
			markTick();
			const previous = latestRef.current?.assessment.level;
			const next = monitor.tick(stack.snapshot());
			latestRef.current = next;
			if (entersImmediate(previous, next.assessment.level)) bellRef.current?.();
			if (!pausedRef.current) setFrame(next);
		};

		tick();
		const timer = setInterval(tick, Math.max(100, intervalMs));
		return () => {
			clearInterval(timer);
		};
	}, [stack, monitor, intervalMs]);

	useEffect(() => {
		pausedRef.current = paused;
		// Resuming shows the newest frame at once rather than at the next tick.
		if (!paused && latestRef.current) setFrame(latestRef.current);
	}, [paused]);

	return frame;
}
