// The safety rules of scale and drain as pure functions: the action runner asks them before a confirmation is
// shown and again right before acting, so the screen and the engine can never disagree about what is allowed.
import type {ContainerState} from './types.js';
import {compareText} from './compare.js';

/** node: a Swarm node's availability (drain / active). */
export type ActionKind = 'scale' | 'drain' | 'node';

export type RefusalCode =
	| 'read-only'
	| 'invalid-target'
	| 'no-change'
	| 'below-min'
	| 'above-max'
	| 'count-changed'
	| 'version-changed'
	| 'no-other-node'
	| 'busy'
	| 'not-found'
	| 'not-running'
	| 'no-template'
	| 'backend'
	| 'unsafe-audit-log';

export interface Refusal {
	kind: 'refusal';
	action: ActionKind;
	code: RefusalCode;
	/** One line for the screen, the event log and the audit log. */
	reason: string;
	from?: number;
	to?: number;
	instance?: string;
}

export interface ScaleLimits {
	min: number;
	max: number;
	readOnly: boolean;
}

export function refusal(action: ActionKind, code: RefusalCode, reason: string, extra: Partial<Pick<Refusal, 'from' | 'to' | 'instance'>> = {}): Refusal {
	return {kind: 'refusal', action, code, reason, ...extra};
}

export function isRefusal(value: unknown): value is Refusal {
	return typeof value === 'object' && value !== null && (value as {kind?: unknown}).kind === 'refusal';
}

/**
 * Whether the service may go from `current` to `target` instances. Inside --min/--max the target must be inside them
 * too (what is typed is never silently clamped to something else). A service already outside them may move toward
 * them (never away, never past the other bound): above --max 43 → 42 and 43 → 6 are allowed, 43 → 44 is not, so
 * the gentlest way back is never the one refused. scaleNote says when the target is still outside.
 */
export function checkScale(current: number, target: number, limits: ScaleLimits): Refusal | null {
	const extra = {from: current, to: target};
	if (limits.readOnly) return refusal('scale', 'read-only', 'read-only: actions are off (--read-only)', extra);
	if (!Number.isInteger(target) || target < 0) {
		return refusal('scale', 'invalid-target', `"${String(target)}" is not a whole number of instances`, extra);
	}

	if (target === current) return refusal('scale', 'no-change', `already at ${current} instance${current === 1 ? '' : 's'}, nothing to do`, extra);
	if (current > limits.max && target > current) {
		return refusal('scale', 'above-max', `${current} already run, above the maximum of ${limits.max} (--max); only scaling down is allowed`, extra);
	}

	if (current < limits.min && target < current) {
		return refusal('scale', 'below-min', `${current} run, already below the minimum of ${limits.min} (--min); only scaling up is allowed`, extra);
	}

	// Below --min only when coming up from further below; above --max only when coming down from further above.
	if (target < limits.min && !(current < limits.min && target > current)) return refusal('scale', 'below-min', `${target} is below the minimum of ${limits.min} (--min)`, extra);
	if (target > limits.max && !(current > limits.max && target < current)) return refusal('scale', 'above-max', `${target} is above the maximum of ${limits.max} (--max)`, extra);
	return null;
}

/** `43 → 42 is still above the maximum of 6 (--max)` when an allowed move ends outside the bounds, else null. */
export function scaleNote(current: number, target: number, limits: Pick<ScaleLimits, 'min' | 'max'>): string | null {
	if (target > limits.max) return `${current} → ${target} is still above the maximum of ${limits.max} (--max)`;
	if (target < limits.min) return `${current} → ${target} is still below the minimum of ${limits.min} (--min)`;
	return null;
}

/**
 * A jump of more than one instance down from outside --min/--max asks for the number removed to be typed: `y` alone
 * (or a key held down) must not take 43 instances to 6. The text to type, or undefined when `y` is enough.
 */
export function explicitConfirmation(current: number, target: number, limits: Pick<ScaleLimits, 'min' | 'max'>): string | undefined {
	const outside = current > limits.max || current < limits.min;
	return outside && current - target > 1 ? String(current - target) : undefined;
}

/** Draining removes the instance, so the service goes from current to current - 1; above --max that is allowed. */
export function checkDrain(current: number, instance: string, limits: ScaleLimits): Refusal | null {
	const extra = {from: current, to: current - 1, instance};
	if (limits.readOnly) return refusal('drain', 'read-only', 'read-only: actions are off (--read-only)', extra);
	if (current - 1 < limits.min) {
		return refusal('drain', 'below-min', `draining ${instance} would leave ${current - 1} instance${current - 1 === 1 ? '' : 's'}, below the minimum of ${limits.min} (--min)`, extra);
	}

	return null;
}

/** The count read right before acting must still be the one the confirmation showed. */
export function checkUnchanged(action: ActionKind, confirmed: number, actual: number, instance?: string): Refusal | null {
	if (confirmed === actual) return null;
	return refusal(
		action,
		'count-changed',
		`the instance count changed from ${confirmed} to ${actual} since the confirmation was shown; nothing was done, look again and retry`,
		{from: confirmed, to: actual, ...(instance === undefined ? {} : {instance})},
	);
}

