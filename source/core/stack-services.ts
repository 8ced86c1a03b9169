// The Compose project's other services (postgres, redis, nginx, qdrant, workers, …): their containers' figures as one
// line per service, and the memory rule per container, worded for the component. Pure. The app service stays the
// focus of the table, the charts and the actions; these are read beside it (DockerView.others).
import type {Concern} from './assessment.js';
import {breachConcern} from './breach.js';
import {formatBytes} from './format.js';
import type {Judge} from './threshold-judge.js';
import type {Thresholds} from './thresholds.js';
import type {HealthStatus, InstanceSample, StackSnapshot} from './types.js';
import {compareText} from './compare.js';

export interface ServiceSummary {
	/** The Compose service's name. */
	name: string;
	/** Its containers, stopped ones included. */
	containers: number;
	running: number;
	/** The hottest running container's CPU (100 % is one core); null when none has a figure. */
	cpuPercentMax: number | null;
	/** The fullest running container's memory, % of its limit (of the host's memory when it has none); null when none has a figure. */
	memPercentMax: number | null;
	/** That container's limit in bytes, and whether it is a limit of its own (false: the host's memory). */
	memLimitBytes: number | null;
	memoryLimited: boolean | null;
	/** Restarts of all its containers. */
	restarts: number;
	/** The worst health of its running containers: unhealthy, starting, healthy, or none (no health check). */
	health: HealthStatus;
	/** Running containers whose numbers are unknown now (their engine unreachable, or no reading yet). */
	notAssessed: number;
}

const healthRank: Record<HealthStatus, number> = {unhealthy: 3, starting: 2, healthy: 1, none: 0};

const isRunning = (sample: InstanceSample) => sample.state === 'running' || sample.state === 'paused';

/** One summary per service, by name. */
export function summarizeServices(others: readonly InstanceSample[]): ServiceSummary[] {
	const byService = new Map<string, InstanceSample[]>();
	for (const sample of others) {
		const name = sample.service ?? '?';
		const list = byService.get(name);
		if (list) list.push(sample);
		else byService.set(name, [sample]);
	}

	return [...byService.entries()]
		.sort(([a], [b]) => compareText(a, b))
		.map(([name, samples]): ServiceSummary => {
			const running = samples.filter(isRunning);
			let cpu: number | null = null;
			let fullest: InstanceSample | null = null;
			let health: HealthStatus = 'none';
			let notAssessed = 0;
			for (const sample of running) {
				if (sample.notAssessed !== undefined || sample.cpuPercent === null || sample.memPercent === null) notAssessed++;
				if (sample.notAssessed !== undefined) continue;
				if (sample.cpuPercent !== null && (cpu === null || sample.cpuPercent > cpu)) cpu = sample.cpuPercent;
				if (sample.memPercent !== null && (fullest === null || sample.memPercent > fullest.memPercent!)) fullest = sample;
				if (healthRank[sample.health] > healthRank[health]) health = sample.health;
			}

			return {
				name,
				containers: samples.length,
				running: running.length,
				cpuPercentMax: cpu,
				memPercentMax: fullest?.memPercent ?? null,
				memLimitBytes: fullest?.memLimitBytes ?? null,
				memoryLimited: fullest?.memoryLimited ?? null,
				restarts: samples.reduce((sum, sample) => sum + sample.restartCount, 0),
				health,
				notAssessed,
			};
		});
}

/**
 * The services of a snapshot, or null when nothing is known about them: Docker cannot be read, or va-top follows a
 * Swarm service (the other services are read for Compose only, so an empty list would claim there are none).
 */
export function servicesOf(snapshot: Pick<StackSnapshot, 'docker'>): ServiceSummary[] | null {
	if (snapshot.docker.status.kind !== 'ok' || snapshot.docker.swarm !== undefined) return null;
	return summarizeServices(snapshot.docker.others ?? []);
}

/**
 * The actions of the per-container memory rule: the runbook's "Increase Resources", for that service. A container
 * with no limit is using the host's memory: a limit of its own is the first step.
 */
export function containerMemoryActions(service: string, limited: boolean): Record<'IMMEDIATE' | 'SOON', string> {
	if (!limited) {
		return {
			IMMEDIATE: `Give ${service} a memory limit and check the host's memory (runbook: Vertical Scaling, Increase Resources)`,
			SOON: `Plan a memory limit for ${service}`,
		};
	}

	return {
		IMMEDIATE: `Raise the ${service} memory limit (runbook: Vertical Scaling, Increase Resources)`,
		SOON: `Plan to raise the ${service} memory limit`,
	};
}

/** What a container's memory figure is a share of: its own limit, or the host's memory when it has none. */
export function memoryBase(sample: {memLimitBytes: number | null; memoryLimited?: boolean | null}): string {
	const size = sample.memLimitBytes === null ? null : formatBytes(sample.memLimitBytes);
	if (sample.memoryLimited === false) return size === null ? 'of host memory (no limit set)' : `of host memory ${size} (no limit set)`;
	return size === null ? 'of its limit' : `of its ${size} limit`;
}

