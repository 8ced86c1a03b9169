import net from 'node:net';
import {ReplyError} from 'ioredis';
import pg from 'pg';
import {describe, expect, it} from 'vitest';
import {describeError, formatDuration, redactSecrets, redactUrls} from '../../source/sources/describe-error.js';

const endpoint = '127.0.0.1:5432';

function systemError(code: string, message = `connect ${code} 127.0.0.1:5432`): Error {
	return Object.assign(new Error(message), {code, syscall: 'connect'});
}

function pgError(code: string, message: string): Error {
	const error = new pg.DatabaseError(message, message.length, 'error');
	error.code = code;
	return error;
}

describe('describeError: network errors', () => {
	it('maps node system error codes to plain reasons naming the endpoint', () => {
		expect(describeError(systemError('ECONNREFUSED'), endpoint)).toBe('connection refused at 127.0.0.1:5432');
		expect(describeError(systemError('ENOTFOUND', 'getaddrinfo ENOTFOUND db'), 'db:5432')).toBe('host not found at db:5432');
		expect(describeError(systemError('EAI_AGAIN', 'getaddrinfo EAI_AGAIN db'), 'db:5432')).toBe(
			'host name lookup failed (DNS unavailable) at db:5432',
		);
		expect(describeError(systemError('ECONNRESET', 'read ECONNRESET'), endpoint)).toBe('connection reset at 127.0.0.1:5432');
		expect(describeError(systemError('EPIPE', 'write EPIPE'), endpoint)).toBe(
			'connection closed while writing (broken pipe) at 127.0.0.1:5432',
		);
		expect(describeError(systemError('EACCES', 'connect EACCES /var/run/docker.sock'), '/var/run/docker.sock')).toBe(
			'permission denied at /var/run/docker.sock',
		);
		expect(describeError(systemError('ENOENT', 'connect ENOENT /tmp/x.sock'), '/tmp/x.sock')).toBe(
			'no such socket or file at /tmp/x.sock',
		);
	});

	it('finds the code inside an AggregateError (node happy-eyeballs connect to localhost)', () => {
		const aggregate = new AggregateError([systemError('ECONNREFUSED'), systemError('ECONNREFUSED')], '');
		expect(describeError(aggregate, 'localhost:5432')).toBe('connection refused at localhost:5432');
	});

	it('describes a real refused connection from node:net', async () => {
		// Find a free loopback port by binding and releasing it, then connect to it.
		const server = net.createServer();
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const {port} = server.address() as net.AddressInfo;
		await new Promise<void>((resolve) => server.close(() => resolve()));
		const error = await new Promise<unknown>((resolve) => {
			const socket = net.connect(port, '127.0.0.1');
			socket.on('error', resolve);
		});
		expect(describeError(error, `127.0.0.1:${port}`)).toBe(`connection refused at 127.0.0.1:${port}`);
	});

	it('says how long it waited for the timeouts of node, pg and ioredis', () => {
		expect(describeError(systemError('ETIMEDOUT'), endpoint, 2000)).toBe('timed out after 2s at 127.0.0.1:5432');
		expect(describeError(new Error('timeout expired'), endpoint, 1500)).toBe('timed out after 1.5s at 127.0.0.1:5432');
		expect(describeError(new Error('Connection terminated due to connection timeout'), endpoint, 2000)).toBe(
			'timed out after 2s at 127.0.0.1:5432',
		);
		expect(describeError(new Error('Query read timeout'), endpoint, 2000)).toBe('timed out after 2s at 127.0.0.1:5432');
		expect(describeError(new Error('Command timed out'), '127.0.0.1:6379', 500)).toBe('timed out after 500ms at 127.0.0.1:6379');
		expect(describeError(new Error('Ready check failed: Command timed out'), '127.0.0.1:6379')).toBe(
			'timed out at 127.0.0.1:6379',
		);
		expect(describeError(new DOMException('The operation was aborted due to timeout', 'TimeoutError'), 'docker', 3000)).toBe(
			'timed out after 3s at docker',
		);
		expect(describeError(pgError('57014', 'canceling statement due to statement timeout'), endpoint, 2000)).toBe(
			'query timed out after 2s at 127.0.0.1:5432',
		);
	});
});

