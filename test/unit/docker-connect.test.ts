import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {connectDocker, dockerOptionsFor} from '../../source/sources/docker/connect.js';

// The modem's own fields, to check what dockerode will really dial (not in the typings).
interface ModemFields {
	socketPath?: string;
	host?: string;
	port?: number | string;
	protocol?: string;
	username?: string;
	ca?: unknown;
	timeout?: number;
	sshOptions?: Record<string, unknown>;
}

function modemOf(host: string | undefined): ModemFields {
	return (connectDocker(host).docker as unknown as {modem: ModemFields}).modem;
}

let certDir: string;
const savedEnv = {...process.env};

beforeAll(() => {
	certDir = mkdtempSync(path.join(tmpdir(), 'va-top-certs-'));
	for (const name of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(path.join(certDir, name), `-----${name}-----\n`);
});

afterAll(() => {
	rmSync(certDir, {recursive: true, force: true});
});

afterEach(() => {
	for (const key of ['DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_CLIENT_TIMEOUT', 'SSH_AUTH_SOCK']) {
		if (savedEnv[key] === undefined) delete process.env[key];
		else process.env[key] = savedEnv[key];
	}
});

describe('dockerOptionsFor', () => {
	it('defaults to the local socket when neither host nor DOCKER_HOST is given', () => {
		const {options, endpoint} = dockerOptionsFor(undefined, {});
		expect(endpoint).toBe('unix:///var/run/docker.sock');
		expect(options.socketPath).toBe('/var/run/docker.sock');
		expect(options.host).toBeUndefined();
	});

	it('takes DOCKER_HOST when no host is given, and an empty DOCKER_HOST means the default', () => {
		expect(dockerOptionsFor(undefined, {DOCKER_HOST: 'unix:///run/user/1000/docker.sock'}).endpoint).toBe(
			'unix:///run/user/1000/docker.sock',
		);
		expect(dockerOptionsFor(undefined, {DOCKER_HOST: ''}).endpoint).toBe('unix:///var/run/docker.sock');
	});

	it('treats an empty host like no host', () => {
		expect(dockerOptionsFor('', {DOCKER_HOST: 'tcp://10.0.0.1:2375'}).endpoint).toBe('tcp://10.0.0.1:2375');
		expect(dockerOptionsFor(' ', {}).endpoint).toBe('unix:///var/run/docker.sock');
	});

	it('prefers the given host over DOCKER_HOST', () => {
		const {options, endpoint} = dockerOptionsFor('unix:///tmp/d.sock', {DOCKER_HOST: 'tcp://10.0.0.1:2375'});
		expect(endpoint).toBe('unix:///tmp/d.sock');
		expect(options.socketPath).toBe('/tmp/d.sock');
	});

	it('reads tcp:// as plain http with the default port 2375', () => {
		const {options, endpoint} = dockerOptionsFor('tcp://127.0.0.1', {});
		expect(endpoint).toBe('tcp://127.0.0.1:2375');
		expect(options).toMatchObject({host: '127.0.0.1', port: 2375, protocol: 'http'});
		expect(options.socketPath).toBeUndefined();
	});

	it('switches tcp:// to TLS with the certificates of DOCKER_CERT_PATH when DOCKER_TLS_VERIFY is set', () => {
		const {options, endpoint} = dockerOptionsFor('tcp://docker.example:2376', {
			DOCKER_TLS_VERIFY: '1',
			DOCKER_CERT_PATH: certDir,
		});
		expect(endpoint).toBe('tcp://docker.example:2376');
		expect(options.protocol).toBe('https');
		expect(String(options.ca)).toBe('-----ca.pem-----\n');
		expect(String(options.cert)).toBe('-----cert.pem-----\n');
		expect(String(options.key)).toBe('-----key.pem-----\n');
	});

	it('uses port 2376 by default with TLS, and an empty DOCKER_TLS_VERIFY means no TLS', () => {
		expect(dockerOptionsFor('tcp://h', {DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certDir}).endpoint).toBe('tcp://h:2376');
		expect(dockerOptionsFor('tcp://h', {DOCKER_TLS_VERIFY: ''}).options.protocol).toBe('http');
	});

	it('says which certificate file is missing, in one line', () => {
		const missing = path.join(certDir, 'nowhere');
		expect(() => dockerOptionsFor('tcp://h:2376', {DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: missing})).toThrow(
			`DOCKER_TLS_VERIFY is set but ${path.join(missing, 'ca.pem')} cannot be read (no such file); set DOCKER_CERT_PATH`,
		);
	});

	it('reads ssh://user@host:port for docker-modem (protocol ssh, host, port, username, sshOptions)', () => {
		const {options, endpoint} = dockerOptionsFor('ssh://deploy@build.example:2222', {SSH_AUTH_SOCK: '/tmp/agent.sock'});
		expect(endpoint).toBe('ssh://deploy@build.example:2222');
		expect(options).toMatchObject({
			protocol: 'ssh',
			host: 'build.example',
			port: 2222,
			username: 'deploy',
			sshOptions: {agent: '/tmp/agent.sock'},
		});
	});

	it('defaults ssh to port 22', () => {
		expect(dockerOptionsFor('ssh://deploy@build.example', {SSH_AUTH_SOCK: '/tmp/a'}).endpoint).toBe(
			'ssh://deploy@build.example:22',
		);
	});

	it('refuses a password in an ssh:// host without repeating it', () => {
		const attempt = () => dockerOptionsFor('ssh://deploy:hunter2@build.example', {});
		expect(attempt).toThrow(/must not contain a password/);
		try {
			attempt();
		} catch (error) {
			expect((error as Error).message).not.toContain('hunter2');
		}
	});

	it('never shows tcp credentials in the endpoint', () => {
		const {endpoint} = dockerOptionsFor('tcp://admin:s3cret@10.1.2.3:2375', {});
		expect(endpoint).toBe('tcp://10.1.2.3:2375');
	});

	it('keeps IPv6 hosts readable', () => {
		const {options, endpoint} = dockerOptionsFor('tcp://[::1]:2375', {});
		expect(endpoint).toBe('tcp://[::1]:2375');
		expect(options.host).toBe('::1');
	});

	it('throws one-line errors for unsupported schemes and missing hosts', () => {
		expect(() => dockerOptionsFor('http://127.0.0.1:2375', {})).toThrow(
			'unsupported Docker host http://: use unix://, tcp:// or ssh://',
		);
		expect(() => dockerOptionsFor('npipe:////./pipe/docker_engine', {})).toThrow(/unsupported Docker host npipe:\/\//);
		expect(() => dockerOptionsFor('127.0.0.1:2375', {})).toThrow(/unsupported Docker host/);
		expect(() => dockerOptionsFor('unix://', {})).toThrow('Docker host unix:// has no socket path');
		expect(() => dockerOptionsFor('tcp://', {})).toThrow(/has no host name|not a valid URL/);
		expect(() => dockerOptionsFor('ssh://', {})).toThrow(/has no host name|not a valid URL/);
		for (const bad of ['http://x', 'unix://', 'tcp://']) {
			try {
				dockerOptionsFor(bad, {});
			} catch (error) {
				expect((error as Error).message).not.toContain('\n');
			}
		}
	});
});

describe('connectDocker', () => {
	it('gives a client bound to the socket even when DOCKER_HOST and DOCKER_CLIENT_TIMEOUT say otherwise', () => {
		process.env.DOCKER_HOST = 'tcp://10.9.9.9:2375';
		process.env.DOCKER_CLIENT_TIMEOUT = '60';
		const modem = modemOf('unix:///var/run/docker.sock');
		expect(modem.socketPath).toBe('/var/run/docker.sock');
		expect(modem.host).toBeUndefined();
		// A modem timeout would cut the idle events stream.
		expect(modem.timeout).toBeUndefined();
	});

	it('uses DOCKER_HOST when no host is given', () => {
		process.env.DOCKER_HOST = 'tcp://127.0.0.1:2999';
		const {endpoint, docker} = connectDocker(undefined);
		expect(endpoint).toBe('tcp://127.0.0.1:2999');
		const modem = (docker as unknown as {modem: ModemFields}).modem;
		expect(modem).toMatchObject({host: '127.0.0.1', port: 2999, protocol: 'http'});
	});

	it('builds an https client from the environment TLS settings', () => {
		process.env.DOCKER_TLS_VERIFY = '1';
		process.env.DOCKER_CERT_PATH = certDir;
		const modem = modemOf('tcp://127.0.0.1:2376');
		expect(modem.protocol).toBe('https');
		expect(modem.ca).toBeDefined();
	});

	it('builds an ssh client the way docker-modem dials it', () => {
		process.env.SSH_AUTH_SOCK = '/tmp/agent.sock';
		const modem = modemOf('ssh://deploy@127.0.0.1:2222');
		expect(modem).toMatchObject({protocol: 'ssh', host: '127.0.0.1', port: 2222, username: 'deploy'});
		expect(modem.sshOptions?.agent).toBe('/tmp/agent.sock');
	});
});
