// The ONE place the screen calls to scale or drain. It plans (what the confirmation shows), and when confirmed it
// reads the count again, applies every safety rule again, writes and fsyncs the audit "began" line, acts through the
// backend, and reports progress and results to the event log and to the instance rows.
//
// Rules, whatever the caller does: --read-only refuses everything (and writes nothing anywhere); one action at a
// time; never outside --min/--max; the count read right before acting must equal the one confirmed; only the
// configured project+service (the backend re-lists by both labels); --dry-run reads but changes nothing.
import {
	checkDrain,
	checkScale,
	checkUnchanged,
	countsAsRunning,
	explicitConfirmation,
	isRefusal,
	placeScale,
	replicasPerHost,
	projectDbConnections,
	refusal,
	runningCount,
	scaleDownVictims,
	scaleNote,
	type ActionKind,
	type DbProjection,
	type Refusal,
} from '../core/action-rules.js';
import type {EventEntry} from '../core/event-log.js';
import {removalWarning} from '../core/swarm.js';
import type {ContainerState} from '../core/types.js';
import {AuditLogError, type AuditLog, type AuditResult} from './audit-log.js';
import {isPreconditionFailed, type ActionBackend, type BackendInstance, type ServiceState} from './backend.js';
import {abortableSleep, drainInstances, type DrainOutcome, type DrainPhase, type DrainProgress} from './drain.js';

export interface ActionRunnerOptions {
	min: number;
	max: number;
	readOnly: boolean;
	dryRun: boolean;
	appPort: number;
	drainTimeoutMs: number;
	/** The database IMMEDIATE threshold in % (thresholds.dbImmediate): a scale-up projected above it warns. */
	dbThreshold: number;
	/** Readings of zero connections in a row that end a drain early (default 3). */
	zeroReadings?: number;
	/** Between connection readings (default 1000 ms). */
	pollIntervalMs?: number;
}

