// The whole stack as one thing to start, read and stop: real collectors or the demo's, the rest cannot tell.
import {endpointOf, passwordOf, redactUrl} from '../core/redact.js';
import type {DockerView, PostgresView, RedisView, StackSnapshot} from '../core/types.js';
import type {Collector} from './collector.js';
import type {Workload} from './workload/backend.js';

export interface Stack {
	readonly mode: 'live' | 'demo';
	readonly project: string;
	readonly service: string;
	/** Passwords the stack was configured with, for scrubbing any text before it is shown. */
	readonly secrets: readonly string[];
	/** The live workload (its engines' clients are shared with the actions); undefined in the demo. */
	readonly workload?: Workload;
	start(): void;
	stop(): Promise<void>;
	snapshot(): StackSnapshot;
	subscribe(listener: () => void): () => void;
	/** The instances on screen: a big service streams their stats first (see the docker collector). */
	focus(ids: readonly string[] | null): void;
}

export interface StackParts {
	mode: 'live' | 'demo';
	project: string;
	service: string;
	docker: Collector<DockerView> & {focus?(ids: readonly string[] | null): void};
	postgres: Collector<PostgresView>;
	redis: Collector<RedisView>;
	secrets?: readonly string[];
	workload?: Workload;
	now?: () => number;
}

export function createStack(parts: StackParts): Stack {
	const now = parts.now ?? Date.now;
	const collectors = [parts.docker, parts.postgres, parts.redis];
	return {
		mode: parts.mode,
		project: parts.project,
		service: parts.service,
		secrets: parts.secrets ?? [],
		...(parts.workload === undefined ? {} : {workload: parts.workload}),
		start() {
			for (const collector of collectors) collector.start();
		},
		async stop() {
			await Promise.allSettled(collectors.map(async collector => collector.stop()));
		},
		snapshot: () => ({
			at: now(),
			project: parts.project,
			service: parts.service,
			docker: parts.docker.view(),
			postgres: parts.postgres.view(),
			redis: parts.redis.view(),
		}),
		focus(ids) {
			parts.docker.focus?.(ids);
		},
		subscribe(listener) {
			const unsubscribers = collectors.map(collector => collector.subscribe(listener));
			return () => {
				for (const unsubscribe of unsubscribers) unsubscribe();
			};
		},
	};
}

/** Passwords in the configured URLs, so error text can be scrubbed of them. */
export function secretsOf(urls: readonly string[]): string[] {
	return urls.flatMap(value => {
		const password = passwordOf(value);
		// Both forms: a message may quote the URL as given (encoded) or the password as used (decoded).
		return password === undefined ? [] : [password, encodeURIComponent(password)];
	});
}

export const displayEndpoint = {
	postgres: (url: string) => endpointOf(url, 5432),
	redis: (url: string) => endpointOf(url, 6379),
	url: redactUrl,
};
