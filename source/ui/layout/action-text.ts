// Words for the actions on screen: the confirmation's lines fitted to a box, the status line (the count being typed,
// results, refusals), an instance row's activity cell and which rows show one, the progress of the action running.
// Pure: state in, text out (the components only draw it). Instances are named by their container name, as in the
// event log and the audit log.
import type {ActionPlan, InstanceActivity} from '../../actions/action-runner.js';
import type {DrainProgress} from '../../actions/drain.js';
import type {InstanceSample} from '../../core/types.js';
import type {ActionDialog, ActionStatus, NoticeTone, RunningAction} from '../hooks/use-action-state.js';
import {fit, wrapText} from './format.js';
import type {ColorName} from './symbols.js';

export type DialogLineStyle = 'title' | 'plain' | 'step' | 'warn' | 'keys' | 'input' | 'dim';

export interface DialogLine {
	text: string;
	style: DialogLineStyle;
	/** Colour of a title: by what the dialog is about. */
	color?: ColorName;
}

export interface DialogContext {
	service: string;
	project: string;
	min: number;
	max: number;
	/** The running count now, for the count input. */
	current: number | null;
	dryRun: boolean;
}

const toneColor: Record<NoticeTone, ColorName> = {
	refused: 'yellow',
	failed: 'red',
	done: 'green',
	aborted: 'cyan',
	'dry-run': 'yellow',
	info: 'cyan',
};

/** Lines with a priority: the lowest go first when the box is too short (the title and the keys always stay). */
interface Entry {
	line: DialogLine;
	priority: number;
}

function wrapped(text: string, width: number, style: DialogLineStyle, priority: number, first = '', rest = first.replace(/./g, ' ')): Entry[] {
	const room = Math.max(1, width - Array.from(first).length);
	return wrapText(text, room).map((part, index) => ({line: {text: (index === 0 ? first : rest) + part, style}, priority}));
}

function planEntries(plan: ActionPlan, width: number, context: DialogContext, typed: string): Entry[] {
	const entries: Entry[] = [];
	const title =
		plan.kind === 'scale'
			? `SCALE ${context.service} ${plan.from} → ${plan.to} (${plan.direction === 'up' ? `+${plan.to - plan.from}` : `-${plan.from - plan.to}`})${plan.host ? ` on ${plan.host}` : ''}`
			: plan.kind === 'drain'
				? `DRAIN ${plan.instance.name}, then remove it`
				: `NODE ${plan.node.hostname}: ${plan.availability.from} → ${plan.availability.to.toUpperCase()}`;
	entries.push({line: {text: title + (plan.dryRun ? ' · DRY RUN' : ''), style: 'title', color: plan.kind === 'scale' && plan.direction === 'up' ? 'cyan' : 'yellow'}, priority: 100});
	// A versioned service (Swarm): the count is its replicas, and the version is what the change is made against.
	const version = plan.kind !== 'node' && plan.version !== undefined && plan.version !== null ? ` · version ${plan.version}` : '';
	const counts =
		plan.kind === 'scale'
			? `${version === '' ? 'running now' : 'replicas now'} ${plan.from} · target ${plan.to} · allowed ${context.min}-${context.max} (--min/--max)${version}`
			: plan.kind === 'drain'
				? `${version === '' ? 'running now' : 'replicas now'} ${plan.from} · after ${plan.to} · waits at most ${plan.timeoutSeconds} s for its connections${version}`
				: `node version ${plan.version} · the service's replicas do not change`;
	entries.push(...wrapped(counts, width, 'plain', 90));
	const warnings = new Set(plan.warnings);
	plan.steps.forEach((step, index) => {
		const warn = warnings.has(step);
		entries.push(...wrapped(step, width, warn ? 'warn' : 'step', warn ? 80 : 50 - index, warn ? `${index + 1}. ▲▲ ` : `${index + 1}. `));
	});
	for (const warning of plan.warnings) {
		if (!plan.steps.includes(warning)) entries.push(...wrapped(warning, width, 'warn', 85, '▲▲ '));
	}

	if (plan.confirmText !== undefined) {
		// A jump of more than one from outside --min/--max: the number removed is typed, so y cannot do it.
		entries.push({line: {text: `this removes ${plan.confirmText} instances at once: type ${plan.confirmText}, then Enter`, style: 'warn'}, priority: 95});
		entries.push({line: {text: `removed: ${typed}▏`, style: 'input'}, priority: 100});
		entries.push({line: {text: `type ${plan.confirmText} and Enter to confirm · any other key cancels`, style: 'keys'}, priority: 100});
		return entries;
	}

	const otherHost = plan.kind === 'scale' && (plan.hosts?.length ?? 0) > 1 ? 'h another host · ' : '';
	entries.push({line: {text: `y confirm · ${otherHost}any other key cancels`, style: 'keys'}, priority: 100});
	return entries;
}