describe('describeError: server errors', () => {
	it('maps PostgreSQL SQLSTATEs', () => {
		expect(describeError(pgError('28P01', 'password authentication failed for user "voiceassist"'), endpoint)).toBe(
			'password authentication failed for user "voiceassist"',
		);
		expect(describeError(pgError('53300', 'sorry, too many clients already'), endpoint)).toBe(
			'too many clients (max_connections reached)',
		);
		expect(
			describeError(pgError('53300', 'remaining connection slots are reserved for non-replication superuser connections'), endpoint),
		).toBe('too many clients (max_connections reached)');
		expect(describeError(pgError('3D000', 'database "x" does not exist'), endpoint)).toBe('database "x" does not exist');
		expect(describeError(pgError('28000', 'role "nobody" does not exist'), endpoint)).toBe('role "nobody" does not exist');
		expect(describeError(pgError('57P03', 'the database system is starting up'), endpoint)).toBe(
			'database is starting up or shutting down at 127.0.0.1:5432',
		);
	});

	it('maps a missing client password (pg SCRAM) to a plain reason', () => {
		expect(describeError(new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string'), endpoint)).toBe(
			'password required but none given at 127.0.0.1:5432',
		);
	});

	it('maps Redis auth replies, also when ioredis wraps them', () => {
		expect(describeError(new ReplyError('NOAUTH Authentication required.'), '127.0.0.1:6380')).toBe(
			'authentication required (NOAUTH)',
		);
		expect(describeError(new Error('Ready check failed: NOAUTH Authentication required.'), '127.0.0.1:6380')).toBe(
			'authentication required (NOAUTH)',
		);
		expect(
			describeError(new ReplyError('WRONGPASS invalid username-password pair or user is disabled.'), '127.0.0.1:6380'),
		).toBe('wrong password');
		expect(describeError(new ReplyError('ERR invalid password'), '127.0.0.1:6380')).toBe('wrong password');
	});

	it('names lost connections plainly', () => {
		expect(describeError(new Error('Connection terminated unexpectedly'), endpoint)).toBe(
			'connection closed by server at 127.0.0.1:5432',
		);
		expect(describeError(new Error("Stream isn't writeable and enableOfflineQueue options is false"), '127.0.0.1:6379')).toBe(
			'not connected at 127.0.0.1:6379',
		);
	});
});

describe('describeError: fallback and redaction', () => {
	it('falls back to the first line of the message', () => {
		expect(describeError(new Error('something odd\n    at stack line'), endpoint)).toBe('something odd');
		expect(describeError('plain string\nsecond', endpoint)).toBe('plain string');
		expect(describeError({message: 'object with message'}, endpoint)).toBe('object with message');
		expect(describeError(undefined, endpoint)).toBe('unknown error at 127.0.0.1:5432');
		expect(describeError(42, endpoint)).toBe('unknown error at 127.0.0.1:5432');
		expect(describeError(new Error(''), endpoint)).toBe('unknown error at 127.0.0.1:5432');
	});

	it('redacts URL passwords in the fallback message and in the endpoint', () => {
		const reason = describeError(new Error('cannot parse postgres://admin:s3cr3t@db:5432/x here'), 'redis://:hunter22@h:6380');
		expect(reason).toBe('cannot parse postgres://admin:***@db:5432/x here');
		expect(describeError(systemError('ECONNREFUSED'), 'redis://:hunter22@h:6380')).toBe(
			'connection refused at redis://:***@h:6380',
		);
		expect(describeError(systemError('ECONNREFUSED'), 'redis://:hunter22@h:6380')).not.toContain('hunter22');
	});

	it('redactUrls keeps user and host, redactSecrets also removes known literals', () => {
		expect(redactUrls('a postgresql://u:p%40ss@h/db b redis://:x@h2 c')).toBe('a postgresql://u:***@h/db b redis://:***@h2 c');
		expect(redactUrls('no credentials: http://host:80/path and user@host')).toBe(
			'no credentials: http://host:80/path and user@host',
		);
		expect(redactSecrets('AUTH va-redis-secret failed', ['va-redis-secret', undefined])).toBe('AUTH *** failed');
		expect(redactSecrets('a b', ['a'])).toBe('a b');
	});

	it('formats durations briefly', () => {
		expect(formatDuration(2000)).toBe('2s');
		expect(formatDuration(2500)).toBe('2.5s');
		expect(formatDuration(250)).toBe('250ms');
		expect(formatDuration(1234)).toBe('1.2s');
	});
});

describe('describeError: a peer that is not what the URL says', () => {
	it('a Redis URL pointing at an HTTP server says so, not the parser\'s "Please report this" (issue 12)', () => {
		// The error ioredis emits when redis-parser reads "HTTP/1.1 400 Bad Request" as a reply.
		const error = new Error('Protocol error, got "H" as reply type byte. Please report this.');
		expect(describeError(error, '127.0.0.1:8080')).toBe('did not answer as Redis at 127.0.0.1:8080 (it answered like an HTTP server)');
		expect(describeError(new Error('Protocol error, got "S" as reply type byte. Please report this.'), 'h:22')).toBe('did not answer as Redis at h:22 (it answered like an SSH server)');
		expect(describeError(new Error('Protocol error, got "\\u0000" as reply type byte'), 'h:1')).toBe('did not answer as Redis at h:1 (its first byte was "\\u0000")');
	});
});
