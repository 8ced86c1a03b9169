// The one-shot capacity report, as text (in the spirit of va-capacity-check) and as stable JSON.
import type {Assessment, Concern} from './assessment.js';
import {formatPercent} from './rules.js';
import {swarmJson, swarmTextLines, type SwarmJson} from './swarm-report.js';
import type {EngineView, SourceStatus, StackSnapshot} from './types.js';

/** The JSON contract documented in the README. Add fields; never rename or remove them. */
export interface ReportJson {
	version: 1;
	time: string;
	project: string;
	service: string;
	level: Assessment['level'];
	unknown: boolean;
	exitCode: number;
	recommendations: Array<{level: Concern['level']; scope: Concern['scope']; subject: string; metric: Concern['metric']; value: number | null; threshold: number | null; action: string; message: string}>;
	averages: {cpuPercent: number | null; memPercent: number | null};
	/** statsFrom: running instances read from their cgroup files (local engine), API streams, spaced API readings. */
	docker: {
		endpoint: string;
		reachable: boolean;
		error: string | null;
		statsFrom: {cgroup: number; api: number; spaced: number};
		/** Every engine read, each with its own status. */
		engines: Array<{name: string; endpoint: string; reachable: boolean; error: string | null; role: 'engine' | 'manager' | 'worker'}>;
	};
	instances: Array<{
		name: string;
		id: string;
		/** The engine it runs on: its context's name, NAME=, or from its URL. */
		host: string;
		/** The Swarm node's hostname; null outside Swarm. */
		node: string | null;
		/** Why it is not assessed (its engine unreachable), or null. */
		notAssessed: string | null;
		/** A Swarm task: its slot, its state as the manager says, and the state it is meant to have; null outside Swarm. */
		task: {id: string; slot: number | null; state: string; desiredState: string; message: string} | null;
		number: number | null;
		state: string;
		health: string;
		restartCount: number;
		startedAt: string | null;
		cpuPercent: number | null;
		memPercent: number | null;
		memUsageBytes: number | null;
		memLimitBytes: number | null;
	}>;
	/** The Swarm service followed and its nodes; null outside Swarm. */
	swarm: SwarmJson | null;
	postgres: {endpoint: string; reachable: boolean; connections: number | null; active: number | null; maxConnections: number | null; ratio: number | null; error: string | null};
	redis: {
		endpoint: string;
		reachable: boolean;
		usedMemoryBytes: number | null;
		usedMemoryRssBytes: number | null;
		maxMemoryBytes: number | null;
		limitBytes: number | null;
		limitSource: 'maxmemory' | 'system' | null;
		fragmentationRatio: number | null;
		ratio: number | null;
		error: string | null;
	};
}

const round = (value: number | null, digits = 1) => (value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits);

function errorOf(status: SourceStatus): string | null {
	if (status.kind === 'unreachable' || status.kind === 'reconnecting') return status.reason;
	if (status.kind === 'connecting') return 'no answer yet';
	return null;
}

/** The engines of a view; a collector that names none (the demo) is one engine at its endpoint. */
export function enginesOf(docker: StackSnapshot['docker']): EngineView[] {
	return docker.engines ?? [{name: docker.endpoint, endpoint: docker.endpoint, status: docker.status, role: 'engine', instances: docker.instances.length}];
}

