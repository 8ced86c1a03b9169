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
import type {ContainerState} from '../core/types.js';
import {AuditLogError, type Actor, type AuditLog, type AuditResult} from './audit-log.js';
import type {ActionBackend, BackendInstance} from './backend.js';
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
	/** The snapshot's instances, to name the ones a scale-down would drain. */
	instances?: ReadonlyArray<{name: string; number: number | null; state: ContainerState}>;
	/** Who asks: the audit log's `by` (default operator). */
	by?: Actor;
}

export interface DrainContext {
	/** The running count the screen shows. */
	current: number;
	/** The snapshot's instances, to say whether compose or the engine will remove it. */
	instances?: ReadonlyArray<{id: string; number: number | null; state: ContainerState; name: string}>;
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
	/** Who asked for it; the audit log's `by`. */
	by: Actor;
	/**
	 * A jump of more than one down from outside --min/--max: the number removed, to be typed (then Enter) instead of
	 * `y`. Undefined: `y` confirms.
	 */
	confirmText?: string;
}

export interface DrainPlan {
	kind: 'drain';
	instance: {id: string; name: string};
	from: number;
	to: number;
	title: string;
	steps: string[];
	timeoutSeconds: number;
	warnings: string[];
	dryRun: boolean;
	by: Actor;
	/** Never set: a drain removes one instance, and `y` confirms it. */
	confirmText?: undefined;
}

