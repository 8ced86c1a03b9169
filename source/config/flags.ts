// The one table of flags: parsing, config-file keys, validation and --help all read it. The workload's and every
// registered source's flags and thresholds are merged in here (the registry is the composition root's; core never
// sees it).
import type {ThresholdSpec} from '../core/source-model.js';
import {hysteresisSpec, workloadThresholdSpecs} from '../core/thresholds.js';
import {sources} from '../sources/registry.js';
import {thresholdDefaultText, unitExpectation, unitPlaceholder} from './values.js';

export type FlagKind = 'string' | 'boolean' | 'number';

/** Where --help lists a flag. Sources put their connection flags in Stack and their thresholds come in Thresholds. */
export type FlagGroup = 'Stack' | 'Thresholds (percent unless noted)' | 'Monitor' | 'Actions' | 'Output';

export interface FlagSpec {
	/** kebab-case, as typed after --. */
	name: string;
	kind: FlagKind;
	/** What --help prints as the value's placeholder. */
	value?: string;
	description: string;
	/** Shown in --help; the actual default is applied in resolve. */
	defaultText?: string;
	env?: string;
	/** May be set in the config file. */
	inConfig: boolean;
	group: FlagGroup;
	/** May be given more than once (`--queue a --queue b`); the value is then a string[] (a JSON array in the config file). */
	repeatable?: boolean;
	/** What a bad value is told to be (`a URL such as postgres://USER@HOST:5432/DB`); used in exit-64 messages. */
	expected?: string;
	/** A string flag whose config-file value may also be a JSON number (a duration, time or size in its base unit). */
	numberInConfig?: boolean;
	/** The threshold this flag sets, for flags generated from a ThresholdSpec. */
	threshold?: ThresholdSpec;
}

/** The flag of a threshold: its placeholder, default and expectation from its unit. */
export function thresholdFlag(spec: ThresholdSpec): FlagSpec {
	const numeric = spec.unit === 'percent' || spec.unit === 'count';
	return {
		name: spec.flag,
		kind: numeric ? 'number' : 'string',
		value: unitPlaceholder[spec.unit],
		description: spec.description,
		defaultText: thresholdDefaultText(spec),
		inConfig: true,
		group: 'Thresholds (percent unless noted)',
		expected: unitExpectation(spec),
		...(numeric ? {} : {numberInConfig: true}),
		threshold: spec,
	};
}

/** Every threshold: the workload's, every source's in the registry's order, and the hysteresis. */
export const thresholdSpecs: readonly ThresholdSpec[] = [...workloadThresholdSpecs, ...sources.flatMap(source => source.thresholds), hysteresisSpec];

