// Passwords never leave the process: every URL is shown through these.

/** The URL with its password replaced by ***, or the input unchanged when it is not a URL. */
export function redactUrl(value: string): string {
	try {
		const url = new URL(value);
		if (url.password !== '') url.password = '***';
		return url.toString();
	} catch {
		return value.replace(/(\/\/[^:/@\s]*:)[^@\s]*@/g, '$1***@');
	}
}

/** host:port for a URL, for display and error reasons. */
export function endpointOf(value: string, defaultPort: number): string {
	try {
		const url = new URL(value);
		const host = url.hostname.startsWith('[') ? url.hostname : url.hostname;
		return `${host || 'localhost'}:${url.port || defaultPort}`;
	} catch {
		return redactUrl(value);
	}
}

/** Replaces every known secret, and any user:password@ in URLs, in free text such as an error message. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
	let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1***@');
	for (const secret of secrets) {
		if (secret.length >= 3) out = out.split(secret).join('***');
	}

	return out;
}

/** The decoded password of a URL, or undefined: so error text can be scrubbed of it. */
export function passwordOf(value: string): string | undefined {
	try {
		const password = new URL(value).password;
		return password ? decodeURIComponent(password) : undefined;
	} catch {
		return undefined;
	}
}
