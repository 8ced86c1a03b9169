// Follows one container's log through the Docker logs API: stdout only, with the engine's timestamps, from `since`.
// The stream ends when the container stops, when json-file rotates under a follower (moby 23913, 37646), or when
// the connection drops: the caller starts a new follower from the last timestamp seen, and the lines the engine
// sends again (since is inclusive) are skipped by their exact timestamp.
import type Dockerode from 'dockerode';
import {withTimeout} from '../kit/timeouts.js';
import {compareTimestamps, createLogStreamParser, sinceOf, type TimedLine} from './docker-stream.js';

export interface FollowSink {
	line(text: string): void;
	overlong(): void;
}

/** Where a container's log was read up to: the last timestamp, and how many lines carried exactly that time. */
export interface LogPosition {
	timestamp: string;
	linesAtTimestamp: number;
}

export interface Follower {
	/** Resolves when the stream has ended, for whatever reason (an error is passed on). */
	done: Promise<unknown>;
	stop(): void;
	/** The position after the last line delivered. */
	position(): LogPosition | null;
}

export interface FollowOptions {
	container: Dockerode.Container;
	tty: boolean;
	/** Begin here: a position of an earlier follower, or a time (epoch ms) for a first read. */
	from: LogPosition | number;
	/** false: read what is there up to now and end (the one-shot check). */
	follow: boolean;
	sink: FollowSink;
	/** Bound on the engine's answer to the request (not on the stream that follows). */
	timeoutMs: number;
}

export function followContainerLog(options: FollowOptions): Follower {
	let position: LogPosition | null = typeof options.from === 'number' ? null : {...options.from};
	// Lines the engine sends again at the position's timestamp, to be skipped.
	let replay = position?.linesAtTimestamp ?? 0;
	let stream: NodeJS.ReadableStream | null = null;
	let stopped = false;

	function deliver(line: TimedLine): void {
		// The parser only passes timestamps of the engine's form.
		const timestamp = line.timestamp;
		if (timestamp !== null && position !== null) {
			const order = compareTimestamps(timestamp, position.timestamp);
			if (order < 0) return;
			if (order === 0) {
				if (replay > 0) {
					replay--;
					return;
				}

				position.linesAtTimestamp++;
			} else {
				position = {timestamp, linesAtTimestamp: 1};
				replay = 0;
			}
		} else if (timestamp !== null) {
			position = {timestamp, linesAtTimestamp: 1};
		}

		options.sink.line(line.text);
	}

	const parser = createLogStreamParser({line: deliver, overlong: () => options.sink.overlong()}, {tty: options.tty});
	const since = typeof options.from === 'number' ? (options.from / 1000).toFixed(3) : (sinceOf(options.from.timestamp) ?? '0');

	const done = (async () => {
		// dockerode's typings want a number; the engine takes seconds with nanoseconds as text, as the CLI sends.
		const query = {stdout: true, stderr: false, timestamps: true, since: since as unknown as number};
		if (!options.follow) {
			const bytes = await withTimeout(options.container.logs({...query, follow: false}), options.timeoutMs, 'logs');
			if (!stopped) parser.push(Buffer.isBuffer(bytes) ? bytes : Buffer.from(String(bytes)));
			return null;
		}

		const readable = await withTimeout(options.container.logs({...query, follow: true}), options.timeoutMs, 'logs');
		stream = readable;
		if (stopped) {
			destroy(readable);
			return null;
		}

		return new Promise<unknown>((resolve) => {
			readable.on('data', (chunk: Buffer) => {
				if (!stopped) parser.push(chunk);
			});
			readable.on('end', () => resolve(null));
			readable.on('close', () => resolve(null));
			readable.on('error', (error: unknown) => resolve(error));
		});
	})().catch((error: unknown) => error);

	return {
		done,
		stop() {
			stopped = true;
			if (stream) destroy(stream);
		},
		position: () => (position === null ? null : {...position}),
	};
}

function destroy(stream: NodeJS.ReadableStream): void {
	(stream as unknown as {destroy?: () => void}).destroy?.();
}
