// Bad input from the user: one line, exit code 64 (EX_USAGE), never a stack trace.
export class UsageError extends Error {
	readonly exitCode = 64;
	constructor(message: string) {
		super(message);
		this.name = 'UsageError';
	}
}
