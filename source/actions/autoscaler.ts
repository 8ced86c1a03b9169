// The autoscaler: the pure policy (core/autoscale-policy.ts) fed every monitor frame, and, when on, its decisions
// carried out through the one action runner (drain on scale-down, the precondition, the audit log with
// "by": "autoscale", dry-run and read-only). Supervised in the live monitor: a countdown before each act that any key
// cancels; headless: acts at once and says everything as JSON records. Always on as a preview, even when off.
import {runningCount} from '../core/action-rules.js';
import {autoscaleInput, budgetConnections} from '../core/autoscale-input.js';
import {initialAutoscaleState, noteScale, spanText, stepAutoscale, type AutoscaleDecision, type AutoscaleSettings, type AutoscaleState} from '../core/autoscale-policy.js';
import type {EventEntry} from '../core/event-log.js';
import type {MonitorFrame} from '../core/monitor.js';
import type {AnySourceModel} from '../core/source-model.js';
import {isRefusal, type ActionResult, type ActionRunner, type ScalePlan} from './action-runner.js';

/** What the headless mode prints, one JSON line each (see README, "Headless autoscaler"). */
export type AutoscaleRecord =
	| {event: 'decision'; kind: AutoscaleDecision['kind']; from: number | null; to: number | null; text: string; etaSeconds: number | null; avgCpuPercent: number | null}
	| {event: 'act'; action: 'scale'; direction: 'up' | 'down'; from: number; to: number; text: string; dryRun: boolean}
	| {event: 'result'; action: 'scale'; result: ActionResult['result']; from: number | null; to: number | null; message: string; durationMs: number}
	| {event: 'refused'; action: 'scale'; from: number | null; to: number | null; reason: string}
	| {event: 'countdown'; from: number; to: number; seconds: number}
	| {event: 'cancelled'; text: string}
	| {event: 'enabled' | 'disabled'; text: string};

export interface AutoscalerView {
	enabled: boolean;
	/** The policy's latest word; null before the first frame. */
	decision: AutoscaleDecision | null;
	/** A countdown before acting (live monitor): any key cancels it. */
	countdown: {direction: 'up' | 'down'; from: number; to: number; endsAt: number} | null;
	/** The act in progress, or null. */
	acting: {from: number; to: number} | null;
	/** Acting is impossible: --read-only. */
	readOnly: boolean;
	dryRun: boolean;
	/** The preview line, after `autoscale: `. */
	text: string;
}

export interface Autoscaler {
	/** Every monitor frame: the policy's clocks move on, and when on, it acts. */
	observe(frame: MonitorFrame): void;
	view(): AutoscalerView;
	subscribe(listener: () => void): () => void;
	enable(how: string): void;
	disable(why: string): void;
	/**
	 * A key during a countdown: cancels it and turns autoscaling off; during an act's drain (Esc): aborts it, which puts
	 * the instance back. True when there was something to cancel (the key is then spent).
	 */
	cancel(why: string, abortAct?: boolean): boolean;
	/** On exit: no new act; a drain in progress is aborted (back into the balancer) unless its stop has begun. Resolves when nothing runs. */
	stop(): Promise<void>;
}

export interface AutoscalerInit {
	runner: ActionRunner;
	settings: AutoscaleSettings;
	/** The sources' models (the connection budget, the triggers they feed). */
	sources: readonly AnySourceModel[];
	/** Memory % that calls for a scale-up when memory is a trigger (--mem-soon). */
	memUpAt: number;
	/** Before each act; 0: act at once (headless). */
	countdownMs: number;
	enabled: boolean;
	/** The event log (monitor.log). */
	log: (entry: EventEntry) => void;
	/** Headless: every decision, act, result and refusal. */
	emit?: (record: AutoscaleRecord) => void;
	/** The stack's clock (the demo's runs on its own). */
	now?: () => number;
	/**
	 * Claims the stack for this autoscaler when it turns on (one autoscaler per stack: autoscale-lock.ts); a string
	 * says why not, and it stays off. Released when it turns off.
	 */
	claim?: () => {release(): void} | string;
}

const logKey = 'autoscale';