export function reportJson(snapshot: StackSnapshot, assessment: Assessment, exitCode: number): ReportJson {
	const engines = enginesOf(snapshot.docker);
	const pgOk = snapshot.postgres.status.kind === 'ok' && snapshot.postgres.sample !== null;
	const redisOk = snapshot.redis.status.kind === 'ok' && snapshot.redis.sample !== null;
	const pg = pgOk ? snapshot.postgres.sample : null;
	const redis = redisOk ? snapshot.redis.sample : null;
	return {
		version: 1,
		time: new Date(snapshot.at).toISOString(),
		project: snapshot.project,
		service: snapshot.service,
		level: assessment.level,
		unknown: assessment.unknown,
		exitCode,
		recommendations: assessment.concerns.map(concern => ({
			level: concern.level,
			scope: concern.scope,
			subject: concern.subject,
			metric: concern.metric,
			value: round(concern.value),
			threshold: concern.threshold,
			action: concern.action,
			message: concern.message,
		})),
		averages: {cpuPercent: round(assessment.averages.cpuPercent), memPercent: round(assessment.averages.memPercent)},
		docker: {
			endpoint: snapshot.docker.endpoint,
			reachable: snapshot.docker.status.kind === 'ok',
			error: errorOf(snapshot.docker.status),
			statsFrom: snapshot.docker.statsFrom ?? {cgroup: 0, api: 0, spaced: 0},
			engines: engines.map(engine => ({name: engine.name, endpoint: engine.endpoint, reachable: engine.status.kind === 'ok', error: errorOf(engine.status), role: engine.role})),
		},
		instances: snapshot.docker.instances.map(instance => ({
			name: instance.name,
			id: instance.containerId ?? instance.id,
			host: instance.host ?? engines[0]!.name,
			node: instance.node ?? null,
			notAssessed: instance.notAssessed ?? null,
			task: instance.task === undefined ? null : {id: instance.id, ...instance.task},
			number: instance.number,
			state: instance.state,
			health: instance.health,
			restartCount: instance.restartCount,
			startedAt: instance.startedAt === null ? null : new Date(instance.startedAt).toISOString(),
			cpuPercent: round(instance.cpuPercent, 2),
			memPercent: round(instance.memPercent, 2),
			memUsageBytes: instance.memUsageBytes,
			memLimitBytes: instance.memLimitBytes,
		})),
		swarm: swarmJson(snapshot.docker.swarm),
		postgres: {
			endpoint: snapshot.postgres.endpoint,
			reachable: pgOk,
			connections: pg?.connections ?? null,
			active: pg?.active ?? null,
			maxConnections: pg?.maxConnections ?? null,
			ratio: pg === null ? null : round(pg.ratio, 4),
			error: errorOf(snapshot.postgres.status),
		},
		redis: {
			endpoint: snapshot.redis.endpoint,
			reachable: redisOk,
			usedMemoryBytes: redis?.usedMemoryBytes ?? null,
			usedMemoryRssBytes: redis?.usedMemoryRssBytes ?? null,
			maxMemoryBytes: redis?.maxMemoryBytes ?? null,
			limitBytes: redis?.limitBytes ?? null,
			limitSource: redis?.limitSource ?? null,
			fragmentationRatio: redis === null ? null : round(redis.fragmentationRatio, 2),
			ratio: redis === null ? null : round(redis.ratio, 4),
			error: errorOf(snapshot.redis.status),
		},
	};
}

