// From argv, config file and environment to one validated Options, or a UsageError naming what was wrong.
import {redactUrl} from '../core/redact.js';
import type {Thresholds} from '../core/thresholds.js';
import {sources as registrySources} from '../sources/registry.js';
import type {AnySourceKind, GivenValue} from '../sources/source-kind.js';
import {camelCase, findFlag, flagSpecs, thresholdSpecs, type FlagSpec} from './flags.js';
import {parseNodeHosts, type NodeHostSpec} from './node-hosts.js';
import {UsageError} from './usage-error.js';
import {resolveDockerEngines, type DockerEngineSpec} from './docker-engines.js';
import {normalizeProjectName} from '../sources/workload/selector.js';
import {emptyToUndefined, parseNumber, parseThreshold} from './values.js';

export {parseDuration, parseNumber} from './values.js';

/** The demo's hot instance stays over 80 % for under two minutes a cycle: a shorter sustain lets a newcomer see IMMEDIATE. */
export const demoCpuSustainSeconds = 60;

export interface Options {
	project: string;
	service: string;
	/** Validated URL of the one engine given by --docker-host or DOCKER_HOST; undefined otherwise (see dockerEngines). */
	dockerHost: string | undefined;
	/** Every engine watched, at least one: from --context, --docker-host, DOCKER_HOST, DOCKER_CONTEXT, currentContext, or the local socket. */
	dockerEngines: DockerEngineSpec[];
	/** auto: cgroup files for a local engine's containers, else stats streams; api: always the streams. */
	dockerStats: 'auto' | 'api';
	/** --swarm-service: follow this Swarm service; undefined: PROJECT_SERVICE when the engine is a manager that has it. */
	swarmService: string | undefined;
	/** --node-host: Swarm nodes' engines by hostname or ID. */
	nodeHosts: NodeHostSpec[];
	/** Each configured source's config by source id (what its configure() returned); a source not configured is absent. */
	sources: Readonly<Record<string, unknown>>;
	configFile: string | undefined;
	thresholds: Thresholds;
	intervalMs: number;
	max: number;
	bell: boolean;
	color: boolean;
	once: boolean;
	json: boolean;
	demo: boolean;
	/** Fewest instances scale and drain may leave. */
	min: number;
	/** Scale through `docker compose` with this file; undefined: through the Engine API. */
	composeFile: string | undefined;
	/** Balancer hooks, both or neither. */
	lbRemoveCmd: string | undefined;
	lbRestoreCmd: string | undefined;
	appPort: number;
	drainTimeoutMs: number;
	readOnly: boolean;
	dryRun: boolean;
	/** undefined: the default under the user's state directory (see source/actions/audit-log.ts). */
	auditLog: string | undefined;
}

export type RawFlags = Record<string, string | boolean | number | string[] | undefined>;

const compiledDefaults = {
	project: 'voiceassist',
	service: 'voiceassist-server',
	intervalSeconds: 1,
	max: 10,
	min: 2,
	appPort: 8000,
	drainTimeoutSeconds: 30,
};

/**
 * Checks the raw argv tokens before any parser sees them, because parsers forgive too much:
 * `--once=yes` silently false, a stray word ignored, an unknown flag passed through.
 */
export function checkArgv(argv: readonly string[]): void {
	const seen = new Set<string>();
	for (let i = 0; i < argv.length; i++) {
		const token = argv[i]!;
		if (token === '--') throw new UsageError('unexpected "--": va-top takes only flags (see --help)');
		if (!token.startsWith('-') || token === '-') {
			throw new UsageError(`unexpected argument "${redactUrl(token)}": va-top takes only flags (see --help)`);
		}

		if (!token.startsWith('--')) {
			if (token === '-h') continue;
			throw new UsageError(`unknown flag "${token}" (see --help for the flags)`);
		}

		const [rawName, inlineValue] = splitOnce(token.slice(2));
		const negated = rawName.startsWith('no-') ? flagSpecs.find(flag => flag.name === rawName.slice(3) && flag.kind === 'boolean') : undefined;
		const spec = flagSpecs.find(flag => flag.name === rawName) ?? negated;
		if (spec === undefined) throw new UsageError(`unknown flag "--${rawName}" (see --help for the flags)`);

		if (seen.has(spec.name) && spec.repeatable !== true) throw new UsageError(`--${spec.name} is given more than once`);
		seen.add(spec.name);
		if (spec.kind === 'boolean') {
			if (inlineValue !== undefined) throw new UsageError(`--${rawName} takes no value, got "${redactUrl(inlineValue)}"`);
			continue;
		}

		if (inlineValue === undefined) {
			const next = argv[i + 1];
			if (next === undefined || (next.startsWith('--') && next.length > 2)) {
				throw new UsageError(`--${spec.name} needs a value: ${expectation(spec)}`);
			}

			i++;
		}
	}
}

