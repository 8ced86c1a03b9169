// The real stack: Docker, PostgreSQL and Redis as the options name them.
import type {Options} from '../config/options.js';
import {openComposeWorkload, openSwarmWorkload, type Workload} from './workload/backend.js';
import {contextSpecFor} from '../config/docker-engines.js';
export {resolveWorkload} from './workload/swarm/detect.js';
import {createPostgresCollector} from './postgres/postgres-collector.js';
import {createRedisCollector} from './redis/redis-collector.js';
import {createDemoStack, type DemoStack} from './demo/demo-stack.js';
import {createStack, displayEndpoint, secretsOf, type Stack} from './stack.js';

/** The timeout of every reading: the issue asks for about 2 s, and the one-shot check must end within 3 s. */
export const readingTimeoutMs = 2000;

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

export function createLiveStack(options: Options): Stack {
	const workload = openWorkload(options);
	return createStack({
		mode: 'live',
		project: options.project,
		service: options.service,
		secrets: secretsOf([options.pgUrl, options.redisUrl, ...options.dockerEngines.map(engine => engine.host), ...options.nodeHosts.map(node => node.host)]),
		workload,
		docker: workload.collector,
		postgres: createPostgresCollector({
			connectionString: options.pgUrl,
			endpoint: displayEndpoint.postgres(options.pgUrl),
			intervalMs: options.intervalMs,
			timeoutMs: readingTimeoutMs,
		}),
		redis: createRedisCollector({
			url: options.redisUrl,
			endpoint: displayEndpoint.redis(options.redisUrl),
			intervalMs: options.intervalMs,
			timeoutMs: readingTimeoutMs,
		}),
	});
}

/** The stack the options ask for: the simulated one with --demo, else the real one. */
export function openStack(options: Options): {stack: Stack; demo: DemoStack | undefined} {
	if (!options.demo) return {stack: createLiveStack(options), demo: undefined};
	const demo = createDemoStack({project: options.project, service: options.service, intervalMs: options.intervalMs});
	const stack = createStack({
		mode: 'demo',
		project: options.project,
		service: options.service,
		docker: demo.docker,
		postgres: demo.postgres,
		redis: demo.redis,
		now: () => demo.now(),
	});
	return {stack, demo};
}
