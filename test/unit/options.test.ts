import {describe, expect, it} from 'vitest';
import {checkArgv, checkConfig, resolveOptions} from '../../source/config/options.js';
import {UsageError} from '../../source/config/usage-error.js';
import {defaultThresholds} from '../../source/sources/registry.js';

function usageMessage(fn: () => unknown): string {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(UsageError);
		return (error as Error).message;
	}

	throw new Error('expected a UsageError, got none');
}

describe('defaults', () => {
	it('come from the runbook and the issue when nothing is set', () => {
		const options = resolveOptions({}, {}, {});
		expect(options).toMatchObject({
			project: 'voiceassist',
			service: 'voiceassist-server',
			dockerHost: undefined,
			sources: {postgres: {url: 'postgres://voiceassist@localhost:5432/voiceassist'}, redis: {url: 'redis://localhost:6379'}},
			intervalMs: 1000,
			max: 10,
			bell: true,
			color: true,
		});
		expect(options.thresholds).toEqual(defaultThresholds);
	});

	it('take DOCKER_HOST, DATABASE_URL and REDIS_URL from the environment', () => {
		const options = resolveOptions({}, {}, {DOCKER_HOST: 'tcp://127.0.0.1:2375', DATABASE_URL: 'postgres://a:b@db:5433/x', REDIS_URL: 'redis://cache:6380'});
		expect(options.dockerHost).toBe('tcp://127.0.0.1:2375');
		expect((options.sources.postgres as {url: string}).url).toBe('postgres://a:b@db:5433/x');
		expect((options.sources.redis as {url: string}).url).toBe('redis://cache:6380');
	});

	it('build the PostgreSQL URL from PG* variables when DATABASE_URL is unset', () => {
		const options = resolveOptions({}, {}, {PGHOST: 'db.internal', PGUSER: 'ops', PGPASSWORD: 'p@ss', PGDATABASE: 'va'});
		expect(new URL((options.sources.postgres as {url: string}).url)).toMatchObject({hostname: 'db.internal', port: '5432', username: 'ops', pathname: '/va'});
		expect(decodeURIComponent(new URL((options.sources.postgres as {url: string}).url).password)).toBe('p@ss');
	});

	it('let flags win over the config file, and the config file over the environment', () => {
		const options = resolveOptions({project: 'shop'}, {project: 'ignored', service: 'web', 'cpu-immediate': 75}, {REDIS_URL: 'redis://env:1'});
		expect(options.project).toBe('shop');
		expect(options.service).toBe('web');
		expect(options.thresholds.cpuImmediate).toBe(75);
		expect((options.sources.redis as {url: string}).url).toBe('redis://env:1');
	});

	it('turns colour off for NO_COLOR', () => {
		expect(resolveOptions({}, {}, {NO_COLOR: '1'}).color).toBe(false);
		expect(resolveOptions({color: false}, {}, {}).color).toBe(false);
	});

	it('read Docker stats from cgroup files where it can, unless told to use the API', () => {
		expect(resolveOptions({}, {}, {}).dockerStats).toBe('auto');
		expect(resolveOptions({'docker-stats': 'api'}, {}, {}).dockerStats).toBe('api');
		expect(resolveOptions({}, {'docker-stats': 'api'}, {}).dockerStats).toBe('api');
	});

	it('reads durations for the CPU sustain', () => {
		expect(resolveOptions({'cpu-sustain': '90s'}, {}, {}).thresholds.cpuSustainSeconds).toBe(90);
		expect(resolveOptions({'cpu-sustain': '10m'}, {}, {}).thresholds.cpuSustainSeconds).toBe(600);
		expect(resolveOptions({}, {'cpu-sustain': 30}, {}).thresholds.cpuSustainSeconds).toBe(30);
	});
});

