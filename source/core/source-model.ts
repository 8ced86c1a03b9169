// What every source gives the pure side (rules, report, --once, header, history, charts), whatever it reads.
// A source is one folder under source/sources/<id>/ whose index.ts exports a SourceKind (source/sources/source-kind.ts),
// which extends this SourceModel with its flags and its collector. Core loops over a list of models handed in by
// the composition root (commands/, the demo); it never imports the registry.
import type {Concern} from './assessment.js';
import type {ValueFormat} from './format.js';
import type {Judge} from './threshold-judge.js';
import type {Thresholds} from './thresholds.js';
import type {SourceStatus} from './types.js';

export type {SourceStatus} from './types.js';

/** Every sample says when it was read (epoch ms, our clock): data age, staleness and history key on it. */
export interface SampleBase {
	at: number;
}

/** One source's latest state: what its collector's view() returns. */
export interface SourceReading<Sample = unknown> {
	/** Where it reads, without credentials: `127.0.0.1:5432`, `demo://redis`. */
	endpoint: string;
	status: SourceStatus;
	/** The last good sample, kept while the source is down (shown as stale or reconnecting); null before the first. */
	sample: Sample | null;
}

/**
 * One word per state, the same for every source:
 * - connecting: no answer yet since start;
 * - ok: answering, its newest data younger than staleAfterMs;
 * - stale: status ok, but the newest data is older than staleAfterMs (derived here, never set by a collector);
 * - reconnecting: it answered before, now fails; its last sample is kept on screen;
 * - unreachable: it never answered since start (or lost its last sample); always with a reason.
 */
export type SourceHealth = 'ok' | 'stale' | 'connecting' | 'reconnecting' | 'unreachable';

/** A source is stale when its newest data is older than three readings, and never sooner than 3 s. */
export function staleAfterMs(intervalMs: number): number {
	return Math.max(3 * intervalMs, 3000);
}

/** The health word for a status and the time of its newest data (null: none). */
export function healthOf(status: SourceStatus, dataAt: number | null, now: number, intervalMs: number): SourceHealth {
	if (status.kind !== 'ok') return status.kind;
	const at = dataAt ?? status.at;
	return now - at > staleAfterMs(intervalMs) ? 'stale' : 'ok';
}

/** The sample the rules may judge: only while the source answers (a kept sample of a failing source is not judged). */
export function usableSample<Sample>(reading: SourceReading<Sample> | undefined): Sample | null {
	return reading !== undefined && reading.status.kind === 'ok' ? reading.sample : null;
}

/** The reason a source gives no usable data, or null when it answers. */
export function readingError(status: SourceStatus): string | null {
	if (status.kind === 'unreachable' || status.kind === 'reconnecting') return status.reason;
	if (status.kind === 'connecting') return 'no answer yet';
	return null;
}

/**
 * Units a threshold can be given in. Values are kept in the unit's base:
 * - percent: 0..100 (`80`);
 * - time: milliseconds, given as `2s`, `1500ms`, `1m`, or a bare number of seconds;
 * - bytes: given as `16MB`, `512K`, `1G` (binary: K = 1024) or a bare number of bytes;
 * - count: a whole number (`1000`);
 * - seconds: a duration in seconds, given as `600`, `90s`, `10m`, `1h`.
 */
export type ThresholdUnit = 'percent' | 'time' | 'bytes' | 'count' | 'seconds';

/**
 * One threshold a source (or the workload) judges against. The flag table, config-file keys, --help, the exit-64
 * validation and the merged Thresholds record are all generated from these.
 */
export interface ThresholdSpec {
	/** Key in the merged Thresholds record, camelCase and unique across sources: `dbImmediate`. */
	key: string;
	/** Flag and config-file key, kebab-case: `db-immediate` (→ `--db-immediate`). */
	flag: string;
	unit: ThresholdUnit;
	/** The default in the unit's base (see ThresholdUnit). */
	defaultValue: number;
	/** One line for --help. */
	description: string;
	/** For a SOON threshold: the key of its IMMEDIATE partner; validation then requires this ≤ that. */
	soonOf?: string;
	/** Accepted range in the unit's base; defaults: percent 0..100, count 0..1e9, time and seconds up to 24 h. */
	min?: number;
	max?: number;
}

