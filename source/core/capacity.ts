// The runbook's capacity report and growth projection (va-capacity-report, "Growth Planning"), from today's measured
// per-instance figures: what the stack would need for a given growth, each number with the arithmetic behind it so
// an operator can check it. The app instances are core's (the workload); each source adds its own part through its
// model (SourceModel.capacity: PostgreSQL its size and connections, Redis its memory and keys). Pure.
import {countsAsRunning} from './action-rules.js';
import type {Assessment} from './assessment.js';
import {formatBytes} from './format.js';
import {readingError, usableSample, type AnySourceModel, type SourceReading} from './source-model.js';
import type {Thresholds} from './thresholds.js';
import type {StackSnapshot} from './types.js';

export {formatBytes};

export interface CapacitySettings {
	/** e.g. 1.5 for 50 % more load. */
	growth: number;
	/** --scale-up-at: the average CPU the instances should stay under. */
	scaleUpAt: number;
	min: number;
	max: number;
	thresholds: Thresholds;
}

/** What a source's capacity part is given besides its reading. */
export interface CapacityContext {
	growth: number;
	thresholds: Thresholds;
	/** Running instances today, and how many the growth needs (null when not assessed). */
	instancesNow: number | null;
	instancesNeeded: number | null;
}

/** A source's part of the capacity report. */
export interface SourceCapacity {
	/** Its object in the --once JSON's `capacity` (under its report key); `error` when it could not be read. */
	json: Record<string, unknown> & {error: string | null};
	/** Today's figures, one line each, after the application's (`Database voiceassist: size 7.3MiB; …`). */
	today: string[];
	/** What the growth needs, one line each with its arithmetic (`Database connections: … = ~8 of … (40 %): …`). */
	forecast: string[];
}

export type SourceCapacityPart<Sample = unknown> = (reading: SourceReading<Sample>, usable: Sample | null, context: CapacityContext) => SourceCapacity;

export interface AppCapacity {
	instances: number | null;
	cpuPercentAverage: number | null;
	memUsageBytesAverage: number | null;
	perInstance: Array<{name: string; cpuPercent: number | null; memPercent: number | null; memUsageBytes: number | null}>;
	forecast: {
		totalCpuPercent: number;
		grownCpuPercent: number;
		scaleUpAt: number;
		/** grownCpuPercent / scaleUpAt before rounding up. */
		exact: number;
		/** Rounded up, and at least --min. */
		instances: number;
		min: number;
		max: number;
		overMax: boolean;
		advice: string;
		arithmetic: string;
	} | null;
	error: string | null;
}

export interface CapacityReport {
	growth: number;
	app: AppCapacity;
	/** Each configured source's part, by its report key, in the registry's order. */
	sources: Array<{key: string; title: string; part: SourceCapacity}>;
}

/** 2.89, 6.67, 135, 202.5: at most two decimals, none when whole. */
export function num(value: number): string {
	return String(Math.round(value * 100) / 100);
}

export const round2 = (value: number) => Math.round(value * 100) / 100;
export const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

export function capacityReport(snapshot: StackSnapshot, assessment: Assessment, models: readonly AnySourceModel[], settings: CapacitySettings): CapacityReport {
	const app = appPart(snapshot, assessment, settings);
	const context: CapacityContext = {growth: settings.growth, thresholds: settings.thresholds, instancesNow: app.instances, instancesNeeded: app.forecast?.instances ?? null};
	const sources: CapacityReport['sources'] = [];
	for (const model of models) {
		const reading = snapshot.sources[model.id];
		if (model.capacity === undefined || reading === undefined) continue;
		sources.push({key: model.report.key ?? model.id, title: model.title, part: model.capacity(reading, usableSample(reading), context)});
	}

	return {growth: settings.growth, app, sources};
}

