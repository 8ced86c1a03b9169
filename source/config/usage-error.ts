// Bad input from the user: one line, exit code 64 (EX_USAGE), never a stack trace.
import {scrubSecrets} from '../core/redact.js';

export class UsageError extends Error {
	readonly exitCode = 64;
	constructor(message: string) {
		// Whatever value a message echoes, a URL password in it never leaves.
		super(scrubSecrets(message.replace(/\s*\n\s*/g, ' '), []));
		this.name = 'UsageError';
	}
}