/** The colours a chart line may take (a subset of the screen's palette). */
export type ChartColor = 'green' | 'yellow' | 'red' | 'magenta' | 'cyan' | 'blue' | 'white';

/** One chart a source contributes. The screen draws it on `page` (1 = the first screen, with CPU and MEM). */
export interface SourceChartSpec<Sample = unknown> {
	/** Unique across all charts (caches key on it): `db`, `redis`, `http-p95`. */
	key: string;
	/** 1-based. Page 1 holds the workload's CPU and MEM and the first sources' charts; `c` cycles pages. */
	page: number;
	/** Name of the series this source records (see SourceModel.series); the history key is `${id}:${series}`. */
	series: string;
	/** Title before the current value: `DB conn`, `REDIS mem`. */
	label: string;
	/** The current value for the title, leading space included: ` 20/100 20%`. Shown as ` no data` without a sample. */
	now(sample: Sample, format: ValueFormat): string;
	/** Key in the merged Thresholds record whose value is drawn as the threshold line (same unit as the series). */
	threshold: string;
	/** The concern key whose mark (▲, ▲▲ and a sustain timer) the title carries: `database.connections`. */
	concernKey?: string;
	lineColor: ChartColor;
	/** Upper end of the y axis when the values are not percents (the screen scales to the data otherwise). */
	ceiling?: number;
}

/** A happening a source reports (not a breach): `redis master moved 10.0.0.5:6379 → 10.0.0.6:6379`. */
export interface SourceEvent {
	level: 'INFO' | 'SOON' | 'IMMEDIATE';
	/** Stable, e.g. `redis.failover`: the event log keys on it. */
	key: string;
	text: string;
}

/** What a source's rules get besides its reading. */
export interface ConcernContext {
	/** The merged thresholds: every spec's key (read with thresholdOf for a default when a key is missing). */
	thresholds: Thresholds;
	/** The shared threshold judge: hysteresis, sustain timers, true comparisons. Use it for every threshold. */
	judge: Judge;
	/** True for --once: no history, so no sustain and no hysteresis (the judge knows; messages may say so). */
	oneShot: boolean;
	project: string;
	service: string;
	/** The evaluation's time (epoch ms). */
	now: number;
}

/**
 * One column a source adds to the instance table (the access log's p95 and 5xx %). The table shows it only while
 * cells() gives a map: null means the source has no such figure now (not configured, down, or the log lacks it).
 */
export interface InstanceColumnSpec<Sample = unknown> {
	/** Unique across sources: `http-p95`. */
	key: string;
	/** Column heading, at most `width` characters: `P95`. */
	header: string;
	/** Cells are right-aligned to this width. */
	width: number;
	/** Cell text by instance name (`2.3s`, `12%`); an instance missing from the map shows `-`. */
	cells(sample: Sample): ReadonlyMap<string, string> | null;
	/** The concern key whose mark (▲, ▲▲) a cell carries: `instance.latency-p95:${name}`. */
	concernKey(instanceName: string): string;
}

/** What a source adds to the one-shot report. */
export interface SourceReportPart<Sample = unknown> {
	/** Key in the --once JSON; defaults to the source's id. A source not configured is `null` there. */
	key?: string;
	/** The source's JSON object. `usable` is the sample when the source answers, else null (fields then null). */
	json(reading: SourceReading<Sample>, usable: Sample | null): unknown;
	/**
	 * Text lines for a usable sample, indented by two spaces (`  Connections: 12/100 (12%), active: 3`). The heading
	 * (`${title}: ${endpoint}`) and the error line (`  ${id}: connection refused…`) are written by the report.
	 */
	lines(sample: Sample): string[];
}

/** The simulated source for `--demo`: a pure function of the simulation's state, called once per interval. */
export interface DemoHook<Sample = unknown> {
	/** The endpoint shown for it: `demo://postgres`. */
	endpoint: string;
	/** Its sample at `at`; `world` is the demo's shared state (elapsed time, instances, seed: see sources/demo). */
	sample(world: DemoWorld, at: number): Sample | null;
}