export const flagSpecs: readonly FlagSpec[] = [
	{name: 'project', kind: 'string', value: 'NAME', description: 'Compose project of the app service', defaultText: 'voiceassist', env: 'COMPOSE_PROJECT_NAME', inConfig: true, group: 'Stack'},
	{name: 'service', kind: 'string', value: 'NAME', description: 'Compose service of the app instances', defaultText: 'voiceassist-server', inConfig: true, group: 'Stack'},
	{
		name: 'docker-host',
		kind: 'string',
		value: 'URL',
		description:
			'Docker endpoint: unix://PATH, tcp://HOST:PORT (TLS with DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) or ssh://USER@HOST; several engines: repeat it or give a comma-separated list; NAME=URL names one',
		defaultText: 'unix:///var/run/docker.sock',
		env: 'DOCKER_HOST',
		inConfig: true,
		repeatable: true,
		group: 'Stack',
	},
	{
		name: 'context',
		kind: 'string',
		value: 'NAME',
		description: "Docker context(s) from the docker CLI's store ($DOCKER_CONFIG, default ~/.docker); repeat it or give a comma-separated list; not with --docker-host",
		defaultText: 'currentContext in $DOCKER_CONFIG/config.json, when no --docker-host or DOCKER_HOST',
		env: 'DOCKER_CONTEXT',
		inConfig: true,
		repeatable: true,
		group: 'Stack',
	},
	{
		name: 'swarm-service',
		kind: 'string',
		value: 'NAME',
		description:
			"Follow this Swarm service through its manager (the Docker engine given); without it va-top follows PROJECT_SERVICE (stack deploy's name) when the engine is a Swarm manager that has it, else the Compose service",
		defaultText: 'PROJECT_SERVICE when it exists',
		inConfig: true,
		group: 'Stack',
	},
	{
		name: 'node-host',
		kind: 'string',
		value: 'NODE=URL',
		description:
			"A Swarm node's Docker engine, for its tasks' CPU and memory (NODE: hostname or ID); repeat it or give a comma-separated list. Else a context named like the node, else the manager's URL with the node's address (ssh://USER@NODE_ADDR)",
		inConfig: true,
		repeatable: true,
		group: 'Stack',
	},
	{
		name: 'docker-stats',
		kind: 'string',
		value: 'auto|api',
		description:
			"Where CPU and memory come from: auto reads the containers' cgroup files when the engine is on this machine (no cost to the engine) and the API's stats streams otherwise; api: always the streams",
		defaultText: 'auto',
		inConfig: true,
		group: 'Stack',
	},
	...sources.flatMap(source => source.flags),
	{name: 'config', kind: 'string', value: 'FILE', description: 'JSON file with any of these flags as keys (flags given on the command line win)', inConfig: false, group: 'Stack'},
	...thresholdSpecs.map(thresholdFlag),
	{name: 'interval', kind: 'number', value: 'SECONDS', description: 'Seconds between readings and frames', defaultText: '1', inConfig: true, group: 'Monitor'},
	{name: 'max', kind: 'number', value: 'N', description: 'Most app instances the service may run (shown in the header)', defaultText: '10', inConfig: true, group: 'Monitor'},
	{name: 'bell', kind: 'boolean', description: 'Do not ring the terminal bell on entering IMMEDIATE (it rings once, and tmux flags the window)', defaultText: 'on', inConfig: true, group: 'Monitor'},
	{name: 'color', kind: 'boolean', description: 'Monochrome screen; every mark still shows as a symbol (also when NO_COLOR is set)', defaultText: 'on', env: 'NO_COLOR', inConfig: true, group: 'Monitor'},
	{name: 'demo', kind: 'boolean', description: 'Run against a built-in simulated VoiceAssist stack (needs no Docker, PostgreSQL or Redis)', inConfig: false, group: 'Monitor'},
	{name: 'min', kind: 'number', value: 'N', description: 'Fewest app instances: scaling and draining never go below it', defaultText: '2', inConfig: true, group: 'Actions'},
	{
		name: 'compose-file',
		kind: 'string',
		value: 'FILE',
		description: 'Scale with `docker compose` (or docker-compose) and this file instead of the Engine API',
		inConfig: true,
		group: 'Actions',
	},
	{
		name: 'lb-remove-cmd',
		kind: 'string',
		value: 'CMD',
		description: 'Shell command that takes an instance out of the load balancer; gets its name and address as "$1" "$2" (or where {name} and {address} stand)',
		inConfig: true,
		group: 'Actions',
	},
	{name: 'lb-restore-cmd', kind: 'string', value: 'CMD', description: 'Shell command that puts it back (same arguments); required with --lb-remove-cmd', inConfig: true, group: 'Actions'},
	{name: 'app-port', kind: 'number', value: 'PORT', description: 'Port the app serves on inside each instance, whose connections a drain waits for', defaultText: '8000', inConfig: true, group: 'Actions'},
	{name: 'drain-timeout', kind: 'number', value: 'SECONDS', description: 'Longest a drain waits for connections to finish before stopping the instance anyway', defaultText: '30', inConfig: true, group: 'Actions'},
	{name: 'read-only', kind: 'boolean', description: 'No action keys: monitor only', inConfig: true, group: 'Actions'},
	{name: 'dry-run', kind: 'boolean', description: 'Actions show and log what they would do and change nothing', inConfig: true, group: 'Actions'},
	{
		name: 'audit-log',
		kind: 'string',
		value: 'FILE',
		description: 'Where each action is appended as a JSON line (mode 0600)',
		defaultText: '$XDG_STATE_HOME/va-top/audit.log or ~/.local/state/va-top/audit.log',
		inConfig: true,
		group: 'Actions',
	},
	{name: 'once', kind: 'boolean', description: 'Print one capacity report and exit: 0 OK, 1 SOON, 2 IMMEDIATE, 3 a source unreadable', inConfig: false, group: 'Output'},
	{name: 'json', kind: 'boolean', description: 'With --once: the report as one JSON object', inConfig: false, group: 'Output'},
	{name: 'help', kind: 'boolean', description: 'Show this help', inConfig: false, group: 'Output'},
	{name: 'version', kind: 'boolean', description: 'Show the version', inConfig: false, group: 'Output'},
];

export function camelCase(name: string): string {
	return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

export function findFlag(name: string): FlagSpec | undefined {
	return flagSpecs.find(spec => spec.name === name || camelCase(spec.name) === name);
}
