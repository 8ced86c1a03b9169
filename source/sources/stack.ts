// The whole stack as one thing to start, read and stop: real collectors or the demo's, the rest cannot tell.
import type {AnySourceModel, SampleBase, SourceReading} from '../core/source-model.js';
import type {DockerView, StackSnapshot} from '../core/types.js';
import type {Collector} from './collector.js';

export {secretsOf} from './secrets.js';

export interface Stack {
	readonly mode: 'live' | 'demo';
	readonly project: string;
	readonly service: string;
	/** Passwords the stack was configured with, for scrubbing any text before it is shown. */
	readonly secrets: readonly string[];
	/** Every source's model (configured or not), in the registry's order: what core loops over. */
	readonly models: readonly AnySourceModel[];
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
	/** The configured sources' collectors, by source id, in the registry's order. */
	sources?: ReadonlyArray<{id: string; collector: Collector<SourceReading<SampleBase>>}>;
	/** Every source's model (the registry's), configured or not. */
	models?: readonly AnySourceModel[];
	secrets?: readonly string[];
	now?: () => number;
}

export function createStack(parts: StackParts): Stack {
	const now = parts.now ?? Date.now;
	const sources = parts.sources ?? [];
	const collectors: Array<Collector<unknown>> = [parts.docker, ...sources.map(source => source.collector)];
	return {
		mode: parts.mode,
		project: parts.project,
		service: parts.service,
		secrets: parts.secrets ?? [],
		models: parts.models ?? [],
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
			sources: Object.fromEntries(sources.map(source => [source.id, source.collector.view()])),
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
