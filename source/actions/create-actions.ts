// From the validated Options to the action runner the screen calls: the demo backend with --demo, the compose CLI
// with --compose-file, else the Engine API at --docker-host; the hooks when given, else the project's nginx;
// the audit log unless --read-only (then nothing is ever written).
import type {Options} from '../config/options.js';
import type {EventEntry} from '../core/event-log.js';
import type {DemoStack} from '../sources/demo/demo-stack.js';
import {connectEngine, type Workload, type WorkloadEngine} from '../sources/workload/backend.js';
import {defaultDockerHost, engineNameOf, type DockerEngineSpec} from '../config/docker-engines.js';
import {createActionRunner, type ActionRunner} from './action-runner.js';
import {openAuditLog, type AuditLog} from './audit-log.js';
import type {ActionBackend} from './backend.js';
import {createComposeBackend} from './compose-backend.js';
import {createDemoBackend} from './demo-backend.js';
import {createEngineBackend} from './engine-backend.js';
import {createEnginesBackend} from './engines-backend.js';
import {createSwarmBackend} from './swarm-backend.js';

export type ActionOptions = Pick<
	Options,
	| 'project'
	| 'service'
	| 'dockerHost'
	| 'dockerEngines'
	| 'thresholds'
	| 'max'
	| 'min'
	| 'composeFile'
	| 'lbRemoveCmd'
	| 'lbRestoreCmd'
	| 'appPort'
	| 'drainTimeoutMs'
	| 'readOnly'
	| 'dryRun'
	| 'auditLog'
	| 'demo'
>;

export interface CreateActionsInput {
	options: ActionOptions;
	/** Where action events go: the monitor's log (monitor.log). */
	log: (entry: EventEntry) => void;
	/** openStack's demo, required with --demo. */
	demo?: DemoStack;
	/** Passwords to keep out of messages and the audit log (the stack's secrets). */
	secrets?: readonly string[];
	env?: NodeJS.ProcessEnv;
	/** Aborted by close(): cancels the backend's Engine API requests. */
	closing?: AbortSignal;
	/** The stack's workload: its engines' Docker clients are the ones the actions use (one connection per engine). */
	workload?: Workload;
}

/** How long close() waits for an action whose requests it cancelled to record its result. */
export const closeGraceMs = 1000;

export interface Actions {
	runner: ActionRunner;
	/** null with --read-only. */
	audit: AuditLog | null;
	/**
	 * Call on exit: cancels every Engine API request still waiting (an action then fails at once with `va-top is
	 * closing`), gives the runner up to closeGraceMs to write that result to the audit log, then closes the log.
	 */
	close(): Promise<void>;
}

export function createBackend(input: CreateActionsInput): ActionBackend {
	const {options} = input;
	if (options.demo) {
		if (input.demo === undefined) throw new Error('--demo actions need the demo stack');
		return createDemoBackend(input.demo, {appPort: options.appPort});
	}

	const hooks = options.lbRemoveCmd !== undefined && options.lbRestoreCmd !== undefined ? {hooks: {remove: options.lbRemoveCmd, restore: options.lbRestoreCmd}} : {};
	// A Swarm service: through its manager, each task on its own node's engine (the workload's clients).
	if (input.workload?.kind === 'swarm') {
		const workload = input.workload;
		return createSwarmBackend({
			collector: workload.collector,
			project: options.project,
			appPort: options.appPort,
			...hooks,
			cannot: () => {
				const {scale, drain} = workload.capabilities;
				return {...(scale === null ? {} : {scale}), ...(drain === null ? {} : {drain})};
			},
			secrets: input.secrets,
			closing: input.closing,
		});
	}

	const engines = input.workload?.engines ?? enginesOf(options);
	const backends = engines.map((engine) => {
		const common = {
			docker: engine.docker,
			endpoint: engine.endpoint,
			engine: engine.name,
			project: options.project,
			service: options.service,
			appPort: options.appPort,
			secrets: input.secrets,
			closing: input.closing,
			...hooks,
		};
		if (options.composeFile === undefined) return {name: engine.name, backend: createEngineBackend(common)};
		// Compose reaches the same engine: by its URL, or by its context (whose TLS files the CLI reads itself).
		const viaContext = engine.spec.context !== undefined && engine.spec.context !== 'default';
		const backend = createComposeBackend({
			...common,
			composeFile: options.composeFile,
			...(viaContext ? {dockerContext: engine.spec.context} : {dockerHost: engines.length === 1 && engine.spec.from === 'default' ? options.dockerHost : engine.spec.host}),
			env: input.env,
		});
		return {name: engine.name, backend};
	});
	const backend = backends.length === 1 ? backends[0]!.backend : createEnginesBackend(backends);
	// What the workload cannot do (a global Swarm service has no replica count) is refused with its reason.
	const cannot = Object.fromEntries(Object.entries(input.workload?.capabilities ?? {}).filter(([, why]) => why !== null)) as ActionBackend['cannot'];
	return cannot === undefined || Object.keys(cannot).length === 0 ? backend : {...backend, cannot};
}

/** Without the stack's workload (tests): the engines the options name, each with a client of its own. */
function enginesOf(options: ActionOptions): WorkloadEngine[] {
	const specs: DockerEngineSpec[] =
		options.dockerEngines ?? [{name: engineNameOf(options.dockerHost ?? defaultDockerHost), host: options.dockerHost ?? defaultDockerHost, from: options.dockerHost === undefined ? 'default' : '--docker-host'}];
	return specs.map((spec) => ({...connectEngine(spec), name: spec.name, spec}));
}

export function createActions(input: CreateActionsInput): Actions {
	const {options} = input;
	const audit = options.readOnly ? null : openAuditLog({path: options.auditLog, env: input.env, secrets: input.secrets});
	const closing = new AbortController();
	const runner = createActionRunner({
		backend: createBackend({...input, closing: closing.signal}),
		options: {
			min: options.min,
			max: options.max,
			readOnly: options.readOnly,
			dryRun: options.dryRun,
			appPort: options.appPort,
			drainTimeoutMs: options.drainTimeoutMs,
			dbThreshold: options.thresholds.dbImmediate,
		},
		audit,
		log: input.log,
	});
	return {
		runner,
		audit,
		async close() {
			closing.abort();
			if (runner.inProgress() !== null) {
				await new Promise<void>((resolve) => {
					const timer = setTimeout(done, closeGraceMs);
					const unsubscribe = runner.subscribe(() => {
						if (runner.inProgress() === null) done();
					});
					function done() {
						clearTimeout(timer);
						unsubscribe();
						resolve();
					}
				});
			}

			audit?.close();
		},
	};
}
