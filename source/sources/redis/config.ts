// --redis, REDIS_URL → the URL va-top connects with (validated; exit 64 otherwise).
import type {FlagSpec} from '../../config/flags.js';
import {validateRedisUrl} from '../../config/urls.js';
import {emptyToUndefined, givenText} from '../../config/values.js';
import type {ConfigureInput} from '../source-kind.js';

export interface RedisConfig {
	/** redis://[:password@]host:port[/db]; the password never leaves the collector. */
	url: string;
}

export const defaultRedisUrl = 'redis://localhost:6379';

export const redisFlags: readonly FlagSpec[] = [
	{
		name: 'redis',
		kind: 'string',
		value: 'URL',
		description: 'Redis: redis://[:PASSWORD@]HOST[:PORT][/DB]',
		defaultText: defaultRedisUrl,
		env: 'REDIS_URL',
		inConfig: true,
		group: 'Stack',
		expected: 'a URL such as redis://HOST:6379',
	},
];

export function configureRedis({given, env}: ConfigureInput): RedisConfig {
	const flag = given('redis');
	if (flag !== undefined) return {url: validateRedisUrl(givenText(flag, redisFlags[0]!.expected!), flag.from)};
	return {url: validateRedisUrl(emptyToUndefined(env.REDIS_URL) ?? defaultRedisUrl, 'REDIS_URL')};
}