export interface DbProjection {
	/** Client connections now. */
	current: number;
	/** current / instances now: what each instance holds on average. */
	perInstance: number;
	/** current + perInstance × added instances, rounded up. */
	projected: number;
	max: number;
	/** projected / max, in %. */
	percent: number;
	/** The threshold it is compared with (the database IMMEDIATE threshold), in %. */
	threshold: number;
	/** projected % above the threshold (same comparison as the live rules: strictly above). */
	warn: boolean;
	text: string;
}

/**
 * What scaling from `instances` to `target` would do to the database connections, assuming each new instance opens
 * as many as the average one holds now. Null when it cannot be known (no reading, or no instance to average).
 */
export function projectDbConnections(input: {
	instances: number;
	target: number;
	dbConnections: number | undefined;
	dbMax: number | undefined;
	thresholdPercent: number;
}): DbProjection | null {
	const {instances, target, dbConnections, dbMax, thresholdPercent} = input;
	if (dbConnections === undefined || dbMax === undefined || !(dbMax > 0) || !(instances > 0) || !(dbConnections >= 0)) return null;
	const perInstance = dbConnections / instances;
	const projected = Math.ceil(dbConnections + perInstance * (target - instances) - 1e-9);
	const percent = (projected / dbMax) * 100;
	const warn = percent > thresholdPercent;
	const round = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));
	const text =
		`database connections ${dbConnections} → ~${projected} of ${dbMax} (${Math.round(percent)}%, ${round(perInstance)} per instance)` +
		(warn ? `: WARNING above the ${thresholdPercent}% database threshold` : '');
	return {current: dbConnections, perInstance, projected, max: dbMax, percent, threshold: thresholdPercent, warn, text};
}

/**
 * Compose's order for scaling down: the highest container numbers go first (compose 1.29 sorts by number and
 * removes the tail; v2 does the same). Instances without a number are taken last.
 */
export function scaleDownVictims<T extends {number: number | null; name: string}>(instances: readonly T[], count: number): T[] {
	const ordered = [...instances].sort((a, b) => {
		const an = a.number ?? -1;
		const bn = b.number ?? -1;
		return bn - an || compareText(b.name, a.name);
	});
	return ordered.slice(0, Math.max(0, count));
}

/** The instances that count for scaling: what `docker compose ps` shows as up. Exited and created ones do not count. */
export function countsAsRunning(state: ContainerState): boolean {
	return state === 'running' || state === 'restarting' || state === 'paused';
}

/** The instance count the confirmation shows and the runner checks again before acting. */
export function runningCount(instances: ReadonlyArray<{state: ContainerState}>): number {
	return instances.filter((instance) => countsAsRunning(instance.state)).length;
}

/** Where a scale action happens when the service runs on several engines, and why there (for the confirmation). */
export interface HostPlacement {
	host: string;
	/** e.g. `on app2, the host with the fewest replicas (app1 2 · app2 1 · app3 2)` */
	text: string;
}

/** Running replicas per host, in the hosts' order (hosts with none included). */
export function replicasPerHost(instances: ReadonlyArray<{host?: string; state: ContainerState}>, hosts: readonly string[]): Map<string, number> {
	const counts = new Map<string, number>(hosts.map((host) => [host, 0]));
	for (const instance of instances) {
		if (instance.host !== undefined && counts.has(instance.host) && countsAsRunning(instance.state)) counts.set(instance.host, counts.get(instance.host)! + 1);
	}

	return counts;
}

/**
 * The host a scale acts on: the operator's choice, else for a scale-up the host with the fewest running replicas and
 * for a scale-down the one with the most (the first in the given order on a tie). A scale-down on a host that runs
 * fewer replicas than it would remove is refused.
 */
export function placeScale(direction: 'up' | 'down', count: number, counts: ReadonlyMap<string, number>, requested?: string): HostPlacement | Refusal {
	const hosts = [...counts.keys()];
	const list = hosts.map((host) => `${host} ${counts.get(host)}`).join(' · ');
	if (requested !== undefined && !counts.has(requested)) return refusal('scale', 'backend', `no engine named ${requested} (the engines: ${hosts.join(', ')})`);
	let host = requested;
	if (host === undefined) {
		for (const candidate of hosts) {
			const better = direction === 'up' ? counts.get(candidate)! < counts.get(host ?? candidate)! : counts.get(candidate)! > counts.get(host ?? candidate)!;
			if (host === undefined || better) host = candidate;
		}
	}

	if (host === undefined) return refusal('scale', 'backend', 'no engine to scale on');
	if (direction === 'down' && counts.get(host)! < count) {
		return refusal('scale', 'backend', `${host} runs ${counts.get(host)} replica${counts.get(host) === 1 ? '' : 's'}, fewer than the ${count} to remove there (${list})`);
	}

	const why = requested !== undefined ? 'chosen' : direction === 'up' ? 'the host with the fewest replicas' : 'the host with the most replicas';
	return {host, text: `on ${host}, ${why} (${list})`};
}
