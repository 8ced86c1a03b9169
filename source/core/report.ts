// The one-shot capacity report, as text (in the spirit of va-capacity-check) and as stable JSON.
import type {Assessment, Concern} from './assessment.js';
import {formatBytes} from './format.js';
import {readingError, usableSample, type AnySourceModel, type ThresholdUnit} from './source-model.js';
import {servicesJson, servicesOf, servicesReportLines, type ServiceJson} from './stack-services.js';
import {swarmJson, swarmTextLines, type SwarmJson} from './swarm-report.js';
import type {EngineView, StackSnapshot} from './types.js';

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
	level: Assessment['level'] | 'UNKNOWN';
	unknown: boolean;
	exitCode: number;
	/** unit: of value and threshold (`percent`, `time` in ms, `bytes`, `count`, `seconds`). */
	recommendations: Array<{
		level: Concern['level'];
		scope: Concern['scope'];
		subject: string;
		metric: Concern['metric'];
		value: number | null;
		threshold: number | null;
		unit: ThresholdUnit;
		action: string;
		message: string;
	}>;
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
	/** --once only: whether the sustained CPU rule was judged over the recorded history. */
	history?: ReportHistory;
	/**
	 * The Compose project's other services (postgres, redis, nginx, …), one entry each with its hottest container's
	 * figures: [] when the project has none, null when Docker cannot be read and under Swarm (read for Compose only).
	 */
	services: ServiceJson[] | null;
}

/** The report as written: the fields above, then each source's part under its key (null when not configured). */
export type ReportJsonWithSources = ReportJson & Record<string, unknown>;

const round = (value: number | null, digits = 1) => (value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits);

const errorOf = readingError;

/** The engines of a view; a collector that names none (the demo) is one engine at its endpoint. */
export function enginesOf(docker: StackSnapshot['docker']): EngineView[] {
	return docker.engines ?? [{name: docker.endpoint, endpoint: docker.endpoint, status: docker.status, role: 'engine', instances: docker.instances.length}];
}

export function reportJson(snapshot: StackSnapshot, assessment: Assessment, exitCode: number, models: readonly AnySourceModel[] = []): ReportJsonWithSources {
	const engines = enginesOf(snapshot.docker);
	const json: ReportJsonWithSources = {
		version: 1,
		time: new Date(snapshot.at).toISOString(),
		project: snapshot.project,
		service: snapshot.service,
		// Never OK about what could not be read: a consumer testing `level == "OK"` must not be told so (exit code 3).
		level: assessment.unknown && assessment.level === 'OK' ? 'UNKNOWN' : assessment.level,
		unknown: assessment.unknown,
		exitCode,
		recommendations: assessment.concerns.map(concern => ({
			level: concern.level,
			scope: concern.scope,
			subject: concern.subject,
			metric: concern.metric,
			value: round(concern.value),
			threshold: concern.threshold,
			unit: concern.unit ?? 'percent',
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
		services: servicesJson(servicesOf(snapshot)),
	};
	for (const model of models) {
		const reading = snapshot.sources[model.id];
		json[model.report.key ?? model.id] = reading === undefined ? null : model.report.json(reading, usableSample(reading));
	}

	return json;
}

export {formatBytes};

const marks: Record<Concern['level'], string> = {IMMEDIATE: 'IMMEDIATE', SOON: 'SOON', UNKNOWN: 'UNKNOWN'};

/** The report's title: the project and service it checked, and when. */
export function reportTitle(snapshot: Pick<StackSnapshot, 'project' | 'service' | 'at'>): string {
	return `Capacity Check: ${snapshot.project}/${snapshot.service} - ${new Date(snapshot.at).toISOString()}`;
}

export function reportText(snapshot: StackSnapshot, assessment: Assessment, models: readonly AnySourceModel[] = [], history?: ReportHistory): string {
	const lines: string[] = [];
	const title = reportTitle(snapshot);
	lines.push(title);
	lines.push('='.repeat(Math.max(40, title.length)));
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

	lines.push(...servicesReportLines(servicesOf(snapshot), snapshot.docker.swarm !== undefined));

	for (const model of models) {
		const reading = snapshot.sources[model.id];
		if (reading === undefined) continue;
		lines.push(`${model.title}: ${reading.endpoint}`);
		const sample = usableSample(reading);
		if (sample === null) lines.push(`  ${model.id}: ${errorOf(reading.status) ?? 'no reading'}`);
		else lines.push(...model.report.lines(sample));
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
