// --pgbouncer, PGBOUNCER_URL → the admin console va-top reads; not given: no pool source (absent, never zeros).
import type {FlagSpec} from '../../config/flags.js';
import {validatePostgresUrl} from '../../config/urls.js';
import {UsageError} from '../../config/usage-error.js';
import {redactUrl} from '../../core/redact.js';
import type {ConfigureInput} from '../source-kind.js';

export interface PgbouncerConfig {
	/** postgres://USER[:PASSWORD]@HOST:PORT/pgbouncer; the password never leaves the collector. */
	url: string;
}

const expected = 'a URL such as postgres://USER@HOST:6432/pgbouncer';

export const pgbouncerFlags: readonly FlagSpec[] = [
	{
		name: 'pgbouncer',
		kind: 'string',
		value: 'URL',
		description: "PgBouncer's admin console, read for pools with clients waiting: postgres://USER[:PASSWORD@]HOST:PORT/pgbouncer (USER in stats_users)",
		env: 'PGBOUNCER_URL',
		inConfig: true,
		group: 'Stack',
		expected,
	},
];

export function configurePgbouncer({given, env}: ConfigureInput): PgbouncerConfig | null {
	const flag = given('pgbouncer');
	const from = flag?.from ?? 'PGBOUNCER_URL';
	const raw = flag === undefined ? env.PGBOUNCER_URL?.trim() : String(flag.value).trim();
	if (raw === undefined || (flag === undefined && raw === '')) return null;
	if (raw === '') throw new UsageError(`${from}: empty value, expected ${expected}`);
	validatePostgresUrl(raw, from);
	const database = decodeURIComponent(new URL(raw).pathname.replace(/^\//, ''));
	if (database !== 'pgbouncer') {
		throw new UsageError(`${from}: database "${database}" in "${redactUrl(raw)}" is not the admin console, expected ${expected}`);
	}

	return {url: raw};
}
