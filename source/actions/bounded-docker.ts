// Every Engine API request the actions make is bounded: a daemon that accepts the connection and never answers (a
// stopped dockerd, a hung ssh tunnel) must fail the action with a plain message, not leave it "in progress" forever,
// and closing va-top cancels whatever is still waiting so no socket keeps the process alive after the terminal is back.
// Done once, at the modem's dial, so no call site can forget it (image inspect has no abortSignal option of its own).
import http from 'node:http';
import type {Duplex, Readable} from 'node:stream';
import type Dockerode from 'dockerode';

/** How long each kind of request may take, in ms. */
export interface RequestBounds {
	/** inspect, list, exec create/inspect, archive, network connect, and anything not named below. */
	defaultMs: number;
	/** Create and start. */
	createStartMs: number;
	/** Remove (the vfs driver deletes a whole copy of the image's files). */
	removeMs: number;
	/** Added to the stop request's `t` (the container's stop timeout, 10 s when not given). */
	stopExtraMs: number;
}

export const defaultBounds: RequestBounds = {defaultMs: 10_000, createStartMs: 30_000, removeMs: 30_000, stopExtraMs: 10_000};

export interface BoundedDocker {
	docker: Dockerode;
	/** Requests still waiting for the daemon (for tests). */
	inFlight(): number;
}

/** What a request is, for the message: `inspect`, `create`, `stop`, `exec create`, `archive get`… */
export function requestLabel(method: string, path: string): string {
	const bare = path.split('?', 1)[0]!.replace(/^\/v[\d.]+/, '');
	const parts = bare.split('/').filter(Boolean);
	const [kind, , action] = parts;
	if (kind === 'containers') {
		if (parts[1] === 'json') return 'list';
		if (parts[1] === 'create') return 'create';
		if (action === undefined) return method === 'DELETE' ? 'remove' : 'inspect';
		if (action === 'json') return 'inspect';
		if (action === 'exec') return 'exec create';
		if (action === 'archive') return method === 'PUT' ? 'archive put' : 'archive get';
		return action;
	}

	if (kind === 'exec') return action === 'json' ? 'exec inspect' : `exec ${action ?? 'request'}`;
	if (kind === 'images') return 'image inspect';
	if (kind === 'networks') return `network ${action ?? 'inspect'}`;
	return `${method} ${bare}`;
}

function boundFor(label: string, query: Record<string, unknown> | undefined, bounds: RequestBounds): number {
	if (label === 'create' || label === 'start') return bounds.createStartMs;
	if (label === 'remove') return bounds.removeMs;
	if (label === 'stop') {
		const t = Number(query?.t);
		return (Number.isFinite(t) && t >= 0 ? t * 1000 : 10_000) + bounds.stopExtraMs;
	}

	return bounds.defaultMs;
}

function seconds(ms: number): string {
	return `${Math.round(ms / 100) / 10}s`;
}

type DialOptions = {path: string; method: string; options?: Record<string, unknown>; abortSignal?: AbortSignal; hijack?: boolean; isStream?: boolean};
type DialCallback = (error: unknown, data: unknown) => void;
type Modem = Dockerode['modem'] & {dial(options: DialOptions, callback: DialCallback): void; agent?: http.Agent; protocol?: string};

/**
 * A client sharing `docker`'s connection settings whose every request is bounded and cancelled when `closing`
 * aborts. `docker` itself is left as it was.
 */
export function boundDocker(docker: Dockerode, closing: AbortSignal, bounds: RequestBounds = defaultBounds): BoundedDocker {
	const base = docker.modem as Modem;
	const modem = Object.create(base) as Modem;
	// No keep-alive: an idle pooled socket is one more thing that could hold the process open.
	if (base.agent === undefined && (base.protocol === 'http' || base.protocol === undefined)) {
		const agent = new http.Agent({keepAlive: false});
		modem.agent = agent;
		closing.addEventListener('abort', () => agent.destroy(), {once: true});
	}

	let inFlight = 0;
	modem.dial = function dial(this: Modem, options: DialOptions, callback: DialCallback): void {
		const label = requestLabel(options.method, options.path);
		const limitMs = boundFor(label, options.options, bounds);
		const controller = new AbortController();
		const caller = options.abortSignal;
		let settled = false;
		let body: (Readable | Duplex) | null = null;
		inFlight++;

		const fail = (error: Error) => {
			if (!controller.signal.aborted) controller.abort(error);
			body?.destroy(error);
		};

		const onTimeout = () => fail(new Error(`docker did not answer within ${seconds(limitMs)} (${label})`));
		const onClosing = () => fail(new Error(`docker request cancelled: va-top is closing (${label})`));
		const onCaller = () => fail(caller?.reason instanceof Error && caller.reason.name === 'TimeoutError' ? new Error(`docker did not answer in time (${label})`) : new Error(`docker request aborted (${label})`));
		const timer = setTimeout(onTimeout, limitMs);
		const cleanup = () => {
			clearTimeout(timer);
			closing.removeEventListener('abort', onClosing);
			caller?.removeEventListener('abort', onCaller);
			inFlight--;
		};

		closing.addEventListener('abort', onClosing, {once: true});
		caller?.addEventListener('abort', onCaller, {once: true});
		const reason = (): Error | null => (controller.signal.aborted && controller.signal.reason instanceof Error ? controller.signal.reason : null);
		if (closing.aborted) onClosing();
		else if (caller?.aborted) onCaller();
		if (reason() !== null) {
			cleanup();
			const error = reason()!;
			queueMicrotask(() => callback(error, null));
			return;
		}

		base.dial.call(this, {...options, abortSignal: controller.signal}, (error: unknown, data: unknown) => {
			if (settled) return;
			settled = true;
			// Our own reason, not node's bare "The operation was aborted".
			const ours = error ? reason() : null;
			if (error || data === null || typeof data !== 'object' || typeof (data as {on?: unknown}).on !== 'function') {
				cleanup();
				callback(ours ?? error, data);
				return;
			}

			// A stream (archive get) or a hijacked socket (exec start): still bounded and cancellable until it ends.
			body = data as Readable | Duplex;
			if (options.hijack === true) clearTimeout(timer); // execIn bounds the command itself
			let done = false;
			const end = () => {
				if (done) return;
				done = true;
				cleanup();
			};

			body.once('close', end);
			body.once('end', end);
			body.once('error', end);
			callback(null, data);
		});
	} as Modem['dial'];

	const bounded = Object.create(docker) as Dockerode;
	(bounded as {modem: unknown}).modem = modem;
	return {docker: bounded, inFlight: () => inFlight};
}