function splitOnce(text: string): [string, string | undefined] {
	const at = text.indexOf('=');
	return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/** Validates a parsed config file: an object with known keys of the right types. */
export function checkConfig(content: string, file: string): RawFlags {
	if (content.trim() === '') throw new UsageError(`config ${file}: the file is empty, expected a JSON object`);
	let parsed: unknown;
	try {
		parsed = JSON.parse(content);
	} catch (error) {
		const detail = error instanceof Error ? error.message.split('\n')[0] : 'parse error';
		throw new UsageError(`config ${file}: not valid JSON (${detail}), expected a JSON object`);
	}

	if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new UsageError(`config ${file}: expected a JSON object of flag names to values, got ${describeJson(parsed)}`);
	}

	const out: RawFlags = {};
	for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
		const spec = findFlag(key);
		if (spec === undefined || !spec.inConfig) {
			const known = flagSpecs.filter(flag => flag.inConfig).map(flag => flag.name).join(', ');
			throw new UsageError(`config ${file}: unknown key "${key}", expected one of: ${known}`);
		}

		const expectedType = spec.kind === 'number' ? 'number' : spec.kind;
		if (spec.repeatable === true && Array.isArray(value)) {
			if (!value.every(item => typeof item === 'string')) {
				throw new UsageError(`config ${file}: "${key}" must be a string or an array of strings (${expectation(spec)}), got ${describeJson(value)}`);
			}

			out[spec.name] = value as string[];
			continue;
		}

		const okType = typeof value === expectedType || (spec.numberInConfig === true && typeof value === 'number');
		if (!okType) {
			const what = spec.repeatable === true ? `${expectedType} or a list of them` : `${expectedType}`;
			throw new UsageError(`config ${file}: "${key}" must be a ${what} (${expectation(spec)}), got ${describeJson(value)}`);
		}

		out[spec.name] = spec.repeatable === true ? [value as string] : (value as string | number | boolean);
	}

	return out;
}

function describeJson(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
	if (typeof value === 'object') return 'an object';
	return `${typeof value} ${String(value)}`;
}

/**
 * Merges flags over the config file over the environment over the defaults, then validates every value.
 * `flags` holds only what was given on the command line, keyed by flag name.
 */
