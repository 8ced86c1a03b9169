// The one-shot capacity report, as text (in the spirit of va-capacity-check) and as stable JSON.
import type {Assessment, Concern} from './assessment.js';
import {formatPercent} from './rules.js';
import type {SourceStatus, StackSnapshot} from './types.js';

/** --once: whether the sustained CPU rule was judged over the recorded history (source/record/). */
export interface ReportHistory {
	/** `recorded`: the sustained CPU rule was judged over the recorded history; `none`: it was not applied. */
	source: 'recorded' | 'none';
	/** How far back the recorded history reaches from the report's time, in seconds; null without one. */
	fromSeconds: number | null;
	sustainApplied: boolean;
	/** The store's path, null when there is none. */
	store: string | null;
	/** One sentence for people. */
	note: string;
}

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
	docker: {endpoint: string; reachable: boolean; error: string | null; statsFrom: {cgroup: number; api: number; spaced: number}};
	instances: Array<{
		name: string;
		id: string;
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
	/** --once only. */
	history?: ReportHistory;
}

const round = (value: number | null, digits = 1) => (value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits);

function errorOf(status: SourceStatus): string | null {
	if (status.kind === 'unreachable' || status.kind === 'reconnecting') return status.reason;
	if (status.kind === 'connecting') return 'no answer yet';
	return null;
}

export function reportJson(snapshot: StackSnapshot, assessment: Assessment, exitCode: number): ReportJson {
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
		},
		instances: snapshot.docker.instances.map(instance => ({
			name: instance.name,
			id: instance.id,
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

export function reportText(snapshot: StackSnapshot, assessment: Assessment, history?: ReportHistory): string {
	const lines: string[] = [];
	lines.push(`VoiceAssist Capacity Check - ${new Date(snapshot.at).toISOString()}`);
	lines.push('========================================');
	lines.push(`Application: ${snapshot.project}/${snapshot.service} on ${snapshot.docker.endpoint}`);
	const dockerError = errorOf(snapshot.docker.status);
	if (dockerError !== null) {
		lines.push(`  docker: ${dockerError}`);
	} else if (snapshot.docker.instances.length === 0) {
		lines.push('  no instances found');
	} else {
		const width = Math.max(...snapshot.docker.instances.map(instance => instance.name.length), 8);
		lines.push(`  ${'INSTANCE'.padEnd(width)}  ${'STATE'.padEnd(16)}  ${'CPU'.padStart(6)}  ${'MEM'.padStart(6)}  MEM USAGE / LIMIT`);
		for (const instance of snapshot.docker.instances) {
			const state = instance.health === 'none' ? instance.state : `${instance.state}/${instance.health}`;
			const cpu = instance.cpuPercent === null ? '-' : `${instance.cpuPercent.toFixed(1)}%`;
			const mem = instance.memPercent === null ? '-' : `${instance.memPercent.toFixed(1)}%`;
			const usage = instance.memUsageBytes === null || instance.memLimitBytes === null ? '-' : `${formatBytes(instance.memUsageBytes)} / ${formatBytes(instance.memLimitBytes)}`;
			lines.push(`  ${instance.name.padEnd(width)}  ${state.padEnd(16)}  ${cpu.padStart(6)}  ${mem.padStart(6)}  ${usage}`);
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

	if (history !== undefined) lines.push(`History: ${history.note}`);
	lines.push('');
	lines.push('Scaling Recommendations:');
	if (assessment.concerns.length === 0) {
		lines.push('OK: Current capacity is adequate');
	} else {
		for (const concern of assessment.concerns) lines.push(`${marks[concern.level]}: ${concern.message}`);
	}

	return `${lines.join('\n')}\n`;
}
