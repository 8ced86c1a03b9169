// --qdrant URL (or QDRANT_URL) and the API key from QDRANT_API_KEY (never a flag: a flag shows in `ps`).
import type {FlagSpec} from '../../config/flags.js';
import {UsageError} from '../../config/usage-error.js';
import {redactUrl} from '../../core/redact.js';
import type {ConfigureInput} from '../source-kind.js';

export interface QdrantConfig {
	/** http(s)://HOST:PORT, port 6333 when none was given. */
	url: string;
	/** Sent in the `api-key` header; never printed. */
	apiKey: string | undefined;
}

export const qdrantDefaultPort = 6333;

export const qdrantFlags: readonly FlagSpec[] = [
	{
		name: 'qdrant',
		kind: 'string',
		value: 'URL',
		description: 'Qdrant REST API: http(s)://HOST[:PORT] (port 6333 unless given); API key from QDRANT_API_KEY',
		env: 'QDRANT_URL (key: QDRANT_API_KEY)',
		inConfig: true,
		group: 'Stack',
		expected: 'a URL such as http://HOST:6333',
	},
];

const example = 'http://HOST:6333';

/** A checked Qdrant URL with its port made explicit; one clear line (exit 64) for anything else. */
export function validateQdrantUrl(value: string, from: string): string {
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		throw new UsageError(`${from}: "${redactUrl(value)}" is not a URL, expected ${example}`);
	}

	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new UsageError(`${from}: unknown scheme "${url.protocol.replace(/:$/, '')}" in "${redactUrl(value)}", expected ${example}`);
	}

	if (url.hostname === '') throw new UsageError(`${from}: no host in "${redactUrl(value)}", expected ${example}`);
	if (url.username !== '' || url.password !== '') {
		throw new UsageError(`${from}: credentials in "${redactUrl(value)}" are not used by Qdrant, expected ${example} and the key in QDRANT_API_KEY`);
	}

	if (url.port === '0') throw new UsageError(`${from}: port 0 in "${redactUrl(value)}", expected a port from 1 to 65535`);
	if (url.search !== '' || url.hash !== '') throw new UsageError(`${from}: "${redactUrl(value)}" has a query or fragment, expected ${example}`);
	// The URL parser drops a port equal to the scheme's default (https://q:443 → port ''): read what was typed.
	const typed = /^[a-z]+:\/\/(?:[^@/]*@)?(?:\[[^\]]*\]|[^:/?#]*):(\d+)/i.exec(value)?.[1];
	const port = url.port !== '' ? url.port : typed ?? String(qdrantDefaultPort);
	return `${url.protocol}//${url.hostname}:${port}${url.pathname.replace(/\/+$/, '')}`;
}

export function configureQdrant({given, env}: ConfigureInput): QdrantConfig | null {
	const flag = given('qdrant');
	const fromEnv = env.QDRANT_URL?.trim();
	if (flag === undefined && !fromEnv) return null;
	const raw = flag === undefined ? fromEnv! : String(flag.value).trim();
	const from = flag === undefined ? 'QDRANT_URL' : flag.from;
	if (raw === '') throw new UsageError(`${from}: empty value, expected ${example}`);
	const apiKey = env.QDRANT_API_KEY === undefined || env.QDRANT_API_KEY.trim() === '' ? undefined : env.QDRANT_API_KEY.trim();
	return {url: validateQdrantUrl(raw, from), apiKey};
}