export function resolveOptions(flags: RawFlags, config: RawFlags, env: NodeJS.ProcessEnv, kinds: readonly AnySourceKind[] = registrySources): Options {
	const pick = (name: string): GivenValue | undefined =>
		flags[name] !== undefined ? {value: flags[name]!, from: `--${name}`} : config[name] !== undefined ? {value: config[name]!, from: `config "${name}"`} : undefined;
	const text = (name: string, fallback: string): string => {
		const given = pick(name);
		if (given === undefined) return fallback;
		const value = String(given.value).trim();
		if (value === '') throw new UsageError(`${given.from}: empty value, expected ${expectation(findFlag(name)!)}`);
		return value;
	};

	/** A flag that may be given more than once: every value, each non-empty. */
	const texts = (name: string): {values: string[]; from: string} | undefined => {
		const given = pick(name);
		if (given === undefined) return undefined;
		const values = (Array.isArray(given.value) ? given.value : [given.value]).map(value => String(value).trim());
		if (values.length === 0 || values.some(value => value === '')) throw new UsageError(`${given.from}: empty value, expected ${expectation(findFlag(name)!)}`);
		return {values, from: given.from};
	};

	const project = pick('project') === undefined ? projectFromEnv(env) ?? compiledDefaults.project : text('project', compiledDefaults.project);
	const service = text('service', compiledDefaults.service);
	for (const [name, value] of [['project', project], ['service', service]] as const) {
		if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(value)) {
			throw new UsageError(`${pick(name)?.from ?? name}: "${value}" is not a Compose name, expected letters, digits, "_", "." or "-"`);
		}
	}

	const dockerEngines = resolveDockerEngines({hosts: texts('docker-host'), contexts: texts('context')}, env);
	const single = dockerEngines.length === 1 ? dockerEngines[0]! : undefined;
	const dockerHost = single !== undefined && single.context === undefined && single.from !== 'default' ? single.host : undefined;

	const swarmGiven = pick('swarm-service');
	const swarmService = swarmGiven === undefined ? undefined : text('swarm-service', '');
	if (swarmService !== undefined && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(swarmService)) {
		throw new UsageError(`${swarmGiven!.from}: "${swarmService}" is not a Swarm service name, expected letters, digits, "_", "." or "-" (at most 63)`);
	}

	if (swarmService !== undefined && dockerEngines.length > 1) {
		throw new UsageError(`${swarmGiven!.from} follows a service through one manager, but ${dockerEngines.length} engines are given (${dockerEngines.map(engine => engine.name).join(', ')}), expected one --docker-host or --context (the manager); the nodes' engines go in --node-host`);
	}

	const nodeHosts = parseNodeHosts(texts('node-host'));

	const dockerStatsGiven = pick('docker-stats');
	const dockerStats = dockerStatsGiven === undefined ? 'auto' : text('docker-stats', 'auto');
	if (dockerStats !== 'auto' && dockerStats !== 'api') {
		throw new UsageError(`${dockerStatsGiven!.from}: "${dockerStats}" is not a stats source, expected auto or api`);
	}

	const bool = (name: string, fallback: boolean) => {
		const given = pick(name);
		return given === undefined ? fallback : given.value === true;
	};

	const thresholds = {} as Thresholds;
	for (const spec of thresholdSpecs) {
		const given = pick(spec.flag);
		thresholds[spec.key] = given === undefined ? spec.defaultValue : parseThreshold(given.value, given.from, spec);
	}

	for (const spec of thresholdSpecs) {
		const partner = spec.soonOf === undefined ? undefined : thresholdSpecs.find(other => other.key === spec.soonOf);
		if (partner !== undefined && thresholds[spec.key]! > thresholds[partner.key]!) {
			throw new UsageError(`--${spec.flag} (${thresholds[spec.key]}) is above --${partner.flag} (${thresholds[partner.key]}), expected SOON at or below IMMEDIATE`);
		}
	}

	if (pick('cpu-sustain') === undefined && bool('demo', false)) thresholds.cpuSustainSeconds = demoCpuSustainSeconds;

	const interval = pick('interval');
	const intervalSeconds = interval === undefined
		? compiledDefaults.intervalSeconds
		: parseNumber(interval.value, interval.from, {min: 0.2, max: 3600, what: 'seconds from 0.2 to 3600'});

	const maxGiven = pick('max');
	const max = maxGiven === undefined ? compiledDefaults.max : parseNumber(maxGiven.value, maxGiven.from, {min: 1, max: 1000, integer: true, what: 'a whole number of instances from 1 to 1000'});

	const json = bool('json', false);
	const once = bool('once', false);
	if (json && !once) throw new UsageError('--json goes with --once, expected --once --json');

	const minGiven = pick('min');
	const min = minGiven === undefined ? compiledDefaults.min : parseNumber(minGiven.value, minGiven.from, {min: 1, max: 1000, integer: true, what: 'a whole number of instances from 1 to 1000'});
	if (min > max) throw new UsageError(`--min (${min}) is above --max (${max}), expected --min at or below --max`);

	const portGiven = pick('app-port');
	const appPort = portGiven === undefined ? compiledDefaults.appPort : parseNumber(portGiven.value, portGiven.from, {min: 1, max: 65_535, integer: true, what: 'a port from 1 to 65535'});

	const drainGiven = pick('drain-timeout');
	const drainTimeoutSeconds = drainGiven === undefined
		? compiledDefaults.drainTimeoutSeconds
		: parseNumber(drainGiven.value, drainGiven.from, {min: 1, max: 3600, what: 'seconds from 1 to 3600'});

	const optionalText = (name: string) => (pick(name) === undefined ? undefined : text(name, ''));
	const composeFile = optionalText('compose-file');
	const lbRemoveCmd = optionalText('lb-remove-cmd');
	const lbRestoreCmd = optionalText('lb-restore-cmd');
	if ((lbRemoveCmd === undefined) !== (lbRestoreCmd === undefined)) {
		const missing = lbRemoveCmd === undefined ? 'lb-remove-cmd' : 'lb-restore-cmd';
		throw new UsageError(`--lb-remove-cmd and --lb-restore-cmd go together (an aborted drain must put the instance back), expected --${missing} too`);
	}

	const auditLog = optionalText('audit-log');
	if (swarmService !== undefined && composeFile !== undefined) {
		throw new UsageError(`${swarmGiven!.from} and --compose-file both given, expected one: a Swarm service is scaled through its manager's service update, not with docker compose`);
	}

	const sourceConfigs: Record<string, unknown> = {};
	const intervalMs = Math.round(intervalSeconds * 1000);
	for (const kind of kinds) {
		const sourceConfig = kind.configure({given: pick, env, project, service, intervalMs, demo: bool('demo', false), once});
		if (sourceConfig !== null) sourceConfigs[kind.id] = sourceConfig;
	}

	return {
		project,
		service,
		dockerHost,
		dockerEngines,
		dockerStats,
		swarmService,
		nodeHosts,
		sources: sourceConfigs,
		configFile: typeof flags.config === 'string' ? flags.config : undefined,
		thresholds,
		intervalMs,
		max,
		bell: bool('bell', true),
		color: bool('color', true) && emptyToUndefined(env.NO_COLOR) === undefined,
		once,
		json,
		demo: bool('demo', false),
		min,
		composeFile,
		lbRemoveCmd,
		lbRestoreCmd,
		appPort,
		drainTimeoutMs: Math.round(drainTimeoutSeconds * 1000),
		// --read-only with --dry-run is fine: read-only wins, nothing is bound.
		readOnly: bool('read-only', false),
		dryRun: bool('dry-run', false),
		auditLog,
	};
}

