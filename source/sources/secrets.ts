// Passwords in configured URLs, so any text can be scrubbed of them before it is shown.
import {passwordOf} from '../core/redact.js';

/** Both forms of each URL's password: a message may quote the URL as given (encoded) or the password as used. */
export function secretsOf(urls: readonly string[]): string[] {
	return urls.flatMap(value => {
		const password = passwordOf(value);
		return password === undefined ? [] : [password, encodeURIComponent(password)];
	});
}
