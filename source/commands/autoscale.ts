// `va-top --autoscale --headless`: the runbook's va-autoscale loop, for a systemd unit. The same monitor, policy and
// action runner as the screen; one JSON line on stdout per decision (each --autoscale-interval), act, result and
// refusal. One per stack (the autoscale lock). SIGTERM, SIGINT or SIGHUP: no new act; a drain still waiting for its
// connections puts the instance back into the balancer, one already stopping finishes; the result is audited and
// printed, then exit 0.
import {createActions, type Actions} from '../actions/create-actions.js';
import {claimAutoscaleLock} from '../actions/autoscale-lock.js';
import type {Autoscaler, AutoscaleRecord} from '../actions/autoscaler.js';
import {autoscaleSettings, createAutoscalerFor} from '../actions/create-autoscaler.js';
import type {Options} from '../config/options.js';
import {History} from '../core/history.js';
import {createMonitor} from '../core/monitor.js';
import {noSelfMadeChanges} from '../core/rules.js';
import {selfMadeChanges} from '../actions/self-made.js';
import {scrubSecrets} from '../core/redact.js';
import type {DemoStack} from '../sources/demo/demo-stack.js';
import type {Stack} from '../sources/stack.js';
import {settled} from '../actions/settled.js';

/** The first stop signal; the handlers stay, so a second one (timeout(1) signals the group too) cannot cut the stop short. */
export function stopSignal(proc: NodeJS.Process = process): Promise<NodeJS.Signals> {
	return new Promise(resolve => {
		for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) proc.on(signal, () => resolve(signal));
	});
}

/** Exit code when another autoscaler holds the stack (EX_TEMPFAIL: try again later). */
export const lockedExitCode = 75;
/** Closing connections must not hold up a systemd stop. */
const stopGraceMs = 1500;

export interface AutoscaleIo {
	write(text: string): void;
	/** One line on stderr (the lock refusal). */
	error(text: string): void;
	/** Resolves with the signal that asks to stop. */
	stopSignal: Promise<NodeJS.Signals>;
	env?: NodeJS.ProcessEnv;
}

export async function runHeadlessAutoscale(stack: Stack, options: Options, io: AutoscaleIo, demo?: DemoStack): Promise<number> {
	const print = (record: Record<string, unknown>) => io.write(`${scrubSecrets(JSON.stringify({time: new Date().toISOString(), ...record}), stack.secrets)}\n`);
	const lock = options.demo ? null : claimAutoscaleLock(options, io.env);
	if (lock?.kind === 'busy') {
		io.error(`va-top: another autoscaler is running on ${options.project}/${options.service}: ${lock.reason}; refusing to start a second one`);
		return lockedExitCode;
	}

	let actions: Actions | undefined;
	// Charts are not drawn here: two samples a series are enough for the monitor's bookkeeping. Instances the
	// actions are changing raise no breach, as in the live monitor.
	const monitor = createMonitor({
		thresholds: options.thresholds,
		sources: stack.models,
		intervalMs: options.intervalMs,
		history: new History(2),
		eventCapacity: 50,
		selfMade: () => (actions === undefined ? noSelfMadeChanges : selfMadeChanges(actions.runner)),
	});
	let autoscaler: Autoscaler | undefined;
	let timer: NodeJS.Timeout | undefined;
	try {
		// The runner's own steps (balancer, connections, stop) go out as `log` lines, beside the autoscaler's records.
		actions = createActions({
			options,
			demo,
			secrets: stack.secrets,
			// Several engines or a Swarm: the same instances the monitor reads are the ones acted on.
			...(stack.workload === undefined ? {} : {workload: stack.workload}),
			log: entry => {
				if (entry.key.startsWith('action:')) print({event: 'log', level: entry.level, text: entry.text});
			},
		});
		autoscaler = createAutoscalerFor({
			options,
			runner: actions.runner,
			sources: stack.models,
			log: () => undefined,
			emit: (record: AutoscaleRecord) => print({...record}),
			headless: true,
			now: demo === undefined ? undefined : () => demo.now(),
		});
		const settings = autoscaleSettings(options);
		print({
			event: 'start',
			project: options.project,
			service: options.service,
			min: settings.min,
			max: settings.max,
			scaleUpAt: settings.scaleUpAt,
			scaleDownAt: settings.scaleDownAt,
			triggers: settings.triggers,
			intervalSeconds: settings.intervalMs / 1000,
			upSustainSeconds: settings.upSustainMs / 1000,
			downSustainSeconds: settings.downSustainMs / 1000,
			cooldownSeconds: settings.cooldownMs / 1000,
			dbImmediate: settings.dbThreshold,
			dryRun: options.dryRun,
			readOnly: options.readOnly,
			lock: lock?.kind === 'held' ? lock.lock.path : null,
		});

		const scaler = autoscaler;
		const tick = () => {
			if (lock?.kind === 'held' && !lock.lock.stillOurs()) {
				// Another process judged this one dead and took the stack: two autoscalers must never act.
				scaler.disable('the autoscale lock was taken over');
				return;
			}

			scaler.observe(monitor.tick(stack.snapshot()));
		};

		stack.start();
		timer = setInterval(tick, Math.max(100, options.intervalMs));
		const signal = await io.stopSignal;
		clearInterval(timer);
		const busy = actions.runner.inProgress();
		print({event: 'stopping', signal, inProgress: busy === null ? null : busy.kind === 'drain' ? `drain of ${busy.instance.name}` : busy.title});
		// No new act; a drain still waiting puts the instance back, a stop under way finishes.
		const stopped = scaler.stop();
		const done = await settled(actions.runner, options.drainTimeoutMs + 30_000);
		await stopped;
		print({event: 'stop', signal, settled: done});
		return 0;
	} finally {
		clearInterval(timer);
		await autoscaler?.stop();
		await actions?.close();
		if (lock?.kind === 'held') lock.lock.release();
		await Promise.race([stack.stop(), new Promise(resolve => setTimeout(resolve, stopGraceMs).unref())]);
	}
}
