// Waiting for the action runner to be idle: on every way out, an action in progress settles before the audit log
// is closed under it.
import type {ActionRunner} from './action-runner.js';

/** Resolves once the runner has no action in progress, or after timeoutMs (false then). */
export async function settled(runner: ActionRunner, timeoutMs: number): Promise<boolean> {
	if (runner.inProgress() === null) return true;
	return new Promise<boolean>(resolve => {
		let unsubscribe = () => {};
		const timer = setTimeout(() => {
			unsubscribe();
			resolve(runner.inProgress() === null);
		}, timeoutMs);
		unsubscribe = runner.subscribe(() => {
			if (runner.inProgress() !== null) return;
			clearTimeout(timer);
			unsubscribe();
			resolve(true);
		});
	});
}