export interface ContainerRuleContext {
	judge: Judge;
	thresholds: Thresholds;
	now: number;
}

/**
 * The memory rule per container of the other services, at the workload's memory thresholds (IMMEDIATE over
 * --mem-immediate, the runbook's 85 %): "postgres container shop-postgres-1 memory 91% > 85% of its 8GiB limit". A
 * container with no limit is judged against the host's memory and says so; one without a figure is not judged.
 */
export function containerMemoryConcerns(others: readonly InstanceSample[], context: ContainerRuleContext): Concern[] {
	const {judge, thresholds, now} = context;
	const out: Concern[] = [];
	for (const sample of others) {
		if (sample.state !== 'running' || sample.notAssessed !== undefined) continue;
		const service = sample.service ?? '?';
		const actions = containerMemoryActions(service, sample.memoryLimited !== false);
		const key = `container.memory:${sample.name}`;
		const verdict = judge.check(key, sample.memPercent, 'percent', [
			{level: 'IMMEDIATE', threshold: thresholds.memImmediate, action: actions.IMMEDIATE},
			{level: 'SOON', threshold: thresholds.memSoon, action: actions.SOON},
		]);
		if (!verdict) continue;
		out.push(
			breachConcern(verdict, {
				key,
				scope: 'container',
				subject: sample.name,
				metric: 'memory',
				label: `${service} mem`,
				what: `${service} container ${sample.name} memory`,
				note: ` ${memoryBase(sample)}`,
				now,
			}),
		);
	}

	return out;
}

/** The report's cells of one service: `1/1`, `12.3%`, `90.1% of its 64.0MiB limit`; `?` while running without a figure, `-` when nothing runs. */
export function serviceCells(service: ServiceSummary): {containers: string; cpu: string; mem: string; restarts: string; health: string} {
	const none = service.running > 0 ? '?' : '-';
	const base = memoryBase({memLimitBytes: service.memLimitBytes, memoryLimited: service.memoryLimited});
	return {
		containers: `${service.running}/${service.containers}`,
		cpu: service.cpuPercentMax === null ? none : `${service.cpuPercentMax.toFixed(1)}%`,
		mem: service.memPercentMax === null ? none : `${service.memPercentMax.toFixed(1)}% ${base}`,
		restarts: String(service.restarts),
		health: service.health === 'none' ? '-' : service.health,
	};
}

/** Said in the text report under Swarm, where the other services are not read. */
export const swarmServicesNote = 'Stack services: not read under Swarm (Compose only)';

/**
 * The --once text report's lines for the other services: none when there are none, or Docker is unreadable (its own
 * line says so); under Swarm, one line saying they are not read.
 */
export function servicesReportLines(services: readonly ServiceSummary[] | null, swarm = false): string[] {
	if (swarm) return [swarmServicesNote];
	if (services === null || services.length === 0) return [];
	const rows = services.map(service => ({name: service.name, cells: serviceCells(service), notAssessed: service.notAssessed}));
	const width = Math.max(7, ...rows.map(row => row.name.length));
	const memWidth = Math.max(3, ...rows.map(row => row.cells.mem.length));
	const lines = [`Stack services (the project's other containers; the hottest container's CPU and memory):`];
	lines.push(`  ${'SERVICE'.padEnd(width)}  RUNNING  ${'CPU'.padStart(6)}  ${'MEM'.padEnd(memWidth)}  RESTARTS  HEALTH`);
	for (const {name, cells, notAssessed} of rows) {
		const note = notAssessed > 0 ? `  (${notAssessed} not assessed)` : '';
		lines.push(`  ${name.padEnd(width)}  ${cells.containers.padEnd(7)}  ${cells.cpu.padStart(6)}  ${cells.mem.padEnd(memWidth)}  ${cells.restarts.padStart(8)}  ${cells.health}${note}`);
	}

	return lines;
}

/** The JSON report's `services[]`: null when Docker is unreachable, [] when the project has no other service. */
export interface ServiceJson {
	name: string;
	containers: number;
	running: number;
	cpuPercentMax: number | null;
	memPercentMax: number | null;
	memLimitBytes: number | null;
	/** false: no limit of its own, memPercentMax is of the host's memory. null: not known. */
	memoryLimited: boolean | null;
	restarts: number;
	health: HealthStatus;
	notAssessed: number;
}

export function servicesJson(services: readonly ServiceSummary[] | null): ServiceJson[] | null {
	if (services === null) return null;
	const round = (value: number | null) => (value === null ? null : Math.round(value * 100) / 100);
	return services.map(service => ({
		name: service.name,
		containers: service.containers,
		running: service.running,
		cpuPercentMax: round(service.cpuPercentMax),
		memPercentMax: round(service.memPercentMax),
		memLimitBytes: service.memLimitBytes,
		memoryLimited: service.memoryLimited,
		restarts: service.restarts,
		health: service.health,
		notAssessed: service.notAssessed,
	}));
}
