// One Docker engine's connection as a source sees it: the status machine (connecting → ok → unreachable →
// reconnecting → ok), the retry delays, an epoch that makes answers of an older connection harmless, bounded
// requests that stop() can cancel, and the ping that tells a quiet engine from a hung one. What is read over the
// connection (the members, their numbers) is the owner's: it hands in load / up / down.
import type Dockerode from 'dockerode';
import type {SourceStatus} from '../../core/types.js';
import {describeError} from '../describe-error.js';

/** Waits between reconnect attempts: 1 s, 2 s, then 5 s for as long as it takes. */
export const dockerRetryDelaysMs = [1000, 2000, 5000] as const;
/** Bounds each list or inspect request (not the streams, which are idle by nature). */
export const dockerRequestTimeoutMs = 5000;

export class RequestTimeout extends Error {
	readonly code = 'ETIMEDOUT';
	constructor() {
		super(`timed out after ${dockerRequestTimeoutMs / 1000}s`);
	}
}

export interface EngineLinkHooks {
	/**
	 * One connection attempt's reading (list + inspect). Throws when the engine cannot be read; returns early (and the
	 * link ignores the result) when `link.current(epoch)` no longer holds.
	 */
	load(epoch: number): Promise<void>;
	/** The attempt succeeded and the status is ok: subscribe to events, start metering. */
	up(epoch: number): void;
	/** The connection is gone or va-top stops: close events, streams and timers (the rows stay). */
	down(): void;
	/** The status changed (or a ping refreshed it). */
	changed(): void;
}

export interface EngineLink {
	readonly docker: Dockerode;
	readonly endpoint: string;
	/** The unix socket's path, or null for tcp:// and ssh://. */
	readonly socketPath: string | null;
	status(): SourceStatus;
	/** Connected and not stopped: readers may run. */
	isUp(): boolean;
	isStopped(): boolean;
	/** The epoch now; compare with current() after an await. */
	epoch(): number;
	current(epoch: number): boolean;
	/** A request bounded by dockerRequestTimeoutMs that stop() cancels. */
	request<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T>;
	/** Work that stop() waits for (a stream closing). */
	track<T>(promise: Promise<T>): Promise<T>;
	/** Data came in: the status's time moves on (at most every 250 ms); the caller says changed. */
	fresh(): void;
	/** Asks the engine whether it still answers; ok again when it does, unchanged when not (a hung one goes stale). */
	ping(): void;
	/** The connected engine went away (error, or null when the events stream just ended): retry. */
	lost(error: unknown): void;
	start(): void;
	stop(): Promise<void>;
}

function errorCode(error: unknown): string | undefined {
	const code = (error as {code?: unknown} | null)?.code;
	return typeof code === 'string' ? code : undefined;
}

export function statusCode(error: unknown): number | undefined {
	const code = (error as {statusCode?: unknown} | null)?.statusCode;
	return typeof code === 'number' ? code : undefined;
}

/** What went wrong, in one line that names the endpoint; never a library's raw text. */
export function engineReason(error: unknown, endpoint: string): string {
	const socketPath = endpoint.startsWith('unix://') ? endpoint.slice('unix://'.length) : null;
	const code = errorCode(error);
	if (socketPath && code === 'EACCES') return `permission denied on ${socketPath}`;
	if (socketPath && code === 'ENOENT') return `no such socket ${socketPath}`;
	if (socketPath && code === 'ECONNREFUSED') return `connection refused at ${endpoint} (is dockerd running?)`;
	const http = statusCode(error);
	if (http !== undefined) {
		const message = error instanceof Error ? error.message.replace(/^\(HTTP code \d+\)\s*/, '').trim() : '';
		return `daemon at ${endpoint} answered HTTP ${http}${message ? `: ${message.split('\n', 1)[0]}` : ''}`;
	}

	if (/authentication methods failed/i.test(error instanceof Error ? error.message : '')) {
		return `ssh authentication failed at ${endpoint}`;
	}

	return describeError(error, endpoint, error instanceof RequestTimeout ? dockerRequestTimeoutMs : undefined);
}

