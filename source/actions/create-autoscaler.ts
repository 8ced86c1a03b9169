// From the validated Options to the autoscaler: the policy's settings (the autoscale flags plus --min/--max and
// --db-immediate), the countdown (none headless), and the runner it acts through.
import type {Options} from '../config/options.js';
import type {AutoscaleSettings} from '../core/autoscale-policy.js';
import type {EventEntry} from '../core/event-log.js';
import type {AnySourceModel} from '../core/source-model.js';
import type {ActionRunner} from './action-runner.js';
import {claimAutoscaleLock} from './autoscale-lock.js';
import {createAutoscaler, type Autoscaler, type AutoscaleRecord} from './autoscaler.js';

export type AutoscalerOptions = Pick<Options, 'autoscale' | 'min' | 'max' | 'thresholds'> & Partial<Pick<Options, 'project' | 'service' | 'dockerHost' | 'historyDir' | 'demo'>>;

export function autoscaleSettings(options: AutoscalerOptions): AutoscaleSettings {
	const {autoscale} = options;
	return {
		scaleUpAt: autoscale.scaleUpAt,
		scaleDownAt: autoscale.scaleDownAt,
		min: options.min,
		max: options.max,
		intervalMs: autoscale.intervalMs,
		upSustainMs: autoscale.upSustainMs,
		downSustainMs: autoscale.downSustainMs,
		cooldownMs: autoscale.cooldownMs,
		dbThreshold: options.thresholds.dbImmediate,
		triggers: autoscale.triggers,
	};
}

/** The policy in a few words: `2..10, avg CPU > 70 % / < 30 %`. */
export function autoscaleSummary(options: AutoscalerOptions): string {
	const others = options.autoscale.triggers.filter(trigger => trigger !== 'cpu');
	return `${options.min}..${options.max}, avg CPU > ${options.autoscale.scaleUpAt} % / < ${options.autoscale.scaleDownAt} %${others.length > 0 ? `, up also on ${others.join(', ')}` : ''}`;
}

export function createAutoscalerFor(input: {
	options: AutoscalerOptions;
	runner: ActionRunner;
	/** The configured sources' models (the stack's). */
	sources: readonly AnySourceModel[];
	log: (entry: EventEntry) => void;
	emit?: (record: AutoscaleRecord) => void;
	/** The live monitor's countdown; headless has none (no one to press a key). */
	headless: boolean;
	now?: () => number;
	env?: NodeJS.ProcessEnv;
}): Autoscaler {
	const {options} = input;
	// One autoscaler per real stack (the demo is no one's); the headless mode has claimed it already.
	const lockable = !input.headless && options.demo !== true && options.project !== undefined && options.service !== undefined;
	const claim = lockable
		? () => {
				const result = claimAutoscaleLock({project: options.project!, service: options.service!, dockerHost: options.dockerHost, historyDir: options.historyDir}, input.env);
				return result.kind === 'held' ? result.lock : result.reason;
			}
		: undefined;
	return createAutoscaler({
		runner: input.runner,
		settings: autoscaleSettings(options),
		sources: input.sources,
		memUpAt: options.thresholds.memSoon,
		countdownMs: input.headless ? 0 : options.autoscale.countdownMs,
		enabled: options.autoscale.enabled,
		log: input.log,
		emit: input.emit,
		now: input.now,
		claim,
	});
}
