// PgBouncer's own refusals, said so a person knows what to change; everything else goes through the shared mapping.
import {describeError} from '../describe-error.js';

function messageOf(error: unknown): string {
	return typeof error === 'object' && error !== null && typeof (error as {message?: unknown}).message === 'string' ? (error as {message: string}).message : '';
}

/**
 * `user "monitor" may not read PgBouncer's console: add it to stats_users`, `PgBouncer refused the login parameter
 * options (…)`, or the shared reasons (`connection refused at 127.0.0.1:6432`, `timed out after 2s at …`).
 */
export function describePgbouncerError(error: unknown, endpoint: string, user: string, timeoutMs: number): string {
	const message = messageOf(error).split('\n', 1)[0]!.trim();
	// The console's answer to a user in neither admin_users nor stats_users.
	if (/^not allowed$/i.test(message)) return `user "${user}" may not read PgBouncer's console at ${endpoint}: add it to stats_users in pgbouncer.ini`;
	// PgBouncer says `SASL authentication failed` for a wrong SCRAM password, `password authentication failed` for md5.
	if (/^(?:SASL|password) authentication failed\b/i.test(message)) return `password authentication failed for user "${user}" at ${endpoint}`;
	if (/^no such user\b/i.test(message)) return `PgBouncer does not know user "${user}" at ${endpoint}: add it to its auth_file (userlist.txt)`;
	if (/^no such database\b/i.test(message)) return `no such database at ${endpoint}: the console is database pgbouncer (postgres://USER@HOST:PORT/pgbouncer)`;
	const parameter = /^unsupported startup parameter:\s*(\S+)/i.exec(message);
	if (parameter) return `PgBouncer refused the login parameter ${parameter[1]} at ${endpoint} (set by the environment, e.g. PGOPTIONS: unset it)`;
	if (/^pgbouncer (?:is )?(?:shutting down|in shutdown)|^database shutting down|^server shutting down/i.test(message)) return `PgBouncer is shutting down at ${endpoint}`;
	return describeError(error, endpoint, timeoutMs);
}
