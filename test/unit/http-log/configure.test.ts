import {describe, expect, it} from 'vitest';
import {UsageError} from '../../../source/config/usage-error.js';
import type {ConfigureInput, GivenValue} from '../../../source/sources/source-kind.js';
import {httpLogSource} from '../../../source/sources/http-log/index.js';

function input(given: Record<string, GivenValue['value']>, env: NodeJS.ProcessEnv = {}, once = false): ConfigureInput {
	return {
		given: (flag) => (given[flag] === undefined ? undefined : {value: given[flag]!, from: `--${flag}`}),
		env,
		project: 'voiceassist',
		service: 'voiceassist-server',
		intervalMs: 1000,
		demo: false,
		once,
	};
}

function refusal(given: Record<string, GivenValue['value']>): string {
	try {
		httpLogSource.configure(input(given));
	} catch (error) {
		expect(error).toBeInstanceOf(UsageError);
		return (error as Error).message;
	}

	throw new Error(`accepted ${JSON.stringify(given)}`);
}

describe('configuring the access-log source', () => {
	it('reads the project\'s nginx service log by default, over a 60 s window', () => {
		expect(httpLogSource.configure(input({}, {DOCKER_HOST: 'tcp://10.0.0.5:2376'}, true))).toEqual({
			mode: 'docker',
			file: null,
			service: 'nginx',
			serviceGiven: false,
			project: 'voiceassist',
			appService: 'voiceassist-server',
			windowSeconds: 60,
			once: true,
			dockerHost: 'tcp://10.0.0.5:2376',
		});
	});

	it('reads a file with --http-log, another service with --http-service, another window with --http-window', () => {
		expect(httpLogSource.configure(input({'http-log': '/var/log/nginx/access.log', 'http-window': '5m'}))).toMatchObject({mode: 'file', file: '/var/log/nginx/access.log', windowSeconds: 300});
		expect(httpLogSource.configure(input({'http-service': 'lb'}))).toMatchObject({mode: 'docker', service: 'lb', serviceGiven: true});
		expect(httpLogSource.endpoint(httpLogSource.configure(input({'http-service': 'lb'}))!)).toBe('docker:voiceassist/lb');
	});

	it('is not configured with --no-http', () => {
		expect(httpLogSource.configure(input({http: false}))).toBeNull();
	});

	it('refuses bad values in one line naming the flag and what it expects', () => {
		expect(refusal({'http-window': '5'})).toBe('--http-window: expected a duration from 10s to 1h such as 60, 90s or 5m, got "5"');
		expect(refusal({'http-window': '2h'})).toContain('--http-window');
		expect(refusal({'http-window': 'soon'})).toContain('--http-window');
		expect(refusal({'http-service': 'has space'})).toContain('--http-service: "has space" is not a Compose name');
		expect(refusal({'http-log': '  '})).toBe('--http-log: empty value, expected a path to an nginx access log file');
		expect(refusal({'http-log': '/x.log', 'http-service': 'lb'})).toContain('--http-log and --http-service go separately');
	});
});
