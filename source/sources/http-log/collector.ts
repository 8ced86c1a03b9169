// Reads nginx's access log into the sliding window: by default the log stream of the Compose project's nginx
// container(s) through the Docker logs API, or a file with --http-log. One reading a second from the window; the
// lines themselves are parsed as they come.
import type Dockerode from 'dockerode';
import type {SourceReading} from '../../core/source-model.js';
import type {Collector} from '../collector.js';
import {boundDocker} from '../../actions/bounded-docker.js';
import {connectDocker} from '../docker/connect.js';
import type {Kit} from '../kit/index.js';
import {sourceLabel, type HttpLogConfig} from './config.js';
import {followContainerLog, type Follower, type LogPosition} from './docker-follow.js';
import {createFileTail, findStartOffset, type FileTail} from './file-tail.js';
import {createEndpointsResolver, type EndpointsResolver} from './instance-endpoints.js';
import type {LineSink} from './lines.js';
import {parseAccessLine} from './parse.js';
import type {HttpSample} from './sample.js';
import {summarize} from './summary.js';
import {createLatencyWindow} from './window.js';

export type {HttpLogConfig} from './config.js';

export interface HttpCollectorOptions {
	/** A Docker client of the caller's (tests); default: one for config.dockerHost. */
	docker?: Dockerode;
}

/** How often the nginx and app containers are listed again (sooner when a log stream ended). */
const relistMs = 5000;


