// A unix socket in front of the real Docker socket that can act out a daemon's failures without touching the shared
// dockerd: close() is a daemon gone (socket removed, every connection cut), open() is it back, and pause() is a daemon
// stopped with SIGSTOP: connections stay open and new ones are accepted, but no byte moves either way until resume().
import {rmSync} from 'node:fs';
import net from 'node:net';

export interface DaemonProxy {
	readonly path: string;
	open(): Promise<void>;
	close(): Promise<void>;
	pause(): void;
	resume(): void;
	/** Connections currently forwarded (or held while paused). */
	connections(): number;
}

interface Pair {
	client: net.Socket;
	upstream: net.Socket | null;
	piped: boolean;
}

export function daemonProxy(path: string, target: string): DaemonProxy {
	let server: net.Server | null = null;
	let paused = false;
	const pairs = new Set<Pair>();

	function drop(pair: Pair): void {
		pair.client.destroy();
		pair.upstream?.destroy();
		pairs.delete(pair);
	}

	function pipe(pair: Pair): void {
		if (pair.piped || paused) return;
		if (pair.upstream === null) {
			const upstream = net.createConnection(target);
			pair.upstream = upstream;
			upstream.on('error', () => drop(pair));
			upstream.on('close', () => drop(pair));
		}

		pair.client.pipe(pair.upstream);
		pair.upstream.pipe(pair.client);
		pair.client.resume();
		pair.upstream.resume();
		pair.piped = true;
	}

	function unpipe(pair: Pair): void {
		if (!pair.piped) return;
		pair.client.unpipe();
		pair.upstream?.unpipe();
		// Unpiped streams keep flowing unless paused: what arrives stays in their buffers until resume().
		pair.client.pause();
		pair.upstream?.pause();
		pair.piped = false;
	}

	return {
		path,
		async open() {
			rmSync(path, {force: true});
			const fresh = net.createServer(client => {
				const pair: Pair = {client, upstream: null, piped: false};
				pairs.add(pair);
				client.pause();
				client.on('error', () => drop(pair));
				client.on('close', () => drop(pair));
				pipe(pair);
			});
			server = fresh;
			await new Promise<void>((resolve, reject) => {
				fresh.once('error', reject);
				fresh.listen(path, () => resolve());
			});
		},
		async close() {
			const current = server;
			server = null;
			if (!current) return;
			const closed = new Promise<void>(resolve => current.close(() => resolve()));
			for (const pair of [...pairs]) drop(pair);
			await closed;
			rmSync(path, {force: true});
		},
		pause() {
			paused = true;
			for (const pair of pairs) unpipe(pair);
		},
		resume() {
			paused = false;
			for (const pair of pairs) pipe(pair);
		},
		connections: () => pairs.size,
	};
}
