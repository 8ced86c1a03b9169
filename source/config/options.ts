// From argv, config file and environment to one validated Options, or a UsageError naming what was wrong.
import {redactUrl} from '../core/redact.js';
import type {Thresholds} from '../core/thresholds.js';
import {sources as registrySources} from '../sources/registry.js';
import type {AnySourceKind, GivenValue} from '../sources/source-kind.js';
import {camelCase, findFlag, flagSpecs, thresholdSpecs, type FlagSpec} from './flags.js';
import {defaultAutoscaleSettings, scaleTriggers, type ScaleTrigger} from '../core/autoscale-policy.js';
import {parseNodeHosts, type NodeHostSpec} from './node-hosts.js';
import {UsageError} from './usage-error.js';
import {resolveDockerEngines, type DockerEngineSpec} from './docker-engines.js';
import {normalizeProjectName} from '../sources/workload/selector.js';
import {emptyToUndefined, parseDuration, parseNumber, parseThreshold} from './values.js';

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
	/** --record: the headless recorder. */
	record: boolean;
	/** false (--no-history): neither load nor record the history on disk. */
	history: boolean;
	/** undefined: $XDG_STATE_HOME/va-top or ~/.local/state/va-top (source/record/stack-paths.ts). */
	historyDir: string | undefined;
	/** undefined: the current directory. */
	snapshotDir: string | undefined;
	/** --once --snapshot FILE. */
	snapshotFile: string | undefined;
	/** What --once prints; --json is `json`. */
	format: ReportFormat;
	/** --once --output FILE: written atomically instead of stdout. */
	output: string | undefined;
	autoscale: AutoscaleOptions;
	/** --once --capacity: the capacity report and the growth forecast. */
	capacity: boolean;
	/** --growth: the load factor the forecast plans for. */
	growth: number;
}

/** The autoscaler's flags; the policy's own settings are derived from these plus --min/--max/--db-immediate. */
export interface AutoscaleOptions {
	/** --autoscale: act on the policy (the preview line shows it either way). */
	enabled: boolean;
	/** --headless: no screen, JSON lines. */
	headless: boolean;
	scaleUpAt: number;
	scaleDownAt: number;
	triggers: ScaleTrigger[];
	intervalMs: number;
	upSustainMs: number;
	downSustainMs: number;
	cooldownMs: number;
	/** Live monitor only: the countdown before each act. */
	countdownMs: number;
}

export const reportFormats = ['text', 'json', 'nagios', 'prometheus'] as const;
export type ReportFormat = (typeof reportFormats)[number];

export type RawFlags = Record<string, string | boolean | number | string[] | undefined>;

const compiledDefaults = {
	project: 'voiceassist',
	service: 'voiceassist-server',
	intervalSeconds: 1,
	max: 10,
	min: 2,
	appPort: 8000,
	drainTimeoutSeconds: 30,
	autoscaleCountdownSeconds: 10,
	growth: 1.5,
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

	const autoscale = autoscaleOptions(pick, text, bool, once);

	const capacity = bool('capacity', false);
	if (capacity && !once) throw new UsageError('--capacity goes with --once, expected --once --capacity');
	const growthGiven = pick('growth');
	if (growthGiven !== undefined && !capacity) throw new UsageError('--growth goes with --capacity, expected --once --capacity --growth FACTOR');
	const growth = growthGiven === undefined ? compiledDefaults.growth : parseNumber(growthGiven.value, growthGiven.from, {min: 0.01, max: 100, what: 'a growth factor from 0.01 to 100, e.g. 1.5 for 50 % more load'});

	const record = bool('record', false);
	const history = bool('history', true);
	if (record && once) throw new UsageError('--record and --once are two ways to run, expected one of them');
	if (record && bool('demo', false)) throw new UsageError('--record keeps the history of a real stack, expected no --demo');
	if (record && !history) throw new UsageError('--record with --no-history would record nothing, expected one of them');
	// Each is a process of its own (a systemd unit each): they share the stack's folder, not a process.
	if (record && autoscale.enabled) throw new UsageError('--record and --autoscale are two ways to run, expected one of them (run the recorder beside the autoscaler)');
	const formatGiven = pick('format');
	let format: ReportFormat = json ? 'json' : 'text';
	if (formatGiven !== undefined) {
		const value = text('format', 'text');
		if (!(reportFormats as readonly string[]).includes(value)) throw new UsageError(`${formatGiven.from}: "${value}" is not a format, expected text, json, nagios or prometheus`);
		if (json && value !== 'json') throw new UsageError(`--json is --format json, expected one of them (got --format ${value})`);
		format = value as ReportFormat;
	}

	// The alerting formats have no place for a forecast: it is advice for a person, in the text or the JSON.
	if (capacity && format !== 'text' && format !== 'json') throw new UsageError(`--capacity goes with --format text or json, expected one of them (got --format ${format})`);
	for (const name of ['format', 'output', 'snapshot']) {
		if (pick(name) !== undefined && !once) throw new UsageError(`--${name} goes with --once, expected --once --${name} …`);
	}

	const sourceConfigs: Record<string, unknown> = {};
	const intervalMs = Math.round(intervalSeconds * 1000);
	for (const kind of kinds) {
		const sourceConfig = kind.configure({given: pick, env, project, service, intervalMs, demo: bool('demo', false), once});
		if (sourceConfig !== null) sourceConfigs[kind.id] = sourceConfig;
	}

	// A scale-up trigger besides CPU and memory needs a configured source that measures it (SourceModel.scaleTriggers).
	for (const trigger of autoscale.triggers) {
		if (trigger === 'cpu' || trigger === 'memory') continue;
		const feeding = kinds.filter(kind => kind.scaleTriggers?.includes(trigger));
		if (feeding.some(kind => sourceConfigs[kind.id] !== undefined)) continue;
		const from = pick('scale-up-on')?.from ?? '--scale-up-on';
		const hint = feeding.length === 0 ? 'no source va-top knows measures it' : `configure ${feeding.map(kind => kind.id).join(' or ')}`;
		throw new UsageError(`${from}: ${trigger} is not measured here (${hint}), expected triggers a configured source measures, such as cpu or memory`);
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
		record,
		history,
		historyDir: optionalText('history-dir'),
		snapshotDir: optionalText('snapshot-dir'),
		snapshotFile: optionalText('snapshot'),
		format,
		output: optionalText('output'),
		autoscale,
		capacity,
		growth,
	};
}