export function createAutoscaler(init: AutoscalerInit): Autoscaler {
	const {runner, settings} = init;
	const now = init.now ?? Date.now;
	const listeners = new Set<() => void>();
	let state: AutoscaleState = initialAutoscaleState;
	let enabled = false;
	let claimed: {release(): void} | null = null;
	let decision: AutoscaleDecision | null = null;
	let latest: MonitorFrame | undefined;
	let countdown: AutoscalerView['countdown'] = null;
	let countdownTimer: NodeJS.Timeout | undefined;
	let acting: AutoscalerView['acting'] = null;
	let act: Promise<void> | null = null;
	let abort: AbortController | null = null;
	let stopped = false;
	let cachedView: AutoscalerView | null = null;
	let readOnlySaid = false;

	/** Takes the stack's autoscale lock; false (and said why) when another autoscaler has it. */
	function claim(): boolean {
		if (claimed !== null || init.claim === undefined) return true;
		const got = init.claim();
		if (typeof got === 'string') {
			emit({event: 'refused', action: 'scale', from: null, to: null, reason: `autoscaling stays off: ${got}`});
			log(`stays off: ${got}`, 'UNKNOWN');
			return false;
		}

		claimed = got;
		return true;
	}

	function unclaim(): void {
		claimed?.release();
		claimed = null;
	}

	function changed(): void {
		cachedView = null;
		for (const listener of [...listeners]) {
			try {
				listener();
			} catch {
				// A listener's bug must not stop the autoscaler.
			}
		}
	}

	function emit(record: AutoscaleRecord): void {
		try {
			init.emit?.(record);
		} catch {
			// Output is for people; the audit log is the record.
		}
	}

	function log(text: string, level: EventEntry['level'] = 'INFO'): void {
		try {
			init.log({at: now(), level, key: logKey, text: `autoscale: ${text}`});
		} catch {
			// As above.
		}
	}

	// An operator's action pauses the autoscaler for its cooldown, counted from the action's end.
	let operatorActing = false;
	runner.subscribe(() => {
		const busy = runner.inProgress();
		if (busy !== null && busy.by !== 'autoscale') operatorActing = true;
		if (busy === null && operatorActing) {
			operatorActing = false;
			state = noteScale(state, now());
			changed();
		}
	});

	function clearCountdown(): void {
		clearTimeout(countdownTimer);
		countdownTimer = undefined;
		countdown = null;
	}

	/** The act still wanted: the same step, the conditions still met. */
	function stillWanted(step: {direction: 'up' | 'down'; from: number}): boolean {
		return decision !== null && decision.ready && decision.kind === step.direction && decision.from === step.from;
	}

	function start(step: AutoscaleDecision & {kind: 'up' | 'down'; from: number; to: number}): void {
		if (init.countdownMs <= 0) {
			act = carryOut(step);
			return;
		}

		countdown = {direction: step.kind, from: step.from, to: step.to, endsAt: now() + init.countdownMs};
		emit({event: 'countdown', from: step.from, to: step.to, seconds: Math.round(init.countdownMs / 1000)});
		log(`scale ${step.kind} ${step.from} → ${step.to} in ${spanText(init.countdownMs)} (${step.text}); any key cancels`);
		countdownTimer = setTimeout(() => {
			const pending = countdown;
			clearCountdown();
			if (pending === null || stopped || !enabled) return;
			if (!stillWanted(pending)) {
				log(`did not scale ${pending.direction} ${pending.from} → ${pending.to}: ${decision?.text ?? 'no reading'}`);
				changed();
				return;
			}

			act = carryOut({...decision!, kind: pending.direction, from: pending.from, to: pending.to});
		}, init.countdownMs);
		countdownTimer.unref?.();
	}

	async function carryOut(step: {kind: 'up' | 'down'; from: number; to: number; text: string}): Promise<void> {
		const snapshot = latest?.snapshot;
		acting = {from: step.from, to: step.to};
		changed();
		try {
			const instances = snapshot?.docker.instances ?? [];
			const db = snapshot === undefined ? null : budgetConnections(snapshot, init.sources);
			const plan = runner.planScale(step.to, {current: runningCount(instances), dbConnections: db?.used, dbMax: db?.max, instances, by: 'autoscale'});
			if (isRefusal(plan)) {
				emit({event: 'refused', action: 'scale', from: plan.from ?? step.from, to: plan.to ?? step.to, reason: plan.reason});
				return;
			}

			emit({event: 'act', action: 'scale', direction: step.kind, from: plan.from, to: plan.to, text: step.text, dryRun: plan.dryRun});
			abort = new AbortController();
			const result = await execute(plan, abort.signal);
			if (result.result === 'refused') emit({event: 'refused', action: 'scale', from: result.from, to: result.to, reason: result.refusal?.reason ?? result.message});
			else emit({event: 'result', action: 'scale', result: result.result, from: result.from, to: result.to, message: result.message, durationMs: result.durationMs});
		} finally {
			// Whatever came of it (done, refused, failed, a dry run): the cooldown, so a failure is not retried at once.
			state = noteScale(state, now());
			acting = null;
			abort = null;
			act = null;
			changed();
		}
	}

	async function execute(plan: ScalePlan, signal: AbortSignal): Promise<ActionResult> {
		try {
			return await runner.executeScale(plan, {signal});
		} catch (error) {
			const message = `scale ${plan.from} → ${plan.to} failed: ${error instanceof Error ? error.message : String(error)}`;
			return {action: 'scale', result: 'failed', from: plan.from, to: plan.to, instance: null, message, durationMs: 0};
		}
	}

	function busyText(): string | null {
		const busy = runner.inProgress();
		if (busy === null) return null;
		return busy.kind === 'scale' ? `${busy.by === 'autoscale' ? 'its ' : ''}scale ${busy.from} → ${busy.to}` : busy.kind === 'drain' ? `drain of ${busy.instance.name}` : busy.title;
	}

	function viewText(): string {
		if (countdown !== null) {
			const left = Math.max(0, countdown.endsAt - now());
			return `scaling ${countdown.direction} ${countdown.from} → ${countdown.to} in ${spanText(left)}: any key cancels (and turns autoscaling off)`;
		}

		if (acting !== null) return `scaling ${acting.to > acting.from ? 'up' : 'down'} ${acting.from} → ${acting.to}…`;
		return decision === null ? 'waiting for the first reading' : decision.text;
	}

	const autoscaler: Autoscaler = {
		observe(frame) {
			latest = frame;
			const input = autoscaleInput({snapshot: frame.snapshot, assessment: frame.assessment, sources: init.sources, busy: busyText(), memUpAt: init.memUpAt}, settings);
			const step = stepAutoscale(state, input, settings);
			state = step.state;
			decision = step.decision;
			if (decision.evaluation) {
				emit({
					event: 'decision',
					kind: decision.kind,
					from: decision.from,
					to: decision.to,
					text: decision.text,
					etaSeconds: decision.etaMs === null ? null : Math.ceil(decision.etaMs / 1000),
					avgCpuPercent: input.cpuPercent === null ? null : Math.round(input.cpuPercent * 10) / 10,
				});
			}

			if (countdown !== null && !stillWanted(countdown)) {
				log(`countdown dropped: ${decision.text}`);
				clearCountdown();
			}

			const step2 = decision;
			if (enabled && !stopped && countdown === null && acting === null && step2.act && (step2.kind === 'up' || step2.kind === 'down') && step2.from !== null && step2.to !== null) {
				if (runner.readOnly) {
					if (!readOnlySaid) log('read-only: the autoscaler only previews');
					readOnlySaid = true;
				} else {
					start({...step2, kind: step2.kind, from: step2.from, to: step2.to});
				}
			}

			changed();
		},
		view() {
			cachedView ??= {enabled, decision, countdown, acting, readOnly: runner.readOnly, dryRun: runner.dryRun, text: viewText()};
			return cachedView;
		},
		subscribe(listener) {
			listeners.add(listener);
			return () => {
				listeners.delete(listener);
			};
		},
		enable(how) {
			if (enabled || runner.readOnly || stopped) return;
			if (!claim()) {
				changed();
				return;
			}

			enabled = true;
			emit({event: 'enabled', text: how});
			log(`on (${how}): scales ${settings.min}..${settings.max} on CPU over ${settings.scaleUpAt} % / under ${settings.scaleDownAt} %`);
			changed();
		},
		disable(why) {
			const hadCountdown = countdown !== null;
			clearCountdown();
			if (!enabled && !hadCountdown) return;
			enabled = false;
			unclaim();
			emit({event: 'disabled', text: why});
			log(`off (${why})`);
			changed();
		},
		cancel(why, abortAct = false) {
			if (countdown !== null) {
				const pending = countdown;
				clearCountdown();
				enabled = false;
				unclaim();
				emit({event: 'cancelled', text: why});
				log(`scale ${pending.direction} ${pending.from} → ${pending.to} cancelled (${why}); autoscaling is off`);
				changed();
				return true;
			}

			if (abortAct && abort !== null) {
				abort.abort();
				enabled = false;
				unclaim();
				log(`aborting its action (${why}); autoscaling is off`);
				changed();
				return true;
			}

			return false;
		},
		async stop() {
			stopped = true;
			enabled = false;
			clearCountdown();
			// A drain still waiting for connections puts the instance back; one already stopping runs to its end.
			abort?.abort();
			await act;
			unclaim();
			changed();
		},
	};
	// --autoscale: on from the start, if the stack is not another autoscaler's.
	if (init.enabled && !runner.readOnly && claim()) enabled = true;
	return autoscaler;
}
