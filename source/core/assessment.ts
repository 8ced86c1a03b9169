// What the rules conclude. The one-shot check prints it; the live monitor draws it.

export type Level = 'OK' | 'SOON' | 'IMMEDIATE';

/** UNKNOWN: a source could not be read, so part of the stack is not assessed. */
export type ConcernLevel = 'SOON' | 'IMMEDIATE' | 'UNKNOWN';

export type ConcernScope = 'service' | 'instance' | 'database' | 'redis' | 'source';

export type ConcernMetric = 'cpu' | 'memory' | 'connections' | 'redis-memory' | 'state' | 'reachability';

export interface Sustain {
	/** Epoch ms when the value first went over the threshold. */
	since: number;
	heldSeconds: number;
	requiredSeconds: number;
	/** The breach began before this va-top started: its clock was replayed from the recorded history. */
	beforeStart?: boolean;
}

export interface Concern {
	level: ConcernLevel;
	scope: ConcernScope;
	/** Stable across readings, e.g. `service.cpu`, `instance.cpu:web-2`, `source:postgres`: the event log keys on it. */
	key: string;
	/** Service, instance, `postgres` or `redis`. */
	subject: string;
	metric: ConcernMetric;
	/** Percent, or null where there is no number (state, reachability). */
	value: number | null;
	threshold: number | null;
	/** What to do, in the runbook's words where it has them. */
	action: string;
	/** One line that says it all, e.g. `service CPU 84% > 80%: Scale application horizontally`. */
	message: string;
	/**
	 * For a sustained rule: its clock. Under its duration (SOON) the way towards IMMEDIATE; past it (IMMEDIATE) how long
	 * the breach has held. Absent when no duration applies (`--once` without recorded history).
	 */
	sustain?: Sustain;
}

export interface Assessment {
	at: number;
	/** Worst of the SOON/IMMEDIATE concerns; OK when none. */
	level: Level;
	/** True when a source could not be read. */
	unknown: boolean;
	/** Every concern that holds, worst first. */
	concerns: Concern[];
	/** Service averages over running instances with numbers, null when there are none. */
	averages: {cpuPercent: number | null; memPercent: number | null};
}