export type ActionPlan = ScalePlan | DrainPlan;

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
	planScale(target: number, context: ScaleContext): ScalePlan | Refusal;
	executeScale(plan: ScalePlan, control?: ActionControl): Promise<ActionResult>;
	planDrain(instance: {id: string; name: string; state?: ContainerState}, context: DrainContext): DrainPlan | Refusal;
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
		fields: {instance: string | null; instances?: string[] | null; from: number | null; to: number | null; started: number | null; error: string | null; by: Actor},
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
				by: fields.by,
			});
			return null;
		} catch (error) {
			return error instanceof AuditLogError ? error.message : `audit log: ${errorText(error)}`;
		}
	}

	/** `extra.instances`: a scale's instances created or removed; the audit line names them (and `instance` when one). */
	function finish(action: ActionKind, result: ActionOutcome, from: number | null, to: number | null, instance: string | null, started: number, text: string, extra: {refusal?: Refusal; error?: string | null; instances?: string[]; by?: Actor} = {}): ActionResult {
		const by = extra.by ?? 'operator';
		const instances = extra.instances ?? (instance === null ? [] : [instance]);
		const audited = instance ?? (instances.length === 1 ? instances[0]! : null);
		const problem = audit(action, result, {instance: audited, instances: extra.instances ?? (instance === null ? null : [instance]), from, to, started: result === 'refused' ? null : started, error: extra.error ?? (result === 'refused' ? text : null), by});
		event(action, instance, by === 'autoscale' ? `autoscale: ${text}` : text, result === 'failed');
		if (problem !== null) event(action, instance, `the result was not written to the audit log: ${problem}`, true);
		return {action, result, from, to, instance, instances, message: text, durationMs: now() - started, ...(extra.refusal === undefined ? {} : {refusal: extra.refusal})};
	}

	/** `; still above the maximum of 6 (--max)` after a result that leaves the count outside the bounds. */
	function stillOutside(from: number, to: number): string {
		const note = scaleNote(from, to, limits);
		return note === null ? '' : `; ${note.replace(/^\d+ → \d+ is /, '')}`;
	}

	function refuse(found: Refusal, started: number, writeAudit = true, by: Actor = 'operator'): ActionResult {
		const text = `${found.action} refused: ${found.reason}`;
		const from = found.from ?? null;
		const to = found.to ?? null;
		const instance = found.instance ?? null;
		// Read-only writes nothing anywhere, not even its refusals.
		if (!writeAudit || found.code === 'read-only') {
			event(found.action, instance, by === 'autoscale' ? `autoscale: ${text}` : text);
			return {action: found.action, result: 'refused', from, to, instance, message: text, durationMs: now() - started, refusal: found};
		}

		return finish(found.action, 'refused', from, to, instance, started, text, {refusal: found, error: found.reason, by});
	}

	function begin(plan: ActionPlan): Refusal | null {
		if (busy !== null) {
			const what = busy.kind === 'scale' ? `scale ${busy.from} → ${busy.to}` : `drain of ${busy.instance.name}`;
			return refusal(plan.kind, 'busy', `another action is in progress (${what}); wait for it or abort it`, {
				from: plan.from,
				to: plan.to,
				...(plan.kind === 'drain' ? {instance: plan.instance.name} : {}),
			});
		}

		busy = plan;
		activities = new Map();
		changed();
		return null;
	}

	function end(): void {
		busy = null;
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
	async function runDrain(kind: ActionKind, victims: BackendInstance[], from: number, to: number, started: number, control: ActionControl | undefined, by: Actor): Promise<ActionResult> {
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
				settings,
				signal: control?.signal,
				onProgress: onDrainProgress(control),
				note: (text, failure) => event(kind, instanceField, by === 'autoscale' ? `autoscale: ${text}` : text, failure),
				now,
				sleep,
			});
		} catch (error) {
			outcome = {kind: 'failed', stage: 'balancer', error: errorText(error), restoreErrors: []};
		}

		const title = kind === 'drain' ? `drain ${names}` : `scale ${from} → ${to}`;
		const touched = {instances: victims.map((victim) => victim.name), by};
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
				by,
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
	async function freshInstances(kind: ActionKind, started: number, from: number, to: number, instance: string | null, by: Actor): Promise<BackendInstance[] | ActionResult> {
		try {
			return await backend.list();
		} catch (error) {
			return finish(kind, 'failed', from, to, instance, started, `${kind} failed: cannot list the instances again (${errorText(error)}); nothing was done`, {error: errorText(error), by});
		}
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
		planScale(target, context) {
			const by = context.by ?? 'operator';
			const found = checkScale(context.current, target, limits);
			if (found !== null) {
				// A refused key press is an attempted action: the event log and the audit log say so (read-only: neither writes).
				refuse(found, now(), true, by);
				return found;
			}

			const from = context.current;
			const direction = target > from ? 'up' : 'down';
			const steps: string[] = [];
			const warnings: string[] = [];
			let db: DbProjection | null = null;
			if (direction === 'up') {
				steps.push(backend.describeScaleUp(from, target));
				db = projectDbConnections({instances: from, target, dbConnections: context.dbConnections, dbMax: context.dbMax, thresholdPercent: options.dbThreshold});
				steps.push(db === null ? 'database connections after: unknown (no reading)' : db.text);
				if (db?.warn) warnings.push(db.text);
			} else {
				const running = (context.instances ?? []).filter((instance) => countsAsRunning(instance.state));
				const victims = running.length === from ? scaleDownVictims(running, from - target).map((instance) => instance.name) : [];
				const who = victims.length > 0 ? victims.join(', ') : `the ${plural(from - target, 'highest-numbered replica')}`;
				steps.push(`take ${who} out of the load balancer (${balancerText})`);
				steps.push(`wait until their connections on port ${options.appPort} read 0 ${settings.zeroReadings} times in a row, at most ${Math.ceil(settings.timeoutMs / 1000)} s`);
				steps.push(`then ${backend.describeRemoval(victims.length > 0 ? victims : [who], target, true)}`);
			}

			steps.push(`the count is read again before acting: it must still be ${from}`);
			const note = scaleNote(from, target, limits);
			if (note !== null) warnings.push(note);
			if (options.dryRun) warnings.push('DRY RUN: nothing will be changed, only shown and logged');
			const confirmText = explicitConfirmation(from, target, limits);
			return {kind: 'scale', from, to: target, direction, title: `scale ${from} → ${target}`, steps, db, warnings, dryRun: options.dryRun, by, ...(confirmText === undefined ? {} : {confirmText})};
		},

		async executeScale(plan, control) {
			const started = now();
			const by = plan.by;
			const busyRefusal = begin(plan);
			if (busyRefusal !== null) return refuse(busyRefusal, started, true, by);
			try {
				if (options.readOnly) return refuse(refusal('scale', 'read-only', 'read-only: actions are off (--read-only)', {from: plan.from, to: plan.to}), started, true, by);
				const listed = await freshInstances('scale', started, plan.from, plan.to, null, by);
				if (!Array.isArray(listed)) return listed;
				const actual = runningCount(listed);
				const backendReason = backend.refuseScale?.(listed, plan.to) ?? null;
				const found =
					checkUnchanged('scale', plan.from, actual) ??
					checkScale(actual, plan.to, limits) ??
					(backendReason === null ? null : refusal('scale', 'backend', backendReason, {from: plan.from, to: plan.to}));
				if (found !== null) return refuse(found, started, true, by);
				const running = listed.filter((instance) => countsAsRunning(instance.state));
				const victims = plan.direction === 'down' ? scaleDownVictims(running, plan.from - plan.to) : [];
				if (options.dryRun) {
					const what = plan.direction === 'up'
						? backend.describeScaleUp(plan.from, plan.to)
						: `drain ${victims.map((victim) => victim.name).join(', ')} (out of ${balancerText}, wait for connections on port ${options.appPort} up to ${Math.ceil(settings.timeoutMs / 1000)} s), then ${backend.describeRemoval(victims.map((victim) => victim.name), plan.to, true)}`;
					return finish('scale', 'dry-run', plan.from, plan.to, null, started, `dry-run: scale ${plan.from} → ${plan.to} would ${what}; nothing was changed`, {by});
				}

				// The audit line names what will be removed; a scale-up's new names are known only once created.
				const doomed = victims.map((victim) => victim.name);
				const problem = audit('scale', 'began', {instance: doomed.length === 1 ? doomed[0]! : null, instances: plan.direction === 'down' ? doomed : null, from: plan.from, to: plan.to, started: null, error: null, by});
				if (problem !== null) {
					return refuse(refusal('scale', 'unsafe-audit-log', `${problem}; nothing was done`, {from: plan.from, to: plan.to}), started, false, by);
				}

				event('scale', null, `${by === 'autoscale' ? 'autoscale: ' : ''}scale ${plan.from} → ${plan.to} began (${backend.description})`);
				if (plan.direction === 'down') return await runDrain('scale', victims, plan.from, plan.to, started, control, by);

				let created: string[];
				let notes: string[];
				try {
					({created, notes} = await backend.scaleUp(listed, plan.to));
				} catch (error) {
					let after = '';
					try {
						after = `; ${runningCount(await backend.list())} instances run now`;
					} catch {
						// The error above is the news.
					}

					return finish('scale', 'failed', plan.from, plan.to, null, started, `scale ${plan.from} → ${plan.to} failed: ${errorText(error)}${after}`, {error: errorText(error), instances: [], by});
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
					return finish('scale', 'failed', plan.from, plan.to, null, started, text, {error: text, instances: created, by});
				}

				return finish('scale', 'ok', plan.from, plan.to, null, started, `scale ${plan.from} → ${plan.to} ok: created ${created.join(', ')} (${((now() - started) / 1000).toFixed(1)} s)${stillOutside(plan.from, plan.to)}`, {instances: created, by});
			} finally {
				end();
			}
		},

		planDrain(instance, context) {
			const found =
				options.readOnly
					? refusal('drain', 'read-only', 'read-only: actions are off (--read-only)', {instance: instance.name})
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
			];
			const warnings: string[] = [];
			const note = scaleNote(context.current, context.current - 1, limits);
			if (note !== null) warnings.push(note);
			if (options.dryRun) warnings.push('DRY RUN: nothing will be changed, only shown and logged');
			return {
				kind: 'drain',
				instance: {id: instance.id, name: instance.name},
				from: context.current,
				to: context.current - 1,
				title: `drain ${instance.name}`,
				steps,
				timeoutSeconds,
				warnings,
				dryRun: options.dryRun,
				by: 'operator',
			};
		},

		async executeDrain(plan, control) {
			const started = now();
			const by = plan.by;
			const name = plan.instance.name;
			const busyRefusal = begin(plan);
			if (busyRefusal !== null) return refuse(busyRefusal, started, true, by);
			try {
				if (options.readOnly) return refuse(refusal('drain', 'read-only', 'read-only: actions are off (--read-only)', {instance: name}), started, true, by);
				const listed = await freshInstances('drain', started, plan.from, plan.to, name, by);
				if (!Array.isArray(listed)) return listed;
				const actual = runningCount(listed);
				const victim = listed.find((instance) => instance.id === plan.instance.id);
				const found =
					victim === undefined
						? refusal('drain', 'not-found', `${name} is no longer an instance of the service`, {instance: name, from: plan.from, to: plan.to})
						: !countsAsRunning(victim.state)
							? refusal('drain', 'not-running', `${name} is ${victim.state}; only a running instance can be drained`, {instance: name, from: plan.from, to: plan.to})
							: (checkUnchanged('drain', plan.from, actual, name) ?? checkDrain(actual, name, limits));
				if (found !== null) return refuse(found, started, true, by);
				if (options.dryRun) {
					let connections = 'unknown';
					try {
						connections = String(await backend.connections(victim!, options.appPort));
					} catch (error) {
						connections = `unreadable (${errorText(error)})`;
					}

					const text = `dry-run: drain ${name} would take it out of ${balancerText}, wait for its ${connections} connection(s) on port ${options.appPort} (at most ${plan.timeoutSeconds} s), then ${backend.describeRemoval([name], plan.to, isHighest(victim!.id, listed))}: service ${plan.from} → ${plan.to}; nothing was changed`;
					return finish('drain', 'dry-run', plan.from, plan.to, name, started, text, {by});
				}

				const problem = audit('drain', 'began', {instance: name, from: plan.from, to: plan.to, started: null, error: null, by});
				if (problem !== null) {
					return refuse(refusal('drain', 'unsafe-audit-log', `${problem}; nothing was done`, {instance: name, from: plan.from, to: plan.to}), started, false, by);
				}

				event('drain', name, `drain ${name} began (${backend.description})`);
				return await runDrain('drain', [victim!], plan.from, plan.to, started, control, by);
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
