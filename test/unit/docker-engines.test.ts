// Which engines va-top watches, from flags, the config file, the environment and the docker CLI's context store (a
// store written here the way the CLI writes it; test/integration/contexts.test.ts uses the CLI itself).
import {createHash} from 'node:crypto';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {engineNameOf, resolveDockerEngines} from '../../source/config/docker-engines.js';
import {resolveOptions} from '../../source/config/options.js';
import {UsageError} from '../../source/config/usage-error.js';

const store = mkdtempSync(path.join(tmpdir(), 'va-contexts-'));
afterAll(() => rmSync(store, {recursive: true, force: true}));

function context(name: string, host: string | null, options: {tls?: boolean; skip?: boolean; raw?: string} = {}): void {
	const id = createHash('sha256').update(name).digest('hex');
	const dir = path.join(store, 'contexts', 'meta', id);
	mkdirSync(dir, {recursive: true});
	const meta = {Name: name, Metadata: {}, Endpoints: host === null ? {} : {docker: {Host: host, SkipTLSVerify: options.skip ?? false}}};
	writeFileSync(path.join(dir, 'meta.json'), options.raw ?? JSON.stringify(meta));
	if (options.tls) {
		const tls = path.join(store, 'contexts', 'tls', id, 'docker');
		mkdirSync(tls, {recursive: true});
		for (const file of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(path.join(tls, file), 'x');
	}
}

context('app1', 'ssh://ops@app1');
context('app2', 'tcp://10.0.0.2:2376', {tls: true});
context('local', 'unix:///var/run/docker.sock');
context('nowhere', null);
context('broken', null, {raw: '{"Name": "broken", '});
context('weird', 'npipe:////./pipe/docker');

const env = (extra: Record<string, string> = {}) => ({DOCKER_CONFIG: store, ...extra});
const message = (fn: () => unknown) => {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(UsageError);
		return (error as Error).message;
	}

	throw new Error('expected a UsageError');
};

describe('several engines by URL', () => {
	it('takes --docker-host repeated and as a comma-separated list, naming each by its host', () => {
		const engines = resolveDockerEngines({hosts: {values: ['ssh://ops@app1,tcp://app2:2376', 'unix:///var/run/e3.sock'], from: '--docker-host'}}, env());
		expect(engines.map((engine) => [engine.name, engine.host])).toEqual([
			['app1', 'ssh://ops@app1'],
			['app2', 'tcp://app2:2376'],
			['e3', 'unix:///var/run/e3.sock'],
		]);
	});

	it('takes a name of its own as NAME=URL, and gives clashing derived names their endpoint', () => {
		const named = resolveDockerEngines({hosts: {values: ['web1=ssh://ops@10.0.0.1', 'web2=ssh://ops@10.0.0.2'], from: '--docker-host'}}, env());
		expect(named.map((engine) => engine.name)).toEqual(['web1', 'web2']);
		const clash = resolveDockerEngines({hosts: {values: ['tcp://db:2375', 'tcp://db:2376'], from: '--docker-host'}}, env());
		expect(clash.map((engine) => engine.name)).toEqual(['tcp://db:2375', 'tcp://db:2376']);
	});

	it('refuses an empty list item, a bad URL, the same engine twice and a name used twice, in one line naming the flag', () => {
		expect(message(() => resolveDockerEngines({hosts: {values: ['unix:///a.sock,'], from: '--docker-host'}}, env()))).toMatch(/^--docker-host: an empty item/);
		expect(message(() => resolveDockerEngines({hosts: {values: ['tcp://a:1,npipe:////./pipe/x'], from: '--docker-host'}}, env()))).toMatch(/^--docker-host: unknown scheme "npipe"/);
		expect(message(() => resolveDockerEngines({hosts: {values: ['unix:///a.sock', 'unix:///a.sock'], from: '--docker-host'}}, env()))).toMatch(/given twice/);
		expect(message(() => resolveDockerEngines({hosts: {values: ['x=tcp://a:1', 'x=tcp://b:1'], from: '--docker-host'}}, env()))).toMatch(/"x" is used twice/);
	});

	it('names an engine by its socket for unix://, by its host for tcp:// and ssh://', () => {
		expect(engineNameOf('unix:///var/run/docker.sock')).toBe('docker');
		expect(engineNameOf('ssh://ops@[::1]:2222')).toBe('::1');
		expect(engineNameOf('tcp://10.1.2.3:2376')).toBe('10.1.2.3');
	});
});

