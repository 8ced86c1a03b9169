// The real stack: the workload (Compose or a Swarm service), and every configured source of the registry, as the
// options name them.
import type {Options} from '../config/options.js';
import {contextSpecFor} from '../config/docker-engines.js';
import {openComposeWorkload, openSwarmWorkload, type Workload} from './workload/backend.js';
import {createDemoStack, type DemoStack} from './demo/demo-stack.js';
import {createKit, readingTimeoutMs} from './kit/index.js';
import type {AnySourceKind} from './source-kind.js';
import {createStack, secretsOf, type Stack} from './stack.js';

export {resolveWorkload} from './workload/swarm/detect.js';
export {readingTimeoutMs};

/** The Swarm service when options.swarmService is set (given, or found by resolveWorkload), else Compose. */
export function openWorkload(options: Options): Workload {
	if (options.swarmService !== undefined) {
		return openSwarmWorkload({
			manager: options.dockerEngines[0]!,
			serviceName: options.swarmService,
			nodeHosts: options.nodeHosts,
			contextFor: name => contextSpecFor(name, process.env),
			statsSource: options.dockerStats,
			intervalMs: options.intervalMs,
		});
	}

	return openComposeWorkload({
		engines: options.dockerEngines,
		project: options.project,
		service: options.service,
		statsSource: options.dockerStats,
		intervalMs: options.intervalMs,
	});
}

/** Every configured source's collector, not started, in the registry's order. */
async function openSources(options: Options, kinds: readonly AnySourceKind[]) {
	const kit = createKit({intervalMs: options.intervalMs, timeoutMs: readingTimeoutMs});
	const configured = kinds.filter(kind => options.sources[kind.id] !== undefined && options.sources[kind.id] !== null);
	return Promise.all(configured.map(async kind => ({id: kind.id, collector: await kind.open(options.sources[kind.id], kit)})));
}

export function sourceSecrets(options: Options, kinds: readonly AnySourceKind[]): string[] {
	return kinds.flatMap(kind => {
		const config = options.sources[kind.id];
		return config === undefined || config === null ? [] : kind.secrets(config);
	});
}

export async function createLiveStack(options: Options, kinds: readonly AnySourceKind[]): Promise<Stack> {
	const workload = openWorkload(options);
	return createStack({
		mode: 'live',
		project: options.project,
		service: options.service,
		secrets: [...sourceSecrets(options, kinds), ...secretsOf([...options.dockerEngines.map(engine => engine.host), ...options.nodeHosts.map(node => node.host)])],
		workload,
		docker: workload.collector,
		sources: await openSources(options, kinds),
		models: kinds,
	});
}

/** The stack the options ask for: the simulated one with --demo, else the real one. `kinds`: the registry's sources. */
export async function openStack(options: Options, kinds: readonly AnySourceKind[]): Promise<{stack: Stack; demo: DemoStack | undefined}> {
	if (!options.demo) return {stack: await createLiveStack(options, kinds), demo: undefined};
	const demo = createDemoStack({project: options.project, service: options.service, intervalMs: options.intervalMs, sources: kinds});
	const stack = createStack({
		mode: 'demo',
		project: options.project,
		service: options.service,
		docker: demo.docker,
		sources: Object.entries(demo.sources).map(([id, collector]) => ({id, collector})),
		models: kinds,
		now: () => demo.now(),
	});
	return {stack, demo};
}
