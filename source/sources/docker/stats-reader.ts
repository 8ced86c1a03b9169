// How the collector gets stats for one container, behind one small interface so the transport can
// change later (e.g. one-shot reads spaced out for containers that do not need a stream).
import type {IncomingMessage} from 'node:http';
import type Dockerode from 'dockerode';
import type {DockerStatsJson} from '../../core/docker-stats.js';

export interface StatsSink {
	/** One stats message. Called synchronously from the socket; keep it cheap. */
	onStats(stats: DockerStatsJson): void;
	/** The reader stopped on its own (container stopped, daemon gone, request refused). Not called after close(). */
	onEnd(error: unknown): void;
}

export interface StatsReader {
	/** Stops reading; resolves when the connection is gone. No sink call happens after this is called. */
	close(): Promise<void>;
}

/** Calls onLine for each complete newline-terminated line of a text stream. */
export function splitLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
	let buffer = '';
	stream.setEncoding('utf8');
	stream.on('data', (chunk: string) => {
		// Most chunks are exactly one message: skip the concatenation then.
		let text = buffer === '' ? chunk : buffer + chunk;
		let newline = text.indexOf('\n');
		while (newline !== -1) {
			if (newline > 0) onLine(text.slice(0, newline));
			text = text.slice(newline + 1);
			newline = text.indexOf('\n');
		}

		buffer = text;
	});
}

/** Waits until a stream has closed; already closed streams resolve at once. */
function closedPromise(stream: IncomingMessage): Promise<void> {
	if (stream.closed) return Promise.resolve();
	return new Promise((resolve) => {
		stream.once('close', () => resolve());
	});
}

/** One `GET /containers/{id}/stats?stream=true` connection: the daemon sends a message about every second. */
export function openStatsStream(docker: Dockerode, id: string, sink: StatsSink): StatsReader {
	const abort = new AbortController();
	let closed = false;
	let ended = false;
	let stream: IncomingMessage | null = null;

	function end(error: unknown): void {
		if (closed || ended) return;
		ended = true;
		try {
			sink.onEnd(error);
		} catch {
			// The collector's bug must not become an unhandled exception on a socket.
		}
	}

	const opened = docker
		.getContainer(id)
		// abortSignal is honoured by dockerode but missing from this overload's typings.
		.stats({stream: true, abortSignal: abort.signal} as {stream: true})
		.then(
			(readable) => {
				const response = readable as IncomingMessage;
				stream = response;
				// Keep an 'error' listener for the stream's whole life: destroy() may emit one later.
				response.on('error', (error) => end(error));
				response.on('end', () => end(null));
				response.on('close', () => end(null));
				if (closed) {
					response.destroy();
					return;
				}

				splitLines(response, (line) => {
					if (closed) return;
					let stats: DockerStatsJson;
					try {
						stats = JSON.parse(line) as DockerStatsJson;
					} catch {
						return;
					}

					try {
						sink.onStats(stats);
					} catch {
						// Same as above: never throw into the socket.
					}
				});
			},
			(error: unknown) => end(error),
		);

	return {
		async close() {
			if (!closed) {
				closed = true;
				abort.abort();
				stream?.destroy();
			}

			await opened;
			if (stream) await closedPromise(stream);
		},
	};
}
