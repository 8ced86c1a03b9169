// What the rules conclude. The one-shot check prints it; the live monitor draws it.
import type {ThresholdUnit} from './source-model.js';

export type Level = 'OK' | 'SOON' | 'IMMEDIATE';

/** UNKNOWN: a source could not be read, so part of the stack is not assessed. */
export type ConcernLevel = 'SOON' | 'IMMEDIATE' | 'UNKNOWN';

/** The level the headline and --once show: UNKNOWN when a source the verdict depends on cannot be read (see overallOf in rules.ts). */
export type OverallLevel = Level | 'UNKNOWN';

/**
 * `service`, `instance` and `source` (reachability) are core's; each source names its own (`database`, `redis`,
 * `pool`, `queue`, …). Stable: the JSON report carries it.
 */
export type ConcernScope = 'service' | 'instance' | 'source' | (string & {});

/** `cpu`, `memory`, `state`, `reachability` are core's; sources add theirs (`connections`, `redis-memory`, …). */
export type ConcernMetric = 'cpu' | 'memory' | 'state' | 'reachability' | (string & {});

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
	/** Short metric word for compact text (`db conn`, `redis mem`); default: the metric. Not in the JSON. */
	label?: string;
	/** Unit of value and threshold (default percent). */
	unit?: ThresholdUnit;
	/** The threshold and value the breach began at (live): its end names the same threshold. */
	began?: {threshold: number; value: number; since: number};
	/** The id of the source whose rules raised it (set by core); absent for the workload's and reachability. */
	source?: string;
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
	/**
	 * Epoch ms of the oldest reading the verdict used (the workload's stats and every source that answered), null when
	 * none: the header's "data Ns old". Optional for hand-made assessments.
	 */
	oldestDataAt?: number | null;
}