/** What the demo shares with every source's simulation. Pure data, so a hook is a pure function of it. */
export interface DemoWorld {
	seed: number;
	/** ms since the demo began (the load cycle is 180 s). */
	elapsedMs: number;
	project: string;
	service: string;
	/** The simulated instances now, with their phase and CPU. */
	instances: ReadonlyArray<{name: string; number: number; phase: 'created' | 'booting' | 'serving' | 'draining' | 'exited'; cpuPercent: number | null}>;
}

/**
 * The pure part of a source. Everything here is a pure function of its arguments: no I/O, no clock, no state.
 * `Sample` is what its collector reads (a plain object with `at`).
 */
export interface SourceModel<Sample extends SampleBase = SampleBase> {
	/** Stable, lowercase, used in keys, JSON, status words and concern subjects: `postgres`, `redis`, `pgbouncer`. */
	id: string;
	/** Heading of its section in the --once text: `Database`, `Redis`. */
	title: string;
	/** Thresholds it judges against; merged into the one table (flags, config, --help, Thresholds). */
	thresholds: readonly ThresholdSpec[];
	/** Numbers recorded for charts and trends per sample, by series name; stored at sample.at as `${id}:${name}`. */
	series?(sample: Sample): Record<string, number>;
	/** Concerns from a usable sample (status ok). Reachability (UNKNOWN) is raised by core for every source. */
	concerns(sample: Sample, context: ConcernContext): Concern[];
	report: SourceReportPart<Sample>;
	/** Compact text for the header's status line when healthy (`pool 3 waiting`); without it: `${id} ok`. */
	summary?(sample: Sample, format: ValueFormat): string;
	charts?: ReadonlyArray<SourceChartSpec<Sample>>;
	/**
	 * Charts that depend on the sample, e.g. one per node of a tier. The screen puts them on pages of their own after
	 * the numbered ones, four to a page, in this order; their `page` is ignored.
	 */
	chartsFor?(sample: Sample): ReadonlyArray<SourceChartSpec<Sample>>;
	/**
	 * What happened between two usable samples that no threshold says (a failover, a promotion): each logged once in
	 * the live monitor's event log. `previous` is the last usable sample before `next`.
	 */
	events?(previous: Sample, next: Sample): SourceEvent[];
	/**
	 * For --once: true once the reading holds everything the report needs (default: status not connecting, and a
	 * sample when ok). A log source that reads a window, say, is complete only when the window is in.
	 */
	complete?(reading: SourceReading<Sample>): boolean;
	/** App connections this source counts against a limit, for the scale-up projection (PostgreSQL gives them). */
	connections?(sample: Sample): {used: number; max: number} | null;
	/** The simulated source for --demo; without it the source is absent from the demo. */
	demo?: DemoHook<Sample>;
	/** Columns this source adds to the instance table, when its sample has figures per app instance. */
	instanceColumns?: ReadonlyArray<InstanceColumnSpec<Sample>>;
}

/** A list of models with their samples' types erased, as core loops over them. */
export type AnySourceModel = SourceModel<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The threshold's value from the merged record, falling back to its spec's default. */
export function thresholdOf(thresholds: Thresholds, spec: ThresholdSpec): number {
	const value = thresholds[spec.key];
	return typeof value === 'number' && Number.isFinite(value) ? value : spec.defaultValue;
}

/** The default of every spec, by key. */
export function defaultsOf(specs: readonly ThresholdSpec[]): Record<string, number> {
	return Object.fromEntries(specs.map(spec => [spec.key, spec.defaultValue]));
}

/** Whether --once may report this reading: answered, and with a sample when ok (or the model's own test). */
export function readingComplete(model: AnySourceModel, reading: SourceReading | undefined): boolean {
	if (reading === undefined) return true;
	if (model.complete) return model.complete(reading);
	if (reading.status.kind === 'connecting') return false;
	return !(reading.status.kind === 'ok' && reading.sample === null);
}