export interface ActionRunnerInit {
	backend: ActionBackend;
	options: ActionRunnerOptions;
	/** Required unless readOnly (nothing is ever written then). */
	audit: AuditLog | null;
	log: (entry: EventEntry) => void;
	now?: () => number;
	/** For tests on the demo's simulated clock. */
	sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface ScaleContext {
	/** The running count the screen shows (runningCount of the snapshot's instances). */
	current: number;
	/** PostgreSQL client connections and max_connections, when read. */
	dbConnections?: number;
	dbMax?: number;
	/** The snapshot's instances, to name the ones a scale-down would drain (and, with several engines, their hosts). */
	instances?: ReadonlyArray<{name: string; number: number | null; state: ContainerState; host?: string}>;
	/** With several engines: the host the operator picked; else va-top picks (fewest replicas up, most down). */
	host?: string;
	/** A versioned service (Swarm): the version the screen shows; the change is refused if it moved on. */
	version?: number | null;
}

export interface DrainContext {
	/** The running count the screen shows. */
	current: number;
	/** The snapshot's instances, to say whether compose or the engine will remove it. */
	instances?: ReadonlyArray<{id: string; number: number | null; state: ContainerState; name: string; host?: string; node?: string | null}>;
	/** A versioned service (Swarm): the version the screen shows. */
	version?: number | null;
}

/** A Swarm node as the screen shows it, for D. */
export interface NodeContext {
	id: string;
	hostname: string;
	availability: string;
	/** The node object's version: the node update's precondition. */
	version: number;
	/** Its tasks now, and the other nodes that are active and ready (where they would go). */
	tasks: number;
	otherActive: number;
}

export interface ScalePlan {
	kind: 'scale';
	from: number;
	to: number;
	direction: 'up' | 'down';
	/** e.g. `scale voiceassist-server 3 → 4` */
	title: string;
	/** What will be done, in order, in words. */
	steps: string[];
	/** Up only: projected database connections; null when unknown. */
	db: DbProjection | null;
	/** Things to read before pressing y (the DB projection above the threshold, a count still outside --min/--max, dry-run). */
	warnings: string[];
	dryRun: boolean;
	/** With several engines: the host it acts on (null or absent with one engine). */
	host?: string | null;
	/** With several engines: the hosts to choose from (h in the confirmation); empty or absent with one. */
	hosts?: readonly string[];
	/** A versioned service (Swarm): the version the confirmation was made from. */
	version?: number | null;
	/**
	 * A jump of more than one down from outside --min/--max: the number removed, to be typed (then Enter) instead of
	 * `y`. Undefined: `y` confirms.
	 */
	confirmText?: string;
}

export interface DrainPlan {
	kind: 'drain';
	instance: {id: string; name: string; host?: string};
	from: number;
	to: number;
	title: string;
	steps: string[];
	timeoutSeconds: number;
	warnings: string[];
	dryRun: boolean;
	/** A versioned service (Swarm): the version the confirmation was made from. */
	version?: number | null;
	/** Never set: a drain removes one instance, and `y` confirms it. */
	confirmText?: undefined;
}

/** D: a Swarm node's availability, drain or back to active. */
export interface NodePlan {
	kind: 'node';
	node: {id: string; hostname: string};
	availability: {from: string; to: 'active' | 'drain'};
	/** The node's version the update is made against. */
	version: number;
	/** No instance count changes. */
	from: null;
	to: null;
	title: string;
	steps: string[];
	warnings: string[];
	dryRun: boolean;
	/** Never set: one node's availability, and `y` confirms it. */
	confirmText?: undefined;
}

export type ActionPlan = ScalePlan | DrainPlan | NodePlan;

export type ActionOutcome = Exclude<AuditResult, 'began'>;

export interface ActionResult {
	action: ActionKind;
	result: ActionOutcome;
	from: number | null;
	to: number | null;
	instance: string | null;
	/** Every instance created or removed (a scale may touch several); [] when none. */
	instances?: string[];
	/** One line: what happened, or why not. */
	message: string;
	durationMs: number;
	refusal?: Refusal;
}

export interface ActionControl {
	/** Aborting puts drained instances back into the balancer, until the stop has begun. */
	signal?: AbortSignal;
	onProgress?: (progress: DrainProgress) => void;
}

/** What an instance row shows while an action touches it, and its last result. */
export interface InstanceActivity {
	phase: DrainPhase | 'planned' | 'removed' | 'restored' | 'failed' | 'aborted' | 'created';
	/** Short, for the row: e.g. `draining 3 conn 27s`, `stopping`, `restored`. */
	text: string;
	connections: number | null;
	secondsLeft: number | null;
}

export interface ActionRunner {
	readonly readOnly: boolean;
	readonly dryRun: boolean;
	readonly backendKind: ActionBackend['kind'];
	/** Why the workload cannot scale or drain at all (the key says so), when it cannot (read at each key: a Swarm service's mode is known once read). */
	readonly cannot: Partial<Record<'scale' | 'drain', string>>;
	/** Whether D (a Swarm node's availability) is there. */
	readonly nodes: boolean;
	/** D on a node line: drain it (or make a drained one active again). */
	planNode(node: NodeContext): NodePlan | Refusal;
	executeNode(plan: NodePlan): Promise<ActionResult>;
	planScale(target: number, context: ScaleContext): ScalePlan | Refusal;
	executeScale(plan: ScalePlan, control?: ActionControl): Promise<ActionResult>;
	planDrain(instance: {id: string; name: string; state?: ContainerState; host?: string}, context: DrainContext): DrainPlan | Refusal;
	executeDrain(plan: DrainPlan, control?: ActionControl): Promise<ActionResult>;
	/** The action in progress, or null. */
	inProgress(): ActionPlan | null;
	/** Per instance name: what is happening to it. Entries of the last action stay until the next one begins. */
	activity(): ReadonlyMap<string, InstanceActivity>;
	/** Called whenever inProgress() or activity() changes. */
	subscribe(listener: () => void): () => void;
	/** The balancer found last (for the confirmation); refreshBalancer() looks again. */
	balancerDescription(): string;
	refreshBalancer(): Promise<string>;
}

function errorText(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/** Whether the instance is the highest-numbered running one (the one Compose would remove); undefined: unknown. */
function isHighest(id: string, instances: ReadonlyArray<{id: string; number: number | null; state: ContainerState; name: string}> | undefined): boolean | undefined {
	if (instances === undefined) return undefined;
	const top = scaleDownVictims(instances.filter((instance) => countsAsRunning(instance.state)), 1)[0];
	return top?.id === id;
}

function plural(count: number, word: string): string {
	return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export function createActionRunner(init: ActionRunnerInit): ActionRunner {
	const {backend, options, log} = init;
	const now = init.now ?? Date.now;
	const sleep = init.sleep ?? abortableSleep;
	const limits = {min: options.min, max: options.max, readOnly: options.readOnly};
	const settings = {
		appPort: options.appPort,
		timeoutMs: options.drainTimeoutMs,
		zeroReadings: options.zeroReadings ?? 3,
		intervalMs: options.pollIntervalMs ?? 1000,
	};
	if (!options.readOnly && init.audit === null) throw new Error('an audit log is required unless read-only');

	let busy: ActionPlan | null = null;
	let activities = new Map<string, InstanceActivity>();
	const hosts = backend.hosts ?? [];
	// Swarm: the engine is the manager's; the node is named on its own.
	const swarm = backend.kind === 'swarm';
	const singleEngine = hosts.length === 1 ? hosts[0] : undefined;
	// The engine the action in progress acts on, for the audit log (the only one when there is one).
	let actingEngine: string | undefined;
	// Swarm: the node acted on and the version the change is made against, for the audit log.
	let actingNode: string | undefined;
	let actingVersion: number | undefined;
	let actingAvailability: {from: string; to: string} | undefined;
	const listeners = new Set<() => void>();
	let balancerText = 'not looked for yet';

	function changed(): void {
		for (const listener of [...listeners]) {
			try {
				listener();
			} catch {
				// A listener's bug must not stop an action.
			}
		}
	}

	function setActivity(name: string, activity: InstanceActivity): void {
		activities = new Map(activities).set(name, activity);
		changed();
	}

	function event(kind: ActionKind, instance: string | null, text: string, failure = false): void {
		try {
			log({at: now(), level: failure ? 'IMMEDIATE' : 'INFO', key: instance === null ? `action:${kind}` : `action:${kind}:${instance}`, text});
		} catch {
			// The event log is for people; the audit log is the record.
		}
	}

	/** Writes one audit line; an unusable log is reported, and the caller decides what that means. */
	function audit(
		action: ActionKind,
		result: AuditResult,
		fields: {instance: string | null; instances?: string[] | null; from: number | null; to: number | null; started: number | null; error: string | null},
	): string | null {
		if (init.audit === null) return 'no audit log';
		try {
			init.audit.write({
				action,
				instance: fields.instance,
				instances: fields.instances === undefined ? (fields.instance === null ? null : [fields.instance]) : fields.instances,
				from: fields.from,
				to: fields.to,
				result,
				duration: fields.started === null ? null : now() - fields.started,
				error: fields.error,
				...(swarm
					? {...(singleEngine === undefined ? {} : {engine: singleEngine}), ...(actingNode === undefined ? {} : {node: actingNode})}
					: (actingEngine ?? singleEngine) === undefined
						? {}
						: {engine: actingEngine ?? singleEngine}),
				...(actingVersion === undefined ? {} : {version: actingVersion}),
				...(actingAvailability === undefined ? {} : {availability: actingAvailability}),
			});
			return null;
		} catch (error) {
			return error instanceof AuditLogError ? error.message : `audit log: ${errorText(error)}`;
		}
	}

	/** `extra.instances`: a scale's instances created or removed; the audit line names them (and `instance` when one). */
	function finish(action: ActionKind, result: ActionOutcome, from: number | null, to: number | null, instance: string | null, started: number, text: string, extra: {refusal?: Refusal; error?: string | null; instances?: string[]} = {}): ActionResult {
		const instances = extra.instances ?? (instance === null ? [] : [instance]);
		const audited = instance ?? (instances.length === 1 ? instances[0]! : null);
		const problem = audit(action, result, {instance: audited, instances: extra.instances ?? (instance === null ? null : [instance]), from, to, started: result === 'refused' ? null : started, error: extra.error ?? (result === 'refused' ? text : null)});
		event(action, instance, text, result === 'failed');
		if (problem !== null) event(action, instance, `the result was not written to the audit log: ${problem}`, true);
		return {action, result, from, to, instance, instances, message: text, durationMs: now() - started, ...(extra.refusal === undefined ? {} : {refusal: extra.refusal})};
	}

	/** `; still above the maximum of 6 (--max)` after a result that leaves the count outside the bounds. */
	function stillOutside(from: number, to: number): string {
		const note = scaleNote(from, to, limits);
		return note === null ? '' : `; ${note.replace(/^\d+ → \d+ is /, '')}`;
	}

	function refuse(found: Refusal, started: number, writeAudit = true): ActionResult {
		const text = `${found.action} refused: ${found.reason}`;
		const from = found.from ?? null;
		const to = found.to ?? null;
		const instance = found.instance ?? null;
		// Read-only writes nothing anywhere, not even its refusals.
		if (!writeAudit || found.code === 'read-only') {
			event(found.action, instance, text);
			return {action: found.action, result: 'refused', from, to, instance, message: text, durationMs: now() - started, refusal: found};
		}

		return finish(found.action, 'refused', from, to, instance, started, text, {refusal: found, error: found.reason});
	}

	function begin(plan: ActionPlan): Refusal | null {
		if (busy !== null) {
			const what = busy.kind === 'scale' ? `scale ${busy.from} → ${busy.to}` : busy.kind === 'drain' ? `drain of ${busy.instance.name}` : busy.title;
			return refusal(plan.kind, 'busy', `another action is in progress (${what}); wait for it or abort it`, {
				...(plan.from === null ? {} : {from: plan.from, to: plan.to}),
				...(plan.kind === 'drain' ? {instance: plan.instance.name} : plan.kind === 'node' ? {instance: plan.node.hostname} : {}),
			});
		}

		busy = plan;
		activities = new Map();
		changed();
		return null;
	}

	function end(): void {
		busy = null;
		actingEngine = undefined;
		actingNode = undefined;
		actingVersion = undefined;
		actingAvailability = undefined;
		changed();
	}

	function onDrainProgress(control: ActionControl | undefined) {
		return (progress: DrainProgress) => {
			const text =
				progress.phase === 'balancer'
					? 'leaving balancer'
					: progress.phase === 'waiting'
						? `draining ${progress.connections ?? '?'} conn ${progress.secondsLeft}s`
						: progress.phase === 'stopping'
							? 'stopping'
							: progress.phase === 'restoring'
								? 'restoring'
								: 'removed';
			setActivity(progress.instance, {
				phase: progress.phase === 'done' ? 'removed' : progress.phase,
				text,
				connections: progress.connections,
				secondsLeft: progress.phase === 'waiting' ? progress.secondsLeft : null,
			});
			try {
				control?.onProgress?.(progress);
			} catch {
				// As above: the drain goes on.
			}
		};
	}

	/** Runs a drain of `victims` and turns its outcome into a result. */
	async function runDrain(kind: ActionKind, victims: BackendInstance[], from: number, to: number, started: number, control: ActionControl | undefined): Promise<ActionResult> {
		const instanceField = kind === 'drain' ? victims[0]!.name : null;
		const names = victims.map((victim) => victim.name).join(', ');
		let outcome: DrainOutcome;
		let balancerNone = false;
		try {
			const balancer = await backend.balancer();
			balancerText = balancer.description;
			balancerNone = balancer.none === true;
			outcome = await drainInstances({
				backend,
				balancer,
				victims,
				target: to,
				...(actingVersion === undefined ? {} : {precondition: {version: actingVersion}}),
				settings,
				signal: control?.signal,
				onProgress: onDrainProgress(control),
				note: (text, failure) => event(kind, instanceField, text, failure),
				now,
				sleep,
			});
		} catch (error) {
			outcome = {kind: 'failed', stage: 'balancer', error: errorText(error), restoreErrors: []};
		}

		const title = kind === 'drain' ? `drain ${names}` : `scale ${from} → ${to}`;
		const touched = {instances: victims.map((victim) => victim.name)};
		if (outcome.kind === 'stopped') {
			for (const victim of victims) setActivity(victim.name, {phase: 'removed', text: 'removed', connections: null, secondsLeft: null});
			const late = outcome.timedOut.length > 0 ? `, timed out with ${outcome.timedOut.map((entry) => `${entry.connections} open on ${entry.name}`).join(', ')}` : ', connections drained';
			return finish(kind, 'ok', from, to, instanceField, started, `${title} ok: ${names} stopped and removed after ${(outcome.waitedMs / 1000).toFixed(1)} s${late}; service ${from} → ${to}${stillOutside(from, to)}`, touched);
		}

		const restoreNote = outcome.restoreErrors.length > 0 ? `; ${outcome.restoreErrors.join('; ')}` : '';
		// With no balancer nothing was taken out: the words must not say it went back into one.
		const none = balancerNone;
		if (outcome.kind === 'aborted') {
			for (const victim of victims) setActivity(victim.name, {phase: outcome.restoreErrors.length > 0 ? 'failed' : 'restored', text: outcome.restoreErrors.length > 0 ? 'restore failed' : 'restored', connections: null, secondsLeft: null});
			const back = none ? 'nothing stopped (no load balancer, so nothing was taken out)' : `${names} ${outcome.restoreErrors.length > 0 ? 'NOT all back' : 'back'} in the balancer, nothing stopped`;
			return finish(kind, 'aborted', from, to, instanceField, started, `${title} aborted: ${back}${restoreNote}`, {
				...touched,
				error: outcome.restoreErrors.length > 0 ? outcome.restoreErrors.join('; ') : null,
			});
		}

		for (const victim of victims) setActivity(victim.name, {phase: 'failed', text: `${kind} failed`, connections: null, secondsLeft: null});
		const state =
			outcome.stage === 'stopping'
				? none
					? 'instances that still run keep running'
					: 'instances that still run were put back into the balancer'
				: outcome.restoreErrors.length > 0
					? 'putting back into the balancer failed'
					: none
						? 'nothing stopped'
						: 'nothing stopped, back in the balancer';
		const text = `${title} failed${outcome.stage === 'stopping' ? ' while stopping' : ''}: ${outcome.error} (${state})${restoreNote}`;
		return finish(kind, 'failed', from, to, instanceField, started, text, {...touched, error: `${outcome.error}${restoreNote}`});
	}

	/** New instances into the balancer where it still keeps their names out (a name a drain retired). */
	async function admitCreated(created: readonly string[]): Promise<void> {
		if (created.length === 0) return;
		try {
			const balancer = await backend.balancer();
			balancerText = balancer.description;
			if (balancer.admit === undefined) return;
			const fresh = (await backend.list()).filter((instance) => created.includes(instance.name));
			for (const instance of fresh) {
				try {
					const said = await balancer.admit(instance);
					if (said !== null) event('scale', null, `${instance.name}: ${said}`);
				} catch (error) {
					event('scale', null, `${instance.name} runs, but could not be let into the balancer: ${errorText(error)}`, true);
				}
			}
		} catch (error) {
			event('scale', null, `new instances run, but the balancer could not be checked: ${errorText(error)}`, true);
		}
	}

	/** Lists and checks the count; returns the fresh instances or a refusal/failure result. */
	async function freshInstances(kind: ActionKind, started: number, from: number, to: number, instance: string | null): Promise<BackendInstance[] | ActionResult> {
		try {
			return await backend.list();
		} catch (error) {
			return finish(kind, 'failed', from, to, instance, started, `${kind} failed: cannot list the instances again (${errorText(error)}); nothing was done`, {error: errorText(error)});
		}
	}

	/**
	 * A versioned service (Swarm) read again right before acting: its replica count is the count re-checked, and a
	 * version other than the confirmed one refuses the action with both numbers. null for other backends.
	 */
	async function serviceNow(kind: ActionKind, plan: {from: number; to: number; version?: number | null}, started: number, instance: string | null): Promise<{state: ServiceState | null; refusal: Refusal | null} | ActionResult> {
		if (backend.versioned === undefined) return {state: null, refusal: null};
		let state: ServiceState;
		try {
			state = await backend.versioned.read();
		} catch (error) {
			return finish(kind, 'failed', plan.from, plan.to, instance, started, `${kind} failed: cannot read the service again (${errorText(error)}); nothing was done`, {error: errorText(error)});
		}

		actingVersion = state.version;
		const moved = plan.version !== undefined && plan.version !== null && plan.version !== state.version;
		const found = moved
			? refusal(kind, 'version-changed', `the service changed since the confirmation (version ${plan.version} → ${state.version}: another update came in between); nothing was done, look again and retry`, {
					from: plan.from,
					to: plan.to,
					...(instance === null ? {} : {instance}),
				})
			: null;
		return {state, refusal: found};
	}

	/** A change refused by the engine because the object moved on (Swarm's version): a refusal, nothing was done. */
	function preconditionRefusal(kind: ActionKind, error: unknown, plan: {from: number | null; to: number | null}, instance: string | null, started: number): ActionResult | null {
		if (!isPreconditionFailed(error)) return null;
		return refuse(refusal(kind, 'version-changed', error.message, {...(plan.from === null ? {} : {from: plan.from, to: plan.to ?? undefined}), ...(instance === null ? {} : {instance})}), started);
	}

	async function refreshBalancer(): Promise<string> {
		try {
			balancerText = (await backend.balancer()).description;
		} catch (error) {
			balancerText = `unknown (${errorText(error)})`;
		}

		changed();
		return balancerText;
	}

	// Looked for once now, so the first confirmation can name it; every drain looks again before acting.
	if (!options.readOnly) void refreshBalancer();

	return {
		readOnly: options.readOnly,
		dryRun: options.dryRun,
		backendKind: backend.kind,
		get cannot() {
			return backend.cannot ?? {};
		},
		nodes: backend.setNodeAvailability !== undefined,
		planScale(target, context) {
			const unsupported = backend.cannot?.scale;
			const found = unsupported === undefined ? checkScale(context.current, target, limits) : refusal('scale', 'backend', unsupported, {from: context.current, to: target});
			if (found !== null) {
				// A refused key press is an attempted action: the event log and the audit log say so (read-only: neither writes).
				refuse(found, now());
				return found;
			}

			const from = context.current;
			const direction = target > from ? 'up' : 'down';
			const steps: string[] = [];
			const warnings: string[] = [];
			let db: DbProjection | null = null;
			// Several engines: one host takes the new replicas (or gives up the old ones), said in the confirmation.
			let host: string | null = null;
			if (hosts.length > 1) {
				const placed = placeScale(direction, Math.abs(target - from), replicasPerHost(context.instances ?? [], hosts), context.host);
				if (isRefusal(placed)) {
					const found = {...placed, from, to: target};
					refuse(found, now());
					return found;
				}

				host = placed.host;
				steps.push(placed.text);
			}

			if (direction === 'up') {
				steps.push(backend.describeScaleUp(from, target, {siblings: (context.instances ?? []).map((instance) => instance.name), ...(host === null ? {} : {host})}));
				db = projectDbConnections({instances: from, target, dbConnections: context.dbConnections, dbMax: context.dbMax, thresholdPercent: options.dbThreshold});
				steps.push(db === null ? 'database connections after: unknown (no reading)' : db.text);
				if (db?.warn) warnings.push(db.text);
			} else {
				const running = (context.instances ?? []).filter((instance) => countsAsRunning(instance.state));
				const onHost = host === null ? running : running.filter((instance) => instance.host === host);
				const victims = running.length === from ? scaleDownVictims(onHost, from - target).map((instance) => instance.name) : [];
				const who = victims.length > 0 ? victims.join(', ') : `the ${plural(from - target, 'highest-numbered replica')}`;
				steps.push(`take ${who} out of the load balancer (${balancerText})`);
				steps.push(`wait until their connections on port ${options.appPort} read 0 ${settings.zeroReadings} times in a row, at most ${Math.ceil(settings.timeoutMs / 1000)} s`);
				steps.push(`then ${backend.describeRemoval(victims.length > 0 ? victims : [who], target, true)}`);
			}

			const version = context.version ?? null;
			steps.push(
				version === null
					? `the count is read again before acting: it must still be ${from}`
					: `the service is read again before acting: its version must still be ${version} and its replicas ${from}`,
			);
			const note = scaleNote(from, target, limits);
			if (note !== null) warnings.push(note);
			if (options.dryRun) warnings.push('DRY RUN: nothing will be changed, only shown and logged');
			const confirmText = explicitConfirmation(from, target, limits);
			const title = `scale ${from} → ${target}${host === null ? '' : ` on ${host}`}`;
			return {
				kind: 'scale',
				from,
				to: target,
				direction,
				title,
				steps,
				db,
				warnings,
				dryRun: options.dryRun,
				host,
				hosts: hosts.length > 1 ? hosts : [],
				version,
				...(confirmText === undefined ? {} : {confirmText}),
			};
		},

		async executeScale(plan, control) {
			const started = now();
			const busyRefusal = begin(plan);
			if (busyRefusal !== null) return refuse(busyRefusal, started);
			try {
				const host = plan.host ?? null;
				actingEngine = host ?? undefined;
				if (options.readOnly) return refuse(refusal('scale', 'read-only', 'read-only: actions are off (--read-only)', {from: plan.from, to: plan.to}), started);
				const listed = await freshInstances('scale', started, plan.from, plan.to, null);
				if (!Array.isArray(listed)) return listed;
				const service = await serviceNow('scale', plan, started, null);
				if (!('state' in service)) return service;
				// Swarm: the replicas the service is meant to have, not the tasks that happen to run now.
				const actual = service.state?.replicas ?? runningCount(listed);
				const backendReason = backend.refuseScale?.(listed, plan.to, host ?? undefined) ?? null;
				const found =
					service.refusal ??
					checkUnchanged('scale', plan.from, actual) ??
					checkScale(actual, plan.to, limits) ??
					(backendReason === null ? null : refusal('scale', 'backend', backendReason, {from: plan.from, to: plan.to}));
				if (found !== null) return refuse(found, started);
				const running = listed.filter((instance) => countsAsRunning(instance.state));
				const candidates = host === null ? running : running.filter((instance) => instance.host === host);
				if (plan.direction === 'down' && candidates.length < plan.from - plan.to) {
					const reason = `${host} now runs ${candidates.length} replica${candidates.length === 1 ? '' : 's'}, fewer than the ${plan.from - plan.to} to remove there; nothing was done`;
					return refuse(refusal('scale', 'backend', reason, {from: plan.from, to: plan.to}), started);
				}

				const victims = plan.direction === 'down' ? scaleDownVictims(candidates, plan.from - plan.to) : [];
				if (options.dryRun) {
					const what = plan.direction === 'up'
						? backend.describeScaleUp(plan.from, plan.to, {siblings: listed.map((instance) => instance.name), ...(host === null ? {} : {host})})
						: `drain ${victims.map((victim) => victim.name).join(', ')} (out of ${balancerText}, wait for connections on port ${options.appPort} up to ${Math.ceil(settings.timeoutMs / 1000)} s), then ${backend.describeRemoval(victims.map((victim) => victim.name), plan.to, true)}`;
					return finish('scale', 'dry-run', plan.from, plan.to, null, started, `dry-run: scale ${plan.from} → ${plan.to}${host === null ? '' : ` on ${host}`} would ${what}; nothing was changed`);
				}

				// The audit line names what will be removed; a scale-up's new names are known only once created.
				const doomed = victims.map((victim) => victim.name);
				const problem = audit('scale', 'began', {instance: doomed.length === 1 ? doomed[0]! : null, instances: plan.direction === 'down' ? doomed : null, from: plan.from, to: plan.to, started: null, error: null});
				if (problem !== null) {
					return refuse(refusal('scale', 'unsafe-audit-log', `${problem}; nothing was done`, {from: plan.from, to: plan.to}), started, false);
				}

				event('scale', null, `scale ${plan.from} → ${plan.to}${host === null ? '' : ` on ${host}`} began (${backend.description})`);
				if (plan.direction === 'down') return await runDrain('scale', victims, plan.from, plan.to, started, control);

				let created: string[];
				let notes: string[];
				try {
					({created, notes} = await backend.scaleUp(listed, plan.to, host ?? undefined, service.state === null ? undefined : {version: service.state.version}));
				} catch (error) {
					const refused = preconditionRefusal('scale', error, plan, null, started);
					if (refused !== null) return refused;
					let after = '';
					try {
						after = `; ${runningCount(await backend.list())} instances run now`;
					} catch {
						// The error above is the news.
					}

					return finish('scale', 'failed', plan.from, plan.to, null, started, `scale ${plan.from} → ${plan.to} failed: ${errorText(error)}${after}`, {error: errorText(error), instances: []});
				}

				for (const name of created) setActivity(name, {phase: 'created', text: 'new', connections: null, secondsLeft: null});
				for (const note of notes) event('scale', null, note);
				await admitCreated(created);
				let count = plan.to;
				try {
					// A new instance still starting (the demo's first second) counts: the backend said it started it.
					const fresh = new Set(created);
					count = (await backend.list()).filter((instance) => countsAsRunning(instance.state) || (fresh.has(instance.name) && instance.state === 'created')).length;
				} catch {
					// Created and started is what we know.
				}

				if (count !== plan.to) {
					const text = `scale ${plan.from} → ${plan.to} failed: created ${created.join(', ') || 'nothing'} but ${count} instances run, expected ${plan.to}`;
					return finish('scale', 'failed', plan.from, plan.to, null, started, text, {error: text, instances: created});
				}

				return finish('scale', 'ok', plan.from, plan.to, null, started, `scale ${plan.from} → ${plan.to} ok: created ${created.join(', ')} (${((now() - started) / 1000).toFixed(1)} s)${stillOutside(plan.from, plan.to)}`, {instances: created});
			} finally {
				end();
			}
		},

		planDrain(instance, context) {
			const found =
				options.readOnly
					? refusal('drain', 'read-only', 'read-only: actions are off (--read-only)', {instance: instance.name})
					: backend.cannot?.drain !== undefined
						? refusal('drain', 'backend', backend.cannot.drain, {instance: instance.name})
						: instance.state !== undefined && !countsAsRunning(instance.state)
						? refusal('drain', 'not-running', `${instance.name} is ${instance.state}; only a running instance can be drained`, {instance: instance.name})
						: checkDrain(context.current, instance.name, limits);
			if (found !== null) {
				refuse(found, now());
				return found;
			}

			const timeoutSeconds = Math.ceil(settings.timeoutMs / 1000);
			const steps = [
				`take ${instance.name} out of the load balancer (${balancerText})`,
				`count its established connections on port ${options.appPort} every ${settings.intervalMs / 1000} s until 0 is read ${settings.zeroReadings} times in a row, at most ${timeoutSeconds} s`,
				`then ${backend.describeRemoval([instance.name], context.current - 1, isHighest(instance.id, context.instances))}: service ${context.current} → ${context.current - 1}`,
				'Esc before the stop puts it back into the load balancer',
				...(context.version === undefined || context.version === null ? [] : [`the service is read again before acting: its version must still be ${context.version}`]),
			];
			const warnings: string[] = [];
			const note = scaleNote(context.current, context.current - 1, limits);
			if (note !== null) warnings.push(note);
			if (options.dryRun) warnings.push('DRY RUN: nothing will be changed, only shown and logged');
			// Swarm picks the task a scale-down removes: say when it is unlikely to be this one.
			const balance = swarm && context.instances !== undefined ? removalWarning(context.instances.find((entry) => entry.id === instance.id) ?? instance, context.instances) : null;
			if (balance !== null) warnings.push(balance);
			return {
				kind: 'drain',
				instance: {id: instance.id, name: instance.name, ...(instance.host === undefined ? {} : {host: instance.host})},
				from: context.current,
				to: context.current - 1,
				title: `drain ${instance.name}`,
				steps,
				timeoutSeconds,
				warnings,
				dryRun: options.dryRun,
				version: context.version ?? null,
			};
		},

		planNode(node) {
			const to = node.availability === 'drain' ? 'active' : 'drain';
			const extra = {instance: node.hostname};
			const found =
				options.readOnly
					? refusal('node', 'read-only', 'read-only: actions are off (--read-only)', extra)
					: backend.setNodeAvailability === undefined
						? refusal('node', 'backend', 'D sets a Swarm node\'s availability; this service is not a Swarm service', extra)
						: to === 'drain' && node.tasks > 0 && node.otherActive === 0
							? refusal('node', 'no-other-node', `draining ${node.hostname} leaves no other active node: its ${node.tasks} task${node.tasks === 1 ? '' : 's'} would have nowhere to run`, extra)
							: null;
			if (found !== null) {
				refuse(found, now());
				return found;
			}

			const steps =
				to === 'drain'
					? [
							`set ${node.hostname}'s availability to drain (POST /nodes/{id}/update against its version ${node.version})`,
							`Swarm stops its ${node.tasks} task${node.tasks === 1 ? '' : 's'} of the service (and every other service's) and starts them on the ${node.otherActive} other active node${node.otherActive === 1 ? '' : 's'}`,
							'no new task is placed on it until it is made active again (D on its line)',
						]
					: [`set ${node.hostname}'s availability back to active (against its version ${node.version})`, 'Swarm may place new tasks on it; running tasks stay where they are'];
			const warnings = options.dryRun ? ['DRY RUN: nothing will be changed, only shown and logged'] : [];
			return {
				kind: 'node',
				node: {id: node.id, hostname: node.hostname},
				availability: {from: node.availability, to},
				version: node.version,
				from: null,
				to: null,
				title: `node ${node.hostname}: ${node.availability} → ${to}`,
				steps,
				warnings,
				dryRun: options.dryRun,
			};
		},

		async executeNode(plan) {
			const started = now();
			const name = plan.node.hostname;
			const busyRefusal = begin(plan);
			if (busyRefusal !== null) return refuse(busyRefusal, started);
			try {
				actingNode = name;
				actingVersion = plan.version;
				actingAvailability = plan.availability;
				if (options.readOnly) return refuse(refusal('node', 'read-only', 'read-only: actions are off (--read-only)', {instance: name}), started);
				if (backend.setNodeAvailability === undefined) return refuse(refusal('node', 'backend', 'this service is not a Swarm service', {instance: name}), started);
				if (options.dryRun) return finish('node', 'dry-run', null, null, name, started, `dry-run: ${plan.title} would be set (against node version ${plan.version}); nothing was changed`);
				const problem = audit('node', 'began', {instance: name, from: null, to: null, started: null, error: null});
				if (problem !== null) return refuse(refusal('node', 'unsafe-audit-log', `${problem}; nothing was done`, {instance: name}), started, false);
				event('node', name, `${plan.title} began (${backend.description})`);
				try {
					await backend.setNodeAvailability(plan.node, plan.availability.to, {version: plan.version});
				} catch (error) {
					const refused = preconditionRefusal('node', error, plan, name, started);
					if (refused !== null) return refused;
					return finish('node', 'failed', null, null, name, started, `${plan.title} failed: ${errorText(error)}`, {error: errorText(error)});
				}

				const after = plan.availability.to === 'drain' ? '; Swarm moves its tasks to the other nodes' : '';
				return finish('node', 'ok', null, null, name, started, `${plan.title} ok${after}`);
			} finally {
				end();
			}
		},

		async executeDrain(plan, control) {
			const started = now();
			const name = plan.instance.name;
			const busyRefusal = begin(plan);
			if (busyRefusal !== null) return refuse(busyRefusal, started);
			try {
				actingEngine = plan.instance.host;
				if (options.readOnly) return refuse(refusal('drain', 'read-only', 'read-only: actions are off (--read-only)', {instance: name}), started);
				const listed = await freshInstances('drain', started, plan.from, plan.to, name);
				if (!Array.isArray(listed)) return listed;
				const service = await serviceNow('drain', plan, started, name);
				if (!('state' in service)) return service;
				const actual = service.state?.replicas ?? runningCount(listed);
				const victim = listed.find((instance) => instance.id === plan.instance.id);
				const found =
					victim === undefined
						? refusal('drain', 'not-found', `${name} is no longer an instance of the service`, {instance: name, from: plan.from, to: plan.to})
						: !countsAsRunning(victim.state)
							? refusal('drain', 'not-running', `${name} is ${victim.state}; only a running instance can be drained`, {instance: name, from: plan.from, to: plan.to})
							: (service.refusal ?? checkUnchanged('drain', plan.from, actual, name) ?? checkDrain(actual, name, limits));
				actingEngine = victim?.host ?? actingEngine;
				if (swarm) actingNode = victim?.host;
				if (found !== null) return refuse(found, started);
				if (options.dryRun) {
					let connections = 'unknown';
					try {
						connections = String(await backend.connections(victim!, options.appPort));
					} catch (error) {
						connections = `unreadable (${errorText(error)})`;
					}

					const text = `dry-run: drain ${name} would take it out of ${balancerText}, wait for its ${connections} connection(s) on port ${options.appPort} (at most ${plan.timeoutSeconds} s), then ${backend.describeRemoval([name], plan.to, isHighest(victim!.id, listed))}: service ${plan.from} → ${plan.to}; nothing was changed`;
					return finish('drain', 'dry-run', plan.from, plan.to, name, started, text);
				}

				const problem = audit('drain', 'began', {instance: name, from: plan.from, to: plan.to, started: null, error: null});
				if (problem !== null) {
					return refuse(refusal('drain', 'unsafe-audit-log', `${problem}; nothing was done`, {instance: name, from: plan.from, to: plan.to}), started, false);
				}

				event('drain', name, `drain ${name} began (${backend.description})`);
				return await runDrain('drain', [victim!], plan.from, plan.to, started, control);
			} finally {
				end();
			}
		},

		inProgress: () => busy,
		activity: () => activities,
		subscribe(listener) {
			listeners.add(listener);
			return () => {
				listeners.delete(listener);
			};
		},
		balancerDescription: () => balancerText,
		refreshBalancer,
	};
}

export {isRefusal};