export function createEngineLink(options: {docker: Dockerode; endpoint: string; now: () => number; hooks: EngineLinkHooks}): EngineLink {
	const {docker, endpoint, now, hooks} = options;
	const socketPath = endpoint.startsWith('unix://') ? endpoint.slice('unix://'.length) : null;
	let status: SourceStatus = {kind: 'connecting', since: now()};
	let started = false;
	let stopped = false;
	// Bumped on every (re)connect and on stop: answers and streams of an older connection are ignored.
	let epoch = 0;
	let failures = 0;
	let downSince: number | null = null;
	let lastReason = '';
	let retryTimer: NodeJS.Timeout | undefined;
	let pinging = false;
	// Everything stop() has to wait for.
	const inFlight = new Set<Promise<unknown>>();
	const requestAborts = new Set<AbortController>();

	function track<T>(promise: Promise<T>): Promise<T> {
		const settled = promise.then(
			() => undefined,
			() => undefined,
		);
		inFlight.add(settled);
		void settled.then(() => inFlight.delete(settled));
		return promise;
	}

	function setStatus(next: SourceStatus): void {
		status = next;
		hooks.changed();
	}

	function request<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
		const abort = new AbortController();
		requestAborts.add(abort);
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			abort.abort();
		}, dockerRequestTimeoutMs);
		return track(
			run(abort.signal)
				.catch((error: unknown) => {
					throw timedOut ? new RequestTimeout() : error;
				})
				.finally(() => {
					clearTimeout(timer);
					requestAborts.delete(abort);
				}),
		);
	}

	async function connect(): Promise<void> {
		const attemptEpoch = ++epoch;
		try {
			await hooks.load(attemptEpoch);
		} catch (error) {
			if (attemptEpoch === epoch && !stopped) fail(engineReason(error, endpoint));
			return;
		}

		if (attemptEpoch !== epoch || stopped) return;
		failures = 0;
		downSince = null;
		lastReason = '';
		setStatus({kind: 'ok', at: now()});
		hooks.up(attemptEpoch);
	}

	function fail(reason: string): void {
		lastReason = reason;
		downSince ??= now();
		// Unreachable first; once retrying it stays 'reconnecting' (with the newest reason) until a connect succeeds.
		// Going back to 'unreachable' after each failed attempt left 'reconnecting' on screen for a few milliseconds
		// only, so the header never said that va-top was reconnecting.
		const kind = status.kind === 'reconnecting' ? 'reconnecting' : 'unreachable';
		setStatus({kind, reason, since: downSince});
		scheduleRetry();
	}

	function scheduleRetry(): void {
		clearTimeout(retryTimer);
		const delay = dockerRetryDelaysMs[Math.min(failures, dockerRetryDelaysMs.length - 1)];
		failures++;
		retryTimer = setTimeout(() => {
			retryTimer = undefined;
			if (stopped) return;
			setStatus({kind: 'reconnecting', reason: lastReason, since: downSince ?? now()});
			void track(connect());
		}, delay);
	}

	return {
		docker,
		endpoint,
		socketPath,
		status: () => status,
		isUp: () => status.kind === 'ok' && !stopped,
		isStopped: () => stopped,
		epoch: () => epoch,
		current: (value) => value === epoch && !stopped,
		request,
		track,
		fresh() {
			// The status's time is when data last came in (by our clock, as for PostgreSQL and Redis): the screen marks
			// docker stale from it when the daemon stops answering. Without this it stayed at the connect time.
			const at = now();
			if (status.kind === 'ok' && at - status.at >= 250) status = {kind: 'ok', at};
		},
		ping() {
			if (pinging || stopped || status.kind !== 'ok') return;
			pinging = true;
			const pingEpoch = epoch;
			request((signal) => (docker.ping as (options: {abortSignal: AbortSignal}) => Promise<unknown>).call(docker, {abortSignal: signal})).then(
				() => {
					pinging = false;
					if (stopped || pingEpoch !== epoch || status.kind !== 'ok') return;
					status = {kind: 'ok', at: now()};
					hooks.changed();
				},
				() => {
					// A hung daemon shows as stale; a gone one ends the events stream, which reconnects.
					pinging = false;
				},
			);
		},
		lost(error) {
			if (stopped || status.kind !== 'ok') return;
			epoch++;
			hooks.down();
			fail(error === null ? `lost connection to ${endpoint} (event stream ended)` : engineReason(error, endpoint));
		},
		start() {
			if (started || stopped) return;
			started = true;
			status = {kind: 'connecting', since: now()};
			hooks.changed();
			void track(connect());
		},
		async stop() {
			if (stopped) {
				await Promise.allSettled([...inFlight]);
				return;
			}

			stopped = true;
			epoch++;
			clearTimeout(retryTimer);
			retryTimer = undefined;
			hooks.down();
			for (const abort of requestAborts) abort.abort();
			// Settling work can add more (a reader closing after its request): wait until nothing is left.
			while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
		},
	};
}
