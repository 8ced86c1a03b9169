// Issue 12: a raw library message reached the screen (`redis: Protocol error, got "H" as reply type byte. Please
// report this.`) from a Redis URL that pointed at an HTTP server. The real clients (ioredis, dockerode) against
// servers of this test's own on loopback (an HTTP server, something that greets like SSH), and the one line each
// error becomes.
import http from 'node:http';
import net from 'node:net';
import Docker from 'dockerode';
import Redis from 'ioredis';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {describeError} from '../../source/sources/describe-error.js';

let web: http.Server;
let ssh: net.Server;
let webPort: number;
let sshPort: number;
const sockets = new Set<net.Socket>();

async function listen(server: net.Server): Promise<number> {
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	return (server.address() as net.AddressInfo).port;
}

beforeAll(async () => {
	web = http.createServer((_request, response) => {
		response.writeHead(400);
		response.end('bad request');
	});
	webPort = await listen(web);
	// An SSH server greets first, before the client says anything.
	ssh = net.createServer(socket => {
		sockets.add(socket);
		socket.on('error', () => {});
		socket.write('SSH-2.0-OpenSSH_9.2\r\n');
	});
	sshPort = await listen(ssh);
});

afterAll(async () => {
	// Clients that gave up may leave their sockets open: close them, or the servers wait for them.
	web.closeAllConnections();
	for (const socket of sockets) socket.destroy();
	await Promise.all([new Promise(resolve => web.close(resolve)), new Promise(resolve => ssh.close(resolve))]);
});

/** The first error ioredis reports about the connection (what the collector's 'error' listener gets). */
async function redisError(port: number): Promise<unknown> {
	const client = new Redis({host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null, connectTimeout: 2000});
	// Errors after the first (the connection closing) are expected; ioredis prints unhandled ones.
	client.on('error', () => {});
	try {
		return await new Promise(resolve => {
			client.once('error', resolve);
			client.connect().catch(() => {});
		});
	} finally {
		client.disconnect();
	}
}

describe('a server that is not the one expected', () => {
	it('Redis URL pointing at an HTTP server: names the source, what was expected and what answered', async () => {
		const error = await redisError(webPort);
		// What the library says: the raw text that reached the screen before.
		expect((error as Error).message).toMatch(/Protocol error, got "H" as reply type byte/);
		const line = describeError(error, `127.0.0.1:${webPort}`);
		// On screen: `redis: unreachable (did not answer as Redis at …)`.
		expect(line).toBe(`did not answer as Redis at 127.0.0.1:${webPort} (it answered like an HTTP server)`);
		expect(line).not.toMatch(/Protocol error|Please report/);
	});

	it('Redis URL pointing at an SSH server', async () => {
		const error = await redisError(sshPort);
		expect(describeError(error, `127.0.0.1:${sshPort}`)).toBe(`did not answer as Redis at 127.0.0.1:${sshPort} (it answered like an SSH server)`);
	});

	it('a Docker host that does not speak HTTP', async () => {
		const docker = new Docker({host: '127.0.0.1', port: sshPort, protocol: 'http', timeout: 2000});
		const error = await docker.ping().then(
			() => null,
			(caught: unknown) => caught,
		);
		expect((error as Error).message).toMatch(/Parse Error/);
		expect(describeError(error, `tcp://127.0.0.1:${sshPort}`)).toBe(`did not answer as the Docker API at tcp://127.0.0.1:${sshPort} (what answered does not speak HTTP)`);
	});
});