export function formatBytes(bytes: number): string {
	const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
	let value = bytes;
	let unit = 0;
	while (Math.abs(value) >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}

	return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)}${units[unit]}`;
}

const marks: Record<Concern['level'], string> = {IMMEDIATE: 'IMMEDIATE', SOON: 'SOON', UNKNOWN: 'UNKNOWN'};

export function reportText(snapshot: StackSnapshot, assessment: Assessment): string {
	const lines: string[] = [];
	lines.push(`VoiceAssist Capacity Check - ${new Date(snapshot.at).toISOString()}`);
	lines.push('========================================');
	const engines = enginesOf(snapshot.docker);
	const several = engines.length > 1;
	lines.push(`Application: ${snapshot.project}/${snapshot.service} on ${snapshot.docker.endpoint}`);
	// Swarm: the service and its nodes (each node's engine with it), instead of one line per engine.
	if (snapshot.docker.swarm !== undefined) lines.push(...swarmTextLines(snapshot.docker.swarm));
	else if (several) {
		for (const engine of engines) lines.push(`  docker ${engine.name} (${engine.endpoint}): ${errorOf(engine.status) ?? `ok, ${engine.instances} instance${engine.instances === 1 ? '' : 's'}`}`);
	}

	const dockerError = errorOf(snapshot.docker.status);
	if (dockerError !== null) {
		lines.push(`  docker: ${dockerError}`);
	} else if (snapshot.docker.instances.length === 0) {
		lines.push('  no instances found');
	} else {
		const width = Math.max(...snapshot.docker.instances.map(instance => instance.name.length), 8);
		// Swarm: each task's node.
		const nodeWidth = snapshot.docker.swarm === undefined ? 0 : Math.max(4, ...snapshot.docker.instances.map(instance => (instance.node ?? '').length));
		const nodeCell = (text: string) => (nodeWidth === 0 ? '' : `${text.padEnd(nodeWidth)}  `);
		lines.push(`  ${'INSTANCE'.padEnd(width)}  ${nodeCell('NODE')}${'STATE'.padEnd(16)}  ${'CPU'.padStart(6)}  ${'MEM'.padStart(6)}  MEM USAGE / LIMIT`);
		for (const instance of snapshot.docker.instances) {
			if (instance.notAssessed !== undefined) {
				lines.push(`  ${instance.name.padEnd(width)}  ${nodeCell(instance.node ?? '')}${'not assessed'.padEnd(16)}  ${'?'.padStart(6)}  ${'?'.padStart(6)}  ${instance.notAssessed}`);
				continue;
			}

			const state = instance.health === 'none' ? instance.state : `${instance.state}/${instance.health}`;
			const cpu = instance.cpuPercent === null ? '-' : `${instance.cpuPercent.toFixed(1)}%`;
			const mem = instance.memPercent === null ? '-' : `${instance.memPercent.toFixed(1)}%`;
			const usage = instance.memUsageBytes === null || instance.memLimitBytes === null ? '-' : `${formatBytes(instance.memUsageBytes)} / ${formatBytes(instance.memLimitBytes)}`;
			lines.push(`  ${instance.name.padEnd(width)}  ${nodeCell(instance.node ?? '')}${state.padEnd(16)}  ${cpu.padStart(6)}  ${mem.padStart(6)}  ${usage}`);
		}

		const {cpuPercent, memPercent} = assessment.averages;
		if (cpuPercent !== null && memPercent !== null) lines.push(`  average: CPU ${cpuPercent.toFixed(1)}%, memory ${memPercent.toFixed(1)}%`);
	}

	lines.push(`Database: ${snapshot.postgres.endpoint}`);
	const pg = snapshot.postgres.sample;
	const pgError = errorOf(snapshot.postgres.status);
	if (pgError !== null || pg === null) {
		lines.push(`  postgres: ${pgError ?? 'no reading'}`);
	} else {
		lines.push(`  Connections: ${pg.connections}/${pg.maxConnections} (${formatPercent(pg.ratio * 100)}), active: ${pg.active}`);
	}

	lines.push(`Redis: ${snapshot.redis.endpoint}`);
	const redis = snapshot.redis.sample;
	const redisError = errorOf(snapshot.redis.status);
	if (redisError !== null || redis === null) {
		lines.push(`  redis: ${redisError ?? 'no reading'}`);
	} else {
		const limit = redis.limitSource === 'maxmemory' ? `maxmemory ${formatBytes(redis.maxMemoryBytes)}` : `system memory ${formatBytes(redis.totalSystemMemoryBytes)} (no maxmemory set)`;
		lines.push(`  Memory Usage: ${formatBytes(redis.usedMemoryBytes)} of ${limit} (${formatPercent(redis.ratio * 100)}), rss ${formatBytes(redis.usedMemoryRssBytes)}, fragmentation ${redis.fragmentationRatio.toFixed(2)}`);
	}

	lines.push('');
	lines.push('Scaling Recommendations:');
	if (assessment.concerns.length === 0) {
		lines.push('OK: Current capacity is adequate');
	} else {
		for (const concern of assessment.concerns) lines.push(`${marks[concern.level]}: ${concern.message}`);
	}

	return `${lines.join('\n')}\n`;
}
