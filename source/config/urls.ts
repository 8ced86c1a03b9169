// URL checks for the three endpoints. Messages name the flag and never echo a password.
import {redactUrl} from '../core/redact.js';
import {UsageError} from './usage-error.js';

function parse(value: string, from: string, example: string): URL {
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		throw new UsageError(`${from}: "${redactUrl(value)}" is not a URL, expected ${example}`);
	}

	return url;
}

function checkPort(url: URL, value: string, from: string): void {
	// WHATWG URL rejects ports over 65535 at parse time; port 0 is left to us.
	if (url.port === '0') throw new UsageError(`${from}: port 0 in "${redactUrl(value)}", expected a port from 1 to 65535`);
}

function checkHost(url: URL, value: string, from: string, example: string): void {
	if (url.hostname === '') throw new UsageError(`${from}: no host in "${redactUrl(value)}", expected ${example}`);
}

function portError(value: string, from: string, example: string): never {
	throw new UsageError(`${from}: bad port in "${redactUrl(value)}", expected ${example} with a port from 1 to 65535`);
}

/** Ports like :99999 or :abc make the URL parser fail; say that it is the port, not the whole URL. */
function parseWithPort(value: string, from: string, example: string): URL {
	// The port must end the authority: without that, `postgres://u:pw@db/x` (a password, no port) matched with host `u`
	// and port `pw@db`, and every such URL was refused as a bad port.
	const portMatch = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(?:\[[^\]]*\]|[^:/?#@]*):([^/?#@]*)(?=[/?#]|$)/i.exec(value);
	if (portMatch && portMatch[1] !== '' && !/^\d{1,5}$/.test(portMatch[1]!)) portError(value, from, example);
	if (portMatch && portMatch[1] !== '' && Number(portMatch[1]) > 65_535) portError(value, from, example);
	return parse(value, from, example);
}

export function validatePostgresUrl(value: string, from: string): string {
	// `[:PASSWORD@]`, not `[:PASSWORD]@`: every message is scrubbed of URL passwords, which cut the latter to `USER[:***@HOST`.
	const example = 'postgres://USER[:PASSWORD@]HOST[:PORT]/DB';
	const url = parseWithPort(value, from, example);
	if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
		throw new UsageError(`${from}: unknown scheme "${url.protocol.replace(/:$/, '')}" in "${redactUrl(value)}", expected ${example}`);
	}

	checkHost(url, value, from, example);
	checkPort(url, value, from);
	return value;
}

export function validateRedisUrl(value: string, from: string): string {
	const example = 'redis://[:PASSWORD@]HOST[:PORT][/DB]';
	const url = parseWithPort(value, from, example);
	if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
		throw new UsageError(`${from}: unknown scheme "${url.protocol.replace(/:$/, '')}" in "${redactUrl(value)}", expected ${example}`);
	}

	checkHost(url, value, from, example);
	checkPort(url, value, from);
	const db = url.pathname.replace(/^\//, '');
	if (db !== '' && !/^\d{1,2}$/.test(db)) {
		throw new UsageError(`${from}: database "${db}" in "${redactUrl(value)}", expected a database number such as /0`);
	}

	return value;
}

export function validateDockerHost(value: string, from: string): string {
	const example = 'unix:///var/run/docker.sock, tcp://HOST:2376 or ssh://USER@HOST';
	const url = parseWithPort(value, from, example);
	switch (url.protocol) {
		case 'unix:':
			if (url.pathname === '' || url.pathname === '/') throw new UsageError(`${from}: no socket path in "${redactUrl(value)}", expected unix:///PATH`);
			return value;
		case 'tcp:':
		case 'ssh:':
			checkHost(url, value, from, example);
			checkPort(url, value, from);
			return value;
		default:
			throw new UsageError(`${from}: unknown scheme "${url.protocol.replace(/:$/, '')}" in "${redactUrl(value)}", expected ${example}`);
	}
}