describe("contexts, with the docker CLI's precedence", () => {
	it('reads a context from the store: its endpoint and its TLS files', () => {
		const [app2] = resolveDockerEngines({contexts: {values: ['app2'], from: '--context'}}, env());
		const id = createHash('sha256').update('app2').digest('hex');
		expect(app2).toMatchObject({name: 'app2', host: 'tcp://10.0.0.2:2376', context: 'app2', tls: {skipVerify: false}});
		expect(app2!.tls!.ca).toBe(path.join(store, 'contexts', 'tls', id, 'docker', 'ca.pem'));
		expect(resolveDockerEngines({contexts: {values: ['app1,local'], from: '--context'}}, env()).map((engine) => engine.name)).toEqual(['app1', 'local']);
	});

	it('--context first, then --docker-host or DOCKER_HOST, then DOCKER_CONTEXT, then currentContext, then the local socket', () => {
		const all = env({DOCKER_HOST: 'tcp://from-env:2375', DOCKER_CONTEXT: 'app2'});
		writeFileSync(path.join(store, 'config.json'), JSON.stringify({currentContext: 'local'}));
		try {
			expect(resolveDockerEngines({contexts: {values: ['app1'], from: '--context'}}, all)[0]!.name).toBe('app1');
			expect(resolveDockerEngines({hosts: {values: ['tcp://flag:2375'], from: '--docker-host'}}, all)[0]!.host).toBe('tcp://flag:2375');
			expect(resolveDockerEngines({}, all)[0]).toMatchObject({host: 'tcp://from-env:2375', from: 'DOCKER_HOST'});
			expect(resolveDockerEngines({}, env({DOCKER_CONTEXT: 'app2'}))[0]).toMatchObject({name: 'app2', from: 'DOCKER_CONTEXT'});
			expect(resolveDockerEngines({}, env())[0]).toMatchObject({name: 'local', context: 'local'});
		} finally {
			rmSync(path.join(store, 'config.json'));
		}

		expect(resolveDockerEngines({}, env())[0]).toMatchObject({host: 'unix:///var/run/docker.sock', from: 'default'});
		// "default" is the CLI's name for DOCKER_HOST's engine, never in the store
		expect(resolveDockerEngines({contexts: {values: ['default'], from: '--context'}}, env({DOCKER_HOST: 'tcp://h:1'}))[0]!.host).toBe('tcp://h:1');
	});

	it('refuses --context with --docker-host, an unknown context, one pointing nowhere, and a broken store, each in one line', () => {
		expect(message(() => resolveDockerEngines({contexts: {values: ['app1'], from: '--context'}, hosts: {values: ['tcp://a:1'], from: '--docker-host'}}, env()))).toBe(
			"--context and --docker-host both given, expected one of them (as with the docker CLI's --context and --host)",
		);
		expect(message(() => resolveDockerEngines({contexts: {values: ['app9'], from: '--context'}}, env()))).toMatch(/^--context: no Docker context named "app9" in .*\(known: app1, app2, local, nowhere, weird\)$/);
		expect(message(() => resolveDockerEngines({}, env({DOCKER_CONTEXT: 'gone'})))).toMatch(/^DOCKER_CONTEXT: no Docker context named "gone"/);
		expect(message(() => resolveDockerEngines({contexts: {values: ['nowhere'], from: '--context'}}, env()))).toMatch(/context "nowhere" has no Docker endpoint/);
		expect(message(() => resolveDockerEngines({contexts: {values: ['broken'], from: '--context'}}, env()))).toMatch(/meta\.json is not valid JSON/);
		expect(message(() => resolveDockerEngines({contexts: {values: ['weird'], from: '--context'}}, env()))).toMatch(/unknown scheme "npipe"/);
		writeFileSync(path.join(store, 'config.json'), JSON.stringify({currentContext: 'vanished'}));
		try {
			expect(message(() => resolveDockerEngines({}, env()))).toMatch(/^currentContext in .*config\.json: no Docker context named "vanished"/);
		} finally {
			rmSync(path.join(store, 'config.json'));
		}
	});
});

describe('options', () => {
	it('keep dockerHost for the one engine given by URL, and list every engine', () => {
		const one = resolveOptions({}, {}, env({DOCKER_HOST: 'tcp://h:2375'}));
		expect(one.dockerHost).toBe('tcp://h:2375');
		expect(one.dockerEngines).toHaveLength(1);
		const three = resolveOptions({'docker-host': ['unix:///a.sock', 'unix:///b.sock,unix:///c.sock']}, {}, env());
		expect(three.dockerHost).toBeUndefined();
		expect(three.dockerEngines.map((engine) => engine.name)).toEqual(['a', 'b', 'c']);
		expect(resolveOptions({}, {'docker-host': ['unix:///a.sock', 'unix:///b.sock']}, env()).dockerEngines).toHaveLength(2);
		expect(resolveOptions({}, {context: 'app1'}, env()).dockerEngines[0]!.name).toBe('app1');
	});

	it('take COMPOSE_PROJECT_NAME as --project, normalised as Compose does, and --project over it', () => {
		expect(resolveOptions({}, {}, env({COMPOSE_PROJECT_NAME: '_My.Shop-2'})).project).toBe('myshop-2');
		expect(resolveOptions({project: 'given'}, {}, env({COMPOSE_PROJECT_NAME: 'ignored'})).project).toBe('given');
		expect(message(() => resolveOptions({}, {}, env({COMPOSE_PROJECT_NAME: '-._'})))).toMatch(/^COMPOSE_PROJECT_NAME: "-._" has no letter or digit/);
	});
});
