// Turns whatever node, pg, ioredis or dockerode threw into one short line a person can act on; a raw library message
// (`Protocol error, got "H" as reply type byte. Please report this.`, `Parse Error: Expected HTTP/`) never reaches
// the screen.
// Every reason goes through redaction: passwords must never reach the screen, a log or JSON.

type ErrorLike = {
	message?: unknown;
	code?: unknown;
	name?: unknown;
	errors?: unknown;
	cause?: unknown;
};

const urlCredentials = /([a-z][a-z\d+.-]*:\/\/)([^\s:@/]*):([^\s@]*)@/gi;

/** Replaces the password of every `scheme://user:password@` in the text with `***`. */
export function redactUrls(text: string): string {
	return text.replace(urlCredentials, '$1$2:***@');
}

/** Redacts URL credentials and every literal occurrence of the given secrets (e.g. a password the caller knows). */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | undefined | null>): string {
	let result = redactUrls(text);
	for (const secret of secrets) {
		// Very short secrets would redact ordinary words; those are still caught by the URL rule.
		if (secret && secret.length >= 3) result = result.split(secret).join('***');
	}

	return result;
}

/** 2000 → '2s', 1500 → '1.5s', 250 → '250ms'. */
export function formatDuration(ms: number): string {
	if (ms < 1000) return `${Math.round(ms)}ms`;
	const seconds = ms / 1000;
	return Number.isInteger(seconds) ? `${seconds}s` : `${Number(seconds.toFixed(1))}s`;
}

function asErrorLike(value: unknown): ErrorLike | undefined {
	return typeof value === 'object' && value !== null ? (value as ErrorLike) : undefined;
}

function messageOf(value: unknown): string {
	if (typeof value === 'string') return value;
	const message = asErrorLike(value)?.message;
	return typeof message === 'string' ? message : '';
}

/** The error's own code, else the first code found in an AggregateError (node's happy-eyeballs connect) or a cause. */
function codeOf(value: unknown, depth = 0): string | undefined {
	const error = asErrorLike(value);
	if (!error || depth > 3) return undefined;
	if (typeof error.code === 'string' && error.code !== '') return error.code;
	if (Array.isArray(error.errors)) {
		for (const inner of error.errors) {
			const code = codeOf(inner, depth + 1);
			if (code) return code;
		}
	}

	return error.cause === undefined ? undefined : codeOf(error.cause, depth + 1);
}

function isTimeout(error: unknown, code: string | undefined, message: string): boolean {
	if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return true;
	if (asErrorLike(error)?.name === 'TimeoutError') return true;
	// pg: 'timeout expired' (connectionTimeoutMillis), 'Connection terminated due to connection timeout',
	// 'Query read timeout'; ioredis: 'Command timed out', 'connect ETIMEDOUT'.
	return /\btime(?:d)? ?out\b|\btimeout expired\b|\bETIMEDOUT\b/i.test(message);
}

/** What a peer whose first reply byte was this most likely is. */
function answeredLike(byte: string): string {
	if (byte === 'H') return 'it answered like an HTTP server';
	if (byte === 'S') return 'it answered like an SSH server';
	if (byte === 'E' || byte === 'R') return 'it answered like a PostgreSQL server';
	return `its first byte was "${byte}"`;
}

function firstLine(text: string): string {
	return text.split(/\r?\n/, 1)[0]!.trim();
}

/**
 * node's HTTP parser reading something that is not HTTP where the Docker API should be (HPE_INVALID_CONSTANT:
 * `Parse Error: Expected HTTP/, RTSP/ or ICE/`): one line naming what was expected, not the parser's words. Null
 * when the error is not that. (An HTTP error from the Docker API is the collector's to say.)
 */
function notHttp(code: string | undefined, message: string, at: string): string | null {
	if (code === 'HPE_INVALID_CONSTANT' || /^Parse Error: Expected HTTP\//.test(message)) return `did not answer as the Docker API ${at} (what answered does not speak HTTP)`;
	return null;
}

function describeRaw(error: unknown, endpoint: string, timeoutMs?: number): string {
	const code = codeOf(error);
	const message = messageOf(error);
	const at = `at ${endpoint}`;
	const mismatch = notHttp(code, message, at);
	if (mismatch !== null) return mismatch;

	// Server-side errors first: their messages are already precise and carry no secrets.
	switch (code) {
		case '28P01':
			return firstLine(message) || 'password authentication failed';
		case '28000': // no pg_hba.conf entry, role does not exist
		case '3D000': // database "x" does not exist
			return firstLine(message) || `database refused the connection ${at}`;
		case '53300':
			return 'too many clients (max_connections reached)';
		case '57P03':
			return `database is starting up or shutting down ${at}`;
		case '57P01':
		case '57P02':
			return `connection terminated by the server (administrator command or shutdown) ${at}`;
		case '57014':
			return timeoutMs === undefined
				? `query cancelled by statement timeout ${at}`
				: `query timed out after ${formatDuration(timeoutMs)} ${at}`;
		default:
			break;
	}

	// redis-parser's words for a peer that is not Redis (`Protocol error, got "H" as reply type byte. Please report this.`):
	// name what answered instead, from its first byte.
	const protocol = /^Protocol error, got "(.*?)" as reply type byte/.exec(message);
	if (protocol) return `did not answer as Redis ${at} (${answeredLike(protocol[1]!)})`;
	if (/\bNOAUTH\b/.test(message)) return 'authentication required (NOAUTH)';
	if (/\bWRONGPASS\b|\binvalid password\b/i.test(message)) return 'wrong password';
	if (/client password must be a (?:non-empty )?string/.test(message)) return `password required but none given ${at}`;

	switch (code) {
		case 'ECONNREFUSED':
			return `connection refused ${at}`;
		case 'ENOTFOUND':
			return `host not found ${at}`;
		case 'EAI_AGAIN':
			return `host name lookup failed (DNS unavailable) ${at}`;
		case 'ECONNRESET':
			return `connection reset ${at}`;
		case 'EPIPE':
			return `connection closed while writing (broken pipe) ${at}`;
		case 'EACCES':
			return `permission denied ${at}`;
		case 'ENOENT':
			return `no such socket or file ${at}`;
		case 'EHOSTUNREACH':
		case 'ENETUNREACH':
			return `host unreachable ${at}`;
		default:
			break;
	}

	if (isTimeout(error, code, message)) {
		return timeoutMs === undefined ? `timed out ${at}` : `timed out after ${formatDuration(timeoutMs)} ${at}`;
	}

	// ioredis with enableOfflineQueue false, between a drop and the reconnect.
	if (/^Stream isn't writeable\b/.test(message)) return `not connected ${at}`;
	if (/^Connection terminated unexpectedly\b|^Connection is closed\b/i.test(message)) {
		return `connection closed by server ${at}`;
	}

	const line = firstLine(message);
	if (line) return line;
	if (typeof error === 'string') return `${firstLine(error) || 'unknown error'}`;
	const name = asErrorLike(error)?.name;
	return typeof name === 'string' && name !== '' && name !== 'Error' ? `${name} ${at}` : `unknown error ${at}`;
}

/**
 * A short plain reason for a failed reading, naming the endpoint where that helps:
 * `connection refused at 127.0.0.1:5432`, `timed out after 2s at 127.0.0.1:6379`, `wrong password`.
 * URL credentials are always redacted.
 */
export function describeError(error: unknown, endpoint: string, timeoutMs?: number): string {
	return redactUrls(describeRaw(error, redactUrls(endpoint), timeoutMs));
}
