// `va-top`: the full-screen monitor. Starts the stack, hands the screen to the UI, stops the stack on every way out.
import type {Options} from '../config/options.js';
import {UsageError} from '../config/usage-error.js';
import type {Stack} from '../sources/stack.js';
import {renderLive} from '../ui/render-live.js';

/** Closing connections must not hold the prompt hostage. */
const stopGraceMs = 1500;

export async function runLive(stack: Stack, options: Options): Promise<number> {
	if (!process.stdout.isTTY) {
		throw new UsageError('the live monitor needs a terminal on stdout, expected a TTY (use --once for a report)');
	}

	stack.start();
	try {
		return await renderLive({stack, options});
	} finally {
		await Promise.race([stack.stop(), new Promise(resolve => setTimeout(resolve, stopGraceMs).unref())]);
	}
}
