// --pg, DATABASE_URL, the PG* variables → the URL va-top connects with (validated; exit 64 otherwise).
import {emptyToUndefined, givenText, parseNumber} from '../../config/values.js';
import {validatePostgresUrl} from '../../config/urls.js';
import type {FlagSpec} from '../../config/flags.js';
import type {ConfigureInput} from '../source-kind.js';

export interface PostgresConfig {
	/** postgres://user:password@host:port/db; the password never leaves the collector. */
	url: string;
}

export const defaultPostgresUrl = 'postgres://voiceassist@localhost:5432/voiceassist';

export const postgresFlags: readonly FlagSpec[] = [
	{
		name: 'pg',
		kind: 'string',
		value: 'URL',
		description: 'PostgreSQL: postgres://USER[:PASSWORD]@HOST[:PORT]/DB',
		defaultText: defaultPostgresUrl,
		env: 'DATABASE_URL, else PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE',
		inConfig: true,
		group: 'Stack',
		expected: 'a URL such as postgres://USER@HOST:5432/DB',
	},
];

export function configurePostgres({given, env}: ConfigureInput): PostgresConfig {
	const flag = given('pg');
	if (flag !== undefined) return {url: validatePostgresUrl(givenText(flag, postgresFlags[0]!.expected!), flag.from)};
	const databaseUrl = emptyToUndefined(env.DATABASE_URL);
	if (databaseUrl !== undefined) return {url: validatePostgresUrl(databaseUrl, 'DATABASE_URL')};
	return {url: validatePostgresUrl(postgresUrlFromPgEnv(env) ?? defaultPostgresUrl, 'PG* environment variables')};
}

function postgresUrlFromPgEnv(env: NodeJS.ProcessEnv): string | undefined {
	const keys = ['PGHOST', 'PGPORT', 'PGUSER', 'PGPASSWORD', 'PGDATABASE'] as const;
	if (keys.every(key => emptyToUndefined(env[key]) === undefined)) return undefined;
	const url = new URL('postgres://localhost');
	url.hostname = emptyToUndefined(env.PGHOST) ?? 'localhost';
	const port = emptyToUndefined(env.PGPORT) ?? '5432';
	// URL's port setter ignores a bad value silently, and pg then reads PGPORT itself and fails at connect time.
	parseNumber(port, 'PGPORT', {min: 1, max: 65_535, integer: true, what: 'a port from 1 to 65535'});
	url.port = port;
	url.username = encodeURIComponent(emptyToUndefined(env.PGUSER) ?? 'voiceassist');
	if (emptyToUndefined(env.PGPASSWORD) !== undefined) url.password = encodeURIComponent(env.PGPASSWORD!);
	url.pathname = `/${encodeURIComponent(emptyToUndefined(env.PGDATABASE) ?? 'voiceassist')}`;
	return url.toString();
}