/** COMPOSE_PROJECT_NAME as Compose normalises it, when set (Compose reads it when -p is not given). */
function projectFromEnv(env: NodeJS.ProcessEnv): string | undefined {
	const raw = emptyToUndefined(env.COMPOSE_PROJECT_NAME);
	if (raw === undefined) return undefined;
	const name = normalizeProjectName(raw);
	if (name === '') throw new UsageError(`COMPOSE_PROJECT_NAME: "${raw}" has no letter or digit Compose keeps, expected a project name such as voiceassist`);
	return name;
}

export function expectation(spec: FlagSpec): string {
	switch (spec.name) {
		case 'interval':
			return 'seconds from 0.2 to 3600';
		case 'max':
		case 'min':
			return 'a whole number of instances from 1 to 1000';
		case 'app-port':
			return 'a port from 1 to 65535';
		case 'drain-timeout':
			return 'seconds from 1 to 3600';
		case 'compose-file':
		case 'audit-log':
			return 'a file path';
		case 'lb-remove-cmd':
		case 'lb-restore-cmd':
			return 'a shell command';
		case 'docker-host':
			return 'a URL such as unix:///var/run/docker.sock, tcp://HOST:2376 or ssh://USER@HOST';
		case 'context':
			return "a Docker context's name";
		case 'docker-stats':
			return 'auto or api';
		case 'swarm-service':
			return "a Swarm service's name such as voiceassist_voiceassist-server";
		case 'node-host':
			return "NODE=URL: a Swarm node's hostname or ID and its Docker engine's URL, e.g. worker1=ssh://ops@10.0.0.12";
		case 'config':
			return 'a path to a JSON file';
		default:
			if (spec.expected !== undefined) return spec.expected;
			return spec.kind === 'number' ? 'a percentage from 0 to 100' : spec.kind === 'boolean' ? 'true or false' : `a ${camelCase(spec.name)} name`;
	}
}