type Pick = (name: string) => GivenValue | undefined;

function autoscaleOptions(pick: Pick, text: (name: string, fallback: string) => string, bool: (name: string, fallback: boolean) => boolean, once: boolean): AutoscaleOptions {
	const enabled = bool('autoscale', false);
	const headless = bool('headless', false);
	if (headless && !enabled) throw new UsageError('--headless goes with --autoscale, expected --autoscale --headless');
	if (enabled && once) throw new UsageError('--autoscale and --once do not go together: --once reads once and exits, expected one of them');

	const percent = (name: string, fallback: number) => {
		const given = pick(name);
		return given === undefined ? fallback : parseNumber(given.value, given.from, {min: 0, max: 100, what: 'a percentage from 0 to 100'});
	};

	const scaleUpAt = percent('scale-up-at', defaultAutoscaleSettings.scaleUpAt);
	const scaleDownAt = percent('scale-down-at', defaultAutoscaleSettings.scaleDownAt);
	if (!(scaleDownAt < scaleUpAt)) {
		throw new UsageError(`--scale-down-at (${scaleDownAt}) is not below --scale-up-at (${scaleUpAt}), expected a band between them so a step is not undone`);
	}

	const seconds = (name: string, fallbackMs: number, min = 0) => {
		const given = pick(name);
		if (given === undefined) return fallbackMs;
		const value = parseDuration(given.value, given.from);
		if (value < min) throw new UsageError(`${given.from}: expected a duration of ${min} s or more, got "${String(given.value).trim()}"`);
		return Math.round(value * 1000);
	};

	const intervalMs = seconds('autoscale-interval', defaultAutoscaleSettings.intervalMs, 1);
	const triggersGiven = pick('scale-up-on');
	let triggers: ScaleTrigger[] = [...defaultAutoscaleSettings.triggers];
	if (triggersGiven !== undefined) {
		const names = text('scale-up-on', '').split(',').map(name => name.trim());
		const expected = `expected a comma-separated list of ${scaleTriggers.join(', ')}`;
		for (const name of names) {
			if (!(scaleTriggers as readonly string[]).includes(name)) throw new UsageError(`${triggersGiven.from}: "${name}" is not a trigger, ${expected}`);
		}

		if (new Set(names).size !== names.length) throw new UsageError(`${triggersGiven.from}: a trigger is named twice, ${expected}`);
		triggers = names as ScaleTrigger[];
	}

	return {
		enabled,
		headless,
		scaleUpAt,
		scaleDownAt,
		triggers,
		intervalMs,
		// "Held for the whole interval" unless told otherwise.
		upSustainMs: seconds('scale-up-sustain', intervalMs),
		downSustainMs: seconds('scale-down-sustain', defaultAutoscaleSettings.downSustainMs),
		cooldownMs: seconds('autoscale-cooldown', defaultAutoscaleSettings.cooldownMs),
		countdownMs: seconds('autoscale-countdown', compiledDefaults.autoscaleCountdownSeconds * 1000),
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
		case 'output':
		case 'snapshot':
			return 'a file path';
		case 'history-dir':
		case 'snapshot-dir':
			return 'a directory path';
		case 'format':
			return 'text, json, nagios or prometheus';
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