function appPart(snapshot: StackSnapshot, assessment: Assessment, settings: CapacitySettings): AppCapacity {
	const {growth, scaleUpAt, min, max} = settings;
	const running = snapshot.docker.instances.filter(instance => countsAsRunning(instance.state));
	const perInstance = running.map(instance => ({
		name: instance.name,
		cpuPercent: instance.cpuPercent === null ? null : round2(instance.cpuPercent),
		memPercent: instance.memPercent === null ? null : round2(instance.memPercent),
		memUsageBytes: instance.memUsageBytes,
	}));
	const dockerProblem = readingError(snapshot.docker.status);
	const average = assessment.averages.cpuPercent;
	const memValues = running.map(instance => instance.memUsageBytes);
	const memAverage = memValues.length > 0 && memValues.every(value => value !== null) ? (memValues as number[]).reduce((a, b) => a + b, 0) / memValues.length : null;
	const base = {
		instances: dockerProblem === null ? running.length : null,
		cpuPercentAverage: average === null ? null : round2(average),
		memUsageBytesAverage: memAverage === null ? null : Math.round(memAverage),
		perInstance,
	};
	if (dockerProblem !== null) return {...base, forecast: null, error: `docker: ${dockerProblem}`};
	if (running.length === 0) return {...base, forecast: null, error: 'no running instance to measure'};
	if (average === null) return {...base, forecast: null, error: 'no CPU reading for every running instance'};

	const n = running.length;
	const total = n * average;
	const grown = total * growth;
	const exact = grown / scaleUpAt;
	const rounded = Math.max(1, Math.ceil(exact - 1e-9));
	const instances = Math.max(min, rounded);
	const overMax = instances > max;
	const floor = instances > rounded ? ` (--min ${min})` : '';
	const arithmetic = `${plural(n, 'instance')} × ${num(average)} % avg CPU = ${num(total)} % of one instance; × ${num(growth)} = ${num(grown)} %; ÷ ${num(scaleUpAt)} % (--scale-up-at) = ${num(exact)} → ${plural(instances, 'instance')}${floor}`;
	const advice = overMax
		? `more than --max ${max}: raise --max, or give each instance more CPU (the runbook's vertical scaling)`
		: instances > n
			? `add ${plural(instances - n, 'instance')} (${n} → ${instances})`
			: instances === n
				? `enough as it is (${n})`
				: `${n} is more than needed (${instances} would do)`;
	return {...base, forecast: {totalCpuPercent: round2(total), grownCpuPercent: round2(grown), scaleUpAt, exact: round2(exact), instances, min, max, overMax, advice, arithmetic}, error: null};
}

/** The `capacity` field of the --once JSON (README, "Capacity report"): `growth`, `app`, and each source's part by its report key. */
export function capacityJson(report: CapacityReport): Record<string, unknown> {
	return {growth: report.growth, app: report.app, ...Object.fromEntries(report.sources.map(source => [source.key, source.part.json]))};
}

/** The report's text part, after the capacity check (va-capacity-report's headings). */
export function capacityText(report: CapacityReport): string {
	const {app} = report;
	const lines: string[] = ['', `Capacity Report - growth × ${num(report.growth)}`, '========================================'];
	const avgMem = app.memUsageBytesAverage === null ? '' : `, memory ${formatBytes(app.memUsageBytesAverage)} avg`;
	lines.push(`Application Instances: ${app.instances ?? 'not assessed'}${app.cpuPercentAverage === null ? '' : ` (per instance: CPU ${num(app.cpuPercentAverage)} % avg${avgMem})`}`);
	for (const source of report.sources) lines.push(...source.part.today);
	lines.push('', `For ${num(report.growth)} × today's load (from today's per-instance figures):`);
	lines.push(`  App instances: ${app.forecast === null ? `not assessed (${app.error ?? 'no reading'})` : `${app.forecast.arithmetic}: ${app.forecast.advice}`}`);
	for (const source of report.sources) lines.push(...source.part.forecast.map(line => `  ${line}`));
	return `${lines.join('\n')}\n`;
}