export function createHttpLogCollector(config: HttpLogConfig, kit: Kit, options: HttpCollectorOptions = {}): Collector<SourceReading<HttpSample>> {
	const endpoint = sourceLabel(config);
	const cell = kit.cell<HttpSample>(endpoint);
	const connection = options.docker === undefined ? connectDocker(config.dockerHost) : {docker: options.docker, endpoint: config.dockerHost ?? 'unix:///var/run/docker.sock'};
	// Closing cancels every request still waiting (a daemon that accepts and never answers): no socket may keep the
	// process alive after q. Timeouts stay the kit's; the followed log streams are long-lived on purpose.
	const closing = new AbortController();
	const bounded = boundDocker(connection.docker, closing.signal, {defaultMs: 2 ** 31 - 1, createStartMs: 2 ** 31 - 1, removeMs: 2 ** 31 - 1, stopExtraMs: 0});
	const deps = {
		cell,
		intervalMs: kit.intervalMs,
		now: () => kit.now(),
		describe: (error: unknown) => kit.describe(error, config.mode === 'file' ? config.file! : connection.endpoint),
		docker: bounded.docker,
		// /proc is ours to read only when the engine runs on this machine.
		localEngine: connection.endpoint.startsWith('unix://'),
	};
	const window = createLatencyWindow(config.windowSeconds);
	const resolver: EndpointsResolver = createEndpointsResolver({docker: deps.docker, project: config.project, service: config.appService, local: deps.localEngine});
	let format: HttpSample['format'] = null;
	let running = false;
	let timer: NodeJS.Timeout | undefined;
	let backfilled = false;
	let found = true;
	let failure: string | null = null;
	// Nothing is published before the first look at the log: an empty window then would read as "no requests".
	let looked = false;

	const sink: LineSink = {
		line(text) {
			const arrival = deps.now();
			const record = parseAccessLine(text);
			if (record === null) {
				// A blank line is nothing, not a line misunderstood.
				if (text.trim() !== '') window.addUnparsed(arrival);
				return;
			}

			format = record.format;
			window.add(record, arrival);
		},
		overlong: () => window.addUnparsed(deps.now()),
	};

	function publish(): void {
		if (!running || !looked) return;
		if (failure !== null) {
			deps.cell.fail(failure);
			return;
		}

		const now = deps.now();
		const stats = window.read(now);
		const figures = summarize(stats, resolver.endpoints(), resolver.instances());
		deps.cell.ok({...figures, at: now, source: sourceLabel(config), found, notUnderstood: stats.unparsed, format, backfilled}, now);
	}

	/** The app instances listed again, bounded: an engine that does not answer leaves the last list. */
	async function refreshInstances(): Promise<void> {
		await kit.atMost(resolver.refresh(), kit.timeoutMs);
	}

	// ---- file mode ------------------------------------------------------------------------------------------------
	let tail: FileTail | null = null;

	function startFile(): void {
		const from = deps.now() - config.windowSeconds * 1000;
		window.coverFrom(from);
		tail = createFileTail({
			path: config.file!,
			sink,
			startAt: (read, size) => findStartOffset(read, size, from, (line) => parseAccessLine(line)?.timeMs ?? null),
			onStatus(error) {
				failure = error === null ? null : deps.describe(error);
			},
		});
		looked = true;
		if (config.once) {
			tail.poll();
			tail.stop();
		} else {
			tail.start();
		}
	}

	// ---- docker mode ----------------------------------------------------------------------------------------------
	const followers = new Map<string, Follower>();
	const positions = new Map<string, LogPosition>();
	let lastList = 0;
	let listing: Promise<void> | null = null;

	async function listNginx(): Promise<void> {
		const docker = deps.docker;
		let containers: Dockerode.ContainerInfo[];
		try {
			containers = await kit.withTimeout(
				docker.listContainers({filters: {label: [`com.docker.compose.project=${config.project}`, `com.docker.compose.service=${config.service}`], status: ['running']}}),
				kit.timeoutMs,
				'list containers',
			);
		} catch (error) {
			failure = deps.describe(error);
			return;
		}

		if (!running) return;
		if (containers.length === 0) {
			if (config.serviceGiven) {
				failure = `no running container of service ${config.service} in project ${config.project}`;
			} else {
				failure = null;
				found = false;
			}

			return;
		}

		failure = null;
		found = true;
		const pending: Array<Promise<unknown>> = [];
		for (const container of containers) {
			if (followers.has(container.Id)) continue;
			const handle = docker.getContainer(container.Id);
			let tty = false;
			let createdMs = 0;
			try {
				const info = await kit.withTimeout(handle.inspect(), kit.timeoutMs, 'inspect');
				tty = info.Config.Tty === true;
				createdMs = Date.parse(info.Created);
			} catch (error) {
				failure = deps.describe(error);
				continue;
			}

			const windowStart = deps.now() - config.windowSeconds * 1000;
			// The log holds everything since the container was created: the window is covered from there.
			window.coverFrom(Math.max(windowStart, Number.isFinite(createdMs) ? createdMs : windowStart));
			const follower = followContainerLog({container: handle, tty, from: positions.get(container.Id) ?? windowStart, follow: !config.once, sink, timeoutMs: kit.timeoutMs});
			followers.set(container.Id, follower);
			pending.push(
				follower.done.then((error) => {
					const position = follower.position();
					if (position !== null) positions.set(container.Id, position);
					if (followers.get(container.Id) === follower) followers.delete(container.Id);
					if (error instanceof Error && running && !config.once) failure = deps.describe(error);
					// Ended (container stopped, log rotated, connection lost): look again soon.
					lastList = 0;
				}),
			);
		}

		// --once: the window is in when every log read to its end.
		if (config.once) await Promise.all(pending);
	}

	function tickDocker(): void {
		const now = deps.now();
		const streamLost = found && followers.size === 0;
		if (listing === null && (now - lastList >= relistMs || (streamLost && now - lastList >= 1000))) {
			lastList = now;
			if (config.once && backfilled) return;
			listing = Promise.all([listNginx(), refreshInstances()])
				.then(() => undefined)
				.finally(() => {
					listing = null;
					looked = true;
					// The log read (to its end, for --once) and the instances listed: the window may be reported.
					backfilled = true;
					publish();
				});
		}
	}

	function tick(): void {
		if (!running) return;
		if (config.mode === 'docker') tickDocker();
		else if (deps.now() - lastList >= relistMs) {
			lastList = deps.now();
			void refreshInstances();
		}

		publish();
	}

	return {
		start() {
			if (running) return;
			running = true;
			deps.cell.connecting();
			if (config.mode === 'file') {
				startFile();
				lastList = deps.now();
				// The window is read; the instances' names come with the first listing (--once waits for both).
				void refreshInstances().then(() => {
					backfilled = true;
					publish();
				});
			}

			tick();
			timer = setInterval(tick, deps.intervalMs);
		},
		async stop() {
			running = false;
			clearInterval(timer);
			timer = undefined;
			tail?.stop();
			for (const follower of followers.values()) follower.stop();
			closing.abort();
			await Promise.allSettled([...followers.values()].map(async (follower) => follower.done));
			followers.clear();
			await listing;
		},
		view: () => cell.view(),
		subscribe: (listener) => cell.subscribe(listener),
	};
}