function dialogEntries(dialog: ActionDialog, width: number, context: DialogContext): Entry[] {
	switch (dialog.kind) {
		case 'confirm':
			return planEntries(dialog.plan, width, context, dialog.typed);
		// The count after `s` is typed on the status line (statusLine), not in a box.
		case 'input':
		case 'none':
			return [];
	}
}

/**
 * The dialog as at most `height` lines of at most `width` cells. When it does not fit, the least important lines go
 * (the last steps first) and a `…` line says so; the title, the counts, warnings and the keys line stay.
 */
export function dialogLines(dialog: ActionDialog, width: number, height: number, context: DialogContext): DialogLine[] {
	if (height <= 0 || width <= 0) return [];
	const inner = Math.max(1, width - 2);
	const entries = dialogEntries(dialog, inner, context);
	let kept = entries.map((entry, index) => ({...entry, index}));
	let cut = false;
	while (kept.length > height || (cut && kept.length + 1 > height)) {
		// Drop the lowest priority, latest first.
		let drop = 0;
		for (let i = 1; i < kept.length; i++) {
			if (kept[i]!.priority <= kept[drop]!.priority) drop = i;
		}

		kept = kept.filter((_, i) => i !== drop);
		cut = true;
	}

	const lines = kept.map(entry => ({...entry.line, text: fit(entry.line.text, width)}));
	if (cut && lines.length > 0) {
		// Just above the keys line.
		lines.splice(Math.max(0, lines.length - 1), 0, {text: fit('  … (more than fits this pane)', width), style: 'dim'});
	}

	return lines.slice(0, height);
}

/** What an instance row shows for an action, in at most `width` cells, and in which colour. */
export function activityCell(activity: InstanceActivity, width: number): {text: string; color: ColorName} {
	const seconds = activity.secondsLeft === null ? '' : ` ${activity.secondsLeft}s`;
	const conn = activity.connections === null ? '?' : String(activity.connections);
	let long: string;
	let short: string;
	let color: ColorName = 'yellow';
	switch (activity.phase) {
		case 'waiting':
			long = `draining ${conn} conn${seconds}`;
			short = `⇣${conn}${seconds}`;
			break;
		case 'balancer':
			long = 'leaving balancer';
			short = 'lb out';
			break;
		case 'stopping':
			long = 'stopping';
			short = 'stop';
			break;
		case 'restoring':
			long = 'restoring';
			short = 'restore';
			color = 'cyan';
			break;
		case 'done':
		case 'removed':
			long = 'removed';
			short = 'gone';
			color = 'green';
			break;
		case 'created':
			long = 'new';
			short = 'new';
			color = 'green';
			break;
		case 'restored':
			long = 'restored';
			short = 'back';
			color = 'cyan';
			break;
		case 'aborted':
			long = 'aborted';
			short = 'abort';
			color = 'cyan';
			break;
		case 'failed':
			long = activity.text || 'failed';
			short = 'FAIL';
			color = 'red';
			break;
		case 'planned':
			long = 'planned';
			short = 'plan';
			break;
	}

	return {text: fit(Array.from(long).length <= width ? long : short, width), color};
}