describe('bad input gets one line naming the flag and what was expected', () => {
	it.each([
		[['--bogus'], 'unknown flag "--bogus"'],
		[['-x'], 'unknown flag "-x"'],
		[['stray'], 'unexpected argument "stray"'],
		[['--once=yes'], '--once takes no value'],
		[['--project'], '--project needs a value'],
		[['--project', '--json'], '--project needs a value'],
		[['--interval', '1', '--interval', '2'], '--interval is given more than once'],
	])('argv %j', (argv, expected) => {
		expect(usageMessage(() => checkArgv(argv))).toContain(expected);
	});

	it('accepts well-formed argv', () => {
		expect(() => checkArgv(['--once', '--json', '--project', 'shop', '--interval=2', '--no-color', '-h'])).not.toThrow();
	});

	it.each([
		[{'cpu-immediate': '101'}, '--cpu-immediate: expected a percentage from 0 to 100, got "101"'],
		[{'cpu-immediate': '-1'}, '--cpu-immediate: expected a percentage from 0 to 100, got "-1"'],
		[{'mem-soon': 'abc'}, '--mem-soon: expected a percentage from 0 to 100, got "abc"'],
		[{'db-immediate': ''}, '--db-immediate: expected a percentage from 0 to 100, got ""'],
		[{'cpu-soon': '90'}, '--cpu-soon (90) is above --cpu-immediate (80)'],
		[{interval: '0'}, '--interval: expected seconds from 0.2 to 3600, got "0"'],
		[{interval: 'fast'}, '--interval: expected seconds from 0.2 to 3600, got "fast"'],
		[{max: '2.5'}, '--max: expected a whole number of instances from 1 to 1000, got "2.5"'],
		[{'cpu-sustain': '10x'}, '--cpu-sustain: expected a duration'],
		[{project: ''}, '--project: empty value'],
		[{project: 'a b'}, 'is not a Compose name'],
		[{json: true}, '--json goes with --once'],
		[{pg: 'mysql://db/x'}, '--pg: unknown scheme "mysql"'],
		[{pg: 'postgres:///x'}, '--pg: no host'],
		[{pg: 'postgres://db:99999/x'}, '--pg: bad port'],
		[{pg: 'postgres://db:0/x'}, '--pg: port 0'],
		[{pg: 'not a url'}, 'is not a URL'],
		[{redis: 'http://cache'}, '--redis: unknown scheme "http"'],
		[{redis: 'redis://cache:abc'}, '--redis: bad port'],
		[{redis: 'redis://cache/db1'}, 'expected a database number'],
		[{'docker-host': 'npipe:////./pipe/docker'}, '--docker-host: unknown scheme "npipe"'],
		[{'docker-host': 'tcp://'}, '--docker-host: no host'],
		[{'docker-host': 'unix://'}, '--docker-host: no socket path'],
		[{'docker-stats': 'cgroups'}, '--docker-stats: "cgroups" is not a stats source, expected auto or api'],
		[{'docker-stats': ''}, '--docker-stats: empty value, expected auto or api'],
	])('flags %j', (flags, expected) => {
		const message = usageMessage(() => resolveOptions(flags, {}, {}));
		expect(message).toContain(expected);
		expect(message).not.toContain('\n');
	});

	it('names the environment variable when it is the one that is wrong', () => {
		expect(usageMessage(() => resolveOptions({}, {}, {REDIS_URL: 'ftp://x'}))).toContain('REDIS_URL: unknown scheme "ftp"');
		expect(usageMessage(() => resolveOptions({}, {}, {DOCKER_HOST: 'tcp://:2375'}))).toContain('DOCKER_HOST');
	});

	it('never echoes a password from a bad URL', () => {
		const message = usageMessage(() => resolveOptions({pg: 'mysql://ops:hunter2@db/x'}, {}, {}));
		expect(message).not.toContain('hunter2');
		expect(message).toContain('ops:***@db');
	});
});

describe('config file', () => {
	it('accepts flag names and their camelCase forms', () => {
		expect(checkConfig('{"project": "shop", "cpuImmediate": 75, "bell": false}', 'c.json')).toEqual({project: 'shop', 'cpu-immediate': 75, bell: false});
	});

	it.each([
		['', 'config c.json: the file is empty'],
		['   \n', 'config c.json: the file is empty'],
		['{"project": ', 'config c.json: not valid JSON'],
		['[1,2]', 'expected a JSON object of flag names to values, got an array'],
		['"shop"', 'got the string "shop"'],
		['{"colour": false}', 'unknown key "colour", expected one of:'],
		['{"once": true}', 'unknown key "once"'],
		['{"cpu-immediate": "80"}', '"cpu-immediate" must be a number'],
		['{"project": 5}', '"project" must be a string'],
		['{"bell": "no"}', '"bell" must be a boolean'],
	])('%j', (content, expected) => {
		expect(usageMessage(() => checkConfig(content, 'c.json'))).toContain(expected);
	});

	it('validates config values like flags, naming the key', () => {
		const config = checkConfig('{"db-immediate": 140}', 'c.json');
		expect(usageMessage(() => resolveOptions({}, config, {}))).toBe('config "db-immediate": expected a percentage from 0 to 100, got "140"');
	});
});
