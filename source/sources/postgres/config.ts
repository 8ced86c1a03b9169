// --pg (repeatable), --pg-replicas, DATABASE_URL, the PG* variables → the nodes va-top connects to (validated; exit 64
// otherwise). One node reads as before; several are read as a tier, each node's role from the node itself.
import type {FlagSpec} from '../../config/flags.js';
import {validatePostgresUrl} from '../../config/urls.js';
import {UsageError} from '../../config/usage-error.js';
import {emptyToUndefined, givenText, parseNumber} from '../../config/values.js';
import {endpointOf, redactUrl} from '../../core/redact.js';
import type {ConfigureInput, GivenValue} from '../source-kind.js';

export interface PostgresConfig {
	/** The first node's URL: postgres://user:password@host:port/db; the password never leaves the collector. */
	url: string;
	/** Every node, the first included, in the order given; one entry for a single server. */
	nodes: string[];
}

export const defaultPostgresUrl = 'postgres://voiceassist@localhost:5432/voiceassist';

export const postgresFlags: readonly FlagSpec[] = [
	{
		name: 'pg',
		kind: 'string',
		value: 'URL',
		description: 'PostgreSQL: postgres://USER[:PASSWORD]@HOST[:PORT]/DB; give it again for each node of a primary/replica tier (roles are read from each node)',
		defaultText: defaultPostgresUrl,
		env: 'DATABASE_URL, else PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE',
		inConfig: true,
		group: 'Stack',
		expected: 'a URL such as postgres://USER@HOST:5432/DB',
		repeatable: true,
	},
	{
		name: 'pg-replicas',
		kind: 'string',
		value: 'URL,URL',
		description: 'More PostgreSQL nodes (read replicas), comma-separated: full URLs, or HOST[:PORT] with the user, password and database of the first --pg',
		env: 'DATABASE_REPLICA_URLS',
		inConfig: true,
		group: 'Stack',
		expected: 'URLs or HOST:PORT entries separated by commas, such as db-r1:5432,db-r2:5432',
	},
];

/** The runbook's largest tier is 1 + 5; a few more are allowed (a node being replaced), not dozens. */
export const maxPostgresNodes = 12;

function texts(given: GivenValue): string[] {
	return (Array.isArray(given.value) ? given.value : [given.value]).map(value => String(value).trim());
}

/** A replica given as HOST[:PORT] (or a URL without credentials) takes the first node's user, password and database. */
export function replicaUrl(entry: string, first: string, from: string): string {
	if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry)) {
		const url = new URL(validatePostgresUrl(entry, from));
		const base = new URL(first);
		if (url.username === '' && url.password === '') {
			url.username = base.username;
			url.password = base.password;
		}

		if (url.pathname === '' || url.pathname === '/') url.pathname = base.pathname;
		return url.toString();
	}

	const match = /^(\[[^\]]+\]|[^:/\s]+)(?::(\d{1,5}))?$/.exec(entry);
	if (!match) throw new UsageError(`${from}: "${redactUrl(entry)}" is neither a URL nor HOST[:PORT], expected ${postgresFlags[1]!.expected}`);
	if (match[2] !== undefined) parseNumber(match[2], from, {min: 1, max: 65_535, integer: true, what: 'a port from 1 to 65535'});
	const url = new URL(first);
	url.hostname = match[1]!;
	url.port = match[2] ?? '5432';
	return url.toString();
}

function firstUrl({given, env}: ConfigureInput): string {
	const flag = given('pg');
	if (flag !== undefined) {
		const first = texts(flag)[0] ?? '';
		if (first === '') throw new UsageError(`${flag.from}: empty value, expected ${postgresFlags[0]!.expected}`);
		return validatePostgresUrl(first, flag.from);
	}

	const databaseUrl = emptyToUndefined(env.DATABASE_URL);
	if (databaseUrl !== undefined) return validatePostgresUrl(databaseUrl, 'DATABASE_URL');
	return validatePostgresUrl(postgresUrlFromPgEnv(env) ?? defaultPostgresUrl, 'PG* environment variables');
}

export function configurePostgres(input: ConfigureInput): PostgresConfig {
	const url = firstUrl(input);
	const nodes = [url];
	const flag = input.given('pg');
	if (flag !== undefined) {
		for (const value of texts(flag).slice(1)) nodes.push(validatePostgresUrl(givenText({value, from: flag.from}, postgresFlags[0]!.expected!), flag.from));
	}

	const replicas = input.given('pg-replicas');
	const replicasText = replicas === undefined ? emptyToUndefined(input.env.DATABASE_REPLICA_URLS) : givenText(replicas, postgresFlags[1]!.expected!);
	const from = replicas?.from ?? 'DATABASE_REPLICA_URLS';
	if (replicasText !== undefined) {
		for (const entry of replicasText.split(',').map(part => part.trim())) {
			if (entry === '') throw new UsageError(`${from}: an empty entry in "${redactUrl(replicasText)}", expected ${postgresFlags[1]!.expected}`);
			nodes.push(replicaUrl(entry, url, from));
		}
	}

	const seen = new Set<string>();
	for (const node of nodes) {
		const endpoint = endpointOf(node, 5432);
		if (seen.has(endpoint)) throw new UsageError(`PostgreSQL node ${endpoint} is given twice (--pg, --pg-replicas), expected each node once`);
		seen.add(endpoint);
	}

	if (nodes.length > maxPostgresNodes) throw new UsageError(`${nodes.length} PostgreSQL nodes given, expected at most ${maxPostgresNodes} (the runbook's largest tier is 1 + 5)`);
	return {url, nodes};
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