/** True while the phase is a step still under way (shown bold), not a result. */
export function activityInProgress(activity: InstanceActivity): boolean {
	return activity.phase === 'waiting' || activity.phase === 'balancer' || activity.phase === 'stopping' || activity.phase === 'restoring' || activity.phase === 'planned';
}

function progressText(progress: DrainProgress | null): string {
	if (progress === null) return 'starting';
	switch (progress.phase) {
		case 'balancer':
			return 'leaving the balancer';
		case 'waiting':
			return `${progress.connections ?? '?'} conn, ${progress.secondsLeft}s left`;
		case 'stopping':
			return 'stopping';
		case 'restoring':
			return 'putting back';
		case 'done':
			return 'removed';
	}
}

/** The status line's words for the action in progress: `drain voiceassist-voiceassist-server-3: 4 conn, 27s left`. */
export function runningText(running: RunningAction): string {
	const {plan} = running;
	if (plan.kind === 'node') return `${plan.title}: updating`;
	if (running.aborting) return `${plan.kind === 'drain' ? `drain ${plan.instance.name}` : plan.title}: aborting, putting back`;
	if (plan.kind === 'drain') return `drain ${plan.instance.name}: ${progressText(running.progress)}`;
	if (plan.direction === 'up') return `${plan.title}: creating`;
	return `${plan.title}: ${running.progress ? `${running.progress.instance} ` : ''}${progressText(running.progress)}`;
}

/** What the status line says, and in which colour: the count being typed, else the last result or refusal. */
export interface StatusText {
	text: string;
	color: ColorName;
	/** Bold: a prompt being typed, or a failure. */
	strong: boolean;
}

const statusColor: Record<NoticeTone, ColorName> = toneColor;

/** The count prompt after `s`, or the status (a result, a refusal), or null when there is nothing to say. */
export function actionStatusText(dialog: ActionDialog, status: ActionStatus | null, context: Pick<DialogContext, 'current' | 'min' | 'max' | 'dryRun'>): StatusText | null {
	if (dialog.kind === 'input') {
		const now = context.current === null ? '?' : String(context.current);
		return {text: `scale to: ${dialog.text}▏ (running ${now}, allowed ${context.min}-${context.max}${context.dryRun ? ', DRY RUN' : ''})`, color: 'cyan', strong: true};
	}

	if (status === null) return null;
	return {text: status.text, color: statusColor[status.tone], strong: status.tone === 'failed'};
}

/**
 * The activity rows show: a step while it lasts; a result only as long as it is news. `new` while the instance starts
 * (created, health starting, no reading yet), `restored` and `aborted` for one interval after they came, `removed`
 * while the row is still listed, a failure for failureShowMs. So CPU and memory are never hidden by an old word.
 */
export const failureShowMs = 30_000;

export function visibleActivity(
	activity: ReadonlyMap<string, InstanceActivity>,
	seen: (entry: InstanceActivity) => number,
	instances: readonly InstanceSample[],
	now: number,
	intervalMs: number,
): ReadonlyMap<string, InstanceActivity> {
	if (activity.size === 0) return activity;
	const byName = new Map(instances.map(instance => [instance.name, instance]));
	const shown = new Map<string, InstanceActivity>();
	for (const [name, entry] of activity) {
		const instance = byName.get(name);
		if (instance === undefined) continue;
		const age = now - seen(entry);
		let show: boolean;
		switch (entry.phase) {
			case 'created':
				show = instance.state !== 'running' || instance.health === 'starting' || instance.cpuPercent === null;
				break;
			case 'restored':
			case 'aborted':
				show = age <= intervalMs;
				break;
			case 'failed':
				show = age < failureShowMs;
				break;
			default:
				show = true;
		}

		if (show) shown.set(name, entry);
	}

	return shown.size === activity.size ? activity : shown;
}
