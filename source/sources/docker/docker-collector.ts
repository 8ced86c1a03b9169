// Follows the instances of one Compose service on one engine: one listing at connect, then the events API (no
// polling) for lifecycle and health. CPU and memory come from the containers' cgroup files when the engine is on
// this machine (one round of reads per interval, nothing asked of the engine but a ping), else from the API: a
// stats stream per running container up to streamLimit of them, and past that streams for the instances in focus
// (those on screen) and spaced one-shot readings for the rest.
//
// The parts: engine-link.ts (connection, retry, status), workload/compose/members.ts (list + events + inspect),
// workload/selector.ts (who is a member), workload/meter/ (cgroup rounds, streams, spaced readings, the stream plan).
// This file only puts them together and builds the view: the service's instances, and apart from them the containers
// of the project's other services (`others`), found by the same listing and events.
import type Dockerode from 'dockerode';
import type {DockerView, InstanceSample} from '../../core/types.js';
import type {Collector} from '../collector.js';
import {createListeners} from '../listeners.js';
import {createComposeMembers} from '../workload/compose/members.js';
import {createMeter} from '../workload/meter/meter.js';
import {byNumberThenName} from '../workload/meter/plan.js';
import {isOther, type MeteredEntry} from '../workload/meter/slot.js';
import {composeSelector, type MemberSelector} from '../workload/selector.js';
import {createCgroupReader, type CgroupReader} from './cgroup-reader.js';
import {createEngineLink} from './engine-link.js';
import {compareText} from '../../core/compare.js';

export {dockerRequestTimeoutMs, dockerRetryDelaysMs} from './engine-link.js';
export {firstCpuReadingMs} from '../workload/meter/cgroup.js';
export {defaultStreamLimit} from '../workload/meter/plan.js';
export {defaultSpacedEveryMs} from '../workload/meter/spaced.js';

export interface DockerCollectorOptions {
	docker: Dockerode;
	/** From connectDocker: shown in the view and in reasons. */
	endpoint: string;
	project: string;
	service: string;
	/** Who the members are; default: the Compose service's replicas (both labels). A Swarm node's engine: the service's tasks. */
	selector?: MemberSelector;
	/**
	 * auto: the cgroup files for containers of a local engine whose files we can read, the API's stats streams for
	 * the rest; api: always the streams.
	 */
	statsSource?: DockerStatsSource;
	/** Between rounds of cgroup reads (the streams come at the daemon's pace, about 1 s). */
	intervalMs?: number;
	/** Where cgroup files are read; tests point it elsewhere. */
	cgroupReader?: CgroupReader;
	/** Most stats streams held open; past it the instances out of focus get spaced one-shot readings. */
	streamLimit?: number;
	/** How often an instance out of focus is read once it has its first CPU figure. */
	spacedEveryMs?: number;
	now?: () => number;
}

/** The docker collector can also be told which instances the operator is looking at. */
export interface DockerCollector extends Collector<DockerView> {
	/** The instances on screen, streamed first when there are more than streamLimit; null: the lowest numbers. */
	focus(ids: readonly string[] | null): void;
}

export type DockerStatsSource = 'auto' | 'api';

export function createDockerCollector(options: DockerCollectorOptions): DockerCollector {
	const {docker, endpoint} = options;
	const now = options.now ?? Date.now;
	const listeners = createListeners();
	const entries = new Map<string, MeteredEntry>();
	let cached: DockerView | null = null;

	function changed(): void {
		cached = null;
		if (link.isStopped()) return;
		listeners.notify();
	}

	const link = createEngineLink({
		docker,
		endpoint,
		now,
		hooks: {
			load: (epoch) => members.load(epoch),
			up() {
				members.follow();
				meter.rebalance();
			},
			down() {
				members.unfollow();
				meter.pause();
			},
			changed,
		},
	});
	// A unix socket is this machine's engine (or one in a VM whose cgroups we cannot see: the lookup then fails).
	const local = (options.statsSource ?? 'auto') === 'auto' && link.socketPath !== null;
	const meter = createMeter(
		{link, entries, now, changed},
		{
			cgroups: local ? (options.cgroupReader ?? createCgroupReader()) : null,
			intervalMs: options.intervalMs ?? 1000,
			streamLimit: options.streamLimit,
			spacedEveryMs: options.spacedEveryMs,
		},
	);
	const members = createComposeMembers({link, selector: options.selector ?? composeSelector(options.project, options.service), entries, meter, now, changed});

	return {
		start: link.start,
		stop: link.stop,
		view() {
			if (cached === null) {
				const instances: InstanceSample[] = [];
				const others: InstanceSample[] = [];
				for (const entry of entries.values()) (isOther(entry) ? others : instances).push(entry.sample);
				cached = {
					endpoint,
					status: link.status(),
					instances: instances.sort(byNumberThenName),
					statsFrom: meter.counts(),
					others: others.sort((a, b) => compareText(a.service!, b.service!) || byNumberThenName(a, b)),
					othersStatsFrom: meter.counts(true),
				};
			}

			return cached;
		},
		subscribe: listeners.subscribe,
		focus: meter.focus,
	};
}
