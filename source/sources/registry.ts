// Every source va-top knows, in the order the report, the header and the charts list them. A new source is one
// folder under source/sources/ and one line here. Only the composition root imports this (cli.tsx, commands/, the
// flag table, the demo): core is handed the list.
import {defaultThresholds as workloadDefaults, type Thresholds} from '../core/thresholds.js';
import {defaultsOf} from '../core/source-model.js';
import {httpLogSource} from './http-log/index.js';
import {pgbouncerSource} from './pgbouncer/index.js';
import {postgresSource} from './postgres/index.js';
import {qdrantSource} from './qdrant/index.js';
import {queuesSource} from './queues/index.js';
import {redisSource} from './redis/index.js';
import type {AnySourceKind} from './source-kind.js';

export const sources: readonly AnySourceKind[] = [
	// Order is the --once JSON's key order and the header's: the sources of before the registry come first.
	postgresSource,
	redisSource,
	pgbouncerSource,
	queuesSource,
	httpLogSource,
	qdrantSource,
];

/** Every threshold's default: the workload's and every source's. */
export const defaultThresholds: Thresholds = {...workloadDefaults, ...defaultsOf(sources.flatMap(source => source.thresholds))};
