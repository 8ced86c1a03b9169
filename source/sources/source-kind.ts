// What one source is: its pure model (source/core/source-model.ts) plus its flags, its configuration from the
// resolved flags, its secrets, and its collector. Each source's folder exports one SourceKind from its index.ts, and
// source/sources/registry.ts lists them: that line is the only place outside the folder a new source touches.
import type {FlagSpec} from '../config/flags.js';
import type {SampleBase, SourceModel, SourceReading} from '../core/source-model.js';
import type {Collector} from './collector.js';
import type {Kit} from './kit/index.js';

export type {FlagSpec} from '../config/flags.js';
export type {Kit} from './kit/index.js';

/** A value given for a flag, with where it came from for messages: `--pg`, `config "pg"`. */
export interface GivenValue {
	/** A string from the command line; a string, number or boolean from the config file; string[] for a repeatable flag. */
	value: string | number | boolean | string[];
	from: string;
}

/** What configure() reads. Throw a UsageError (source/config/usage-error.ts) for bad input: one line, exit 64. */
export interface ConfigureInput {
	/** The value given for one of this source's flags (command line over config file), undefined when not given. */
	given(flag: string): GivenValue | undefined;
	env: NodeJS.ProcessEnv;
	/** Resolved before any source: the workload and the run. */
	project: string;
	service: string;
	intervalMs: number;
	demo: boolean;
	once: boolean;
}

/**
 * One source. `Config` is what configure() returns (validated, plain data); `Sample` what its collector reads.
 * Keep index.ts light: import the collector (pg, ioredis, …) inside open(), so --help and bad input never load it.
 */
export interface SourceKind<Config = unknown, Sample extends SampleBase = SampleBase> extends SourceModel<Sample> {
	/** Its flags (not its thresholds: those come from `thresholds`), merged into the one flag table. */
	flags: readonly FlagSpec[];
	/** Its config from the flags, config file and environment; null when not configured (then absent everywhere). */
	configure(input: ConfigureInput): Config | null;
	/** Passwords and tokens in its config, scrubbed from every text (both as given and URL-decoded). */
	secrets(config: Config): string[];
	/** The endpoint shown for it, without credentials: `127.0.0.1:5432`. */
	endpoint(config: Config): string;
	/** Its collector, not started. Use the kit for the status, backoff and timeouts. */
	open(config: Config, kit: Kit): Promise<Collector<SourceReading<Sample>>>;
}

/** A registry entry with its types erased, as the loops over the registry see it. */
export type AnySourceKind = SourceKind<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
