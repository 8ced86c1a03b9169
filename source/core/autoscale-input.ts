// From what the monitor already knows (a snapshot, its assessment, the sources' models) to the autoscale policy's
// input. Pure.
import type {Assessment, Concern} from './assessment.js';
import {countsAsRunning, runningCount} from './action-rules.js';
import {percentText, type AutoscaleInput, type AutoscaleSettings, type ScaleTrigger, type TriggerReading, type UnknownSource} from './autoscale-policy.js';
import {usableSample, type AnySourceModel} from './source-model.js';
import type {InstanceSample, StackSnapshot} from './types.js';

export interface AutoscaleReadings {
	snapshot: StackSnapshot;
	assessment: Assessment;
	/** The sources' models, in the registry's order (the connection budget and the triggers come from them). */
	sources: readonly AnySourceModel[];
	/** The action in progress (anyone's), in words, or null. */
	busy: string | null;
	/** Memory % that calls for a scale-up when `memory` is a trigger (the runbook's 70 %: --mem-soon). */
	memUpAt: number;
}

/** The words for each trigger a source feeds (SourceModel.scaleTriggers). */
const triggerWords: Record<Exclude<ScaleTrigger, 'cpu' | 'memory'>, string> = {
	latency: 'p95 latency',
	errors: 'error rate',
	queue: 'queue depth',
};

/** `database`, `redis`, `voiceassist-server CPU`, `voiceassist-server-2 memory`: where an IMMEDIATE is, in words. */
export function concernPlace(concern: Concern): string {
	if (concern.scope === 'service' || concern.scope === 'instance') return `${concern.subject} ${concern.metric === 'cpu' ? 'CPU' : concern.metric}`;
	// A source's concern: its scope is its own word for what it watches (`database`, `redis`, `pool`, `queue`).
	return concern.scope === 'source' ? concern.subject : concern.scope;
}

/** The newest running instance: the highest Compose number, else the latest start. */
export function newestInstance(instances: readonly InstanceSample[]): InstanceSample | null {
	let best: InstanceSample | null = null;
	for (const instance of instances) {
		if (!countsAsRunning(instance.state)) continue;
		if (best === null) {
			best = instance;
			continue;
		}

		const byNumber = (instance.number ?? -1) - (best.number ?? -1);
		if (byNumber > 0 || (byNumber === 0 && (instance.startedAt ?? 0) > (best.startedAt ?? 0))) best = instance;
	}

	return best;
}

/** The sources that count app connections against a limit: the scale-up budget (PostgreSQL). */
function budgetSources(sources: readonly AnySourceModel[]): AnySourceModel[] {
	return sources.filter(source => source.connections !== undefined);
}

/** The app connections the first budget source counts now, or null (not configured, or not read). */
export function budgetConnections(snapshot: StackSnapshot, sources: readonly AnySourceModel[]): {used: number; max: number} | null {
	for (const source of budgetSources(sources)) {
		const sample = usableSample(snapshot.sources[source.id]);
		const counted = sample === null ? null : source.connections!(sample);
		if (counted !== null) return counted;
	}

	return null;
}

function unknownSources(assessment: Assessment, sources: readonly AnySourceModel[]): UnknownSource[] {
	const budget = new Set(budgetSources(sources).map(source => source.id));
	const out: UnknownSource[] = [];
	for (const concern of assessment.concerns) {
		if (concern.level !== 'UNKNOWN') continue;
		const source = concern.subject;
		const prefix = `${source}: `;
		const reason = concern.message.startsWith(prefix) ? concern.message.slice(prefix.length) : concern.message;
		// Docker holds the count and the CPU, a budget source the connections: both stop any step. Any other source
		// may hide an IMMEDIATE (no scale-down); a trigger it feeds reads as not assessed (no scale-down on CPU alone).
		const both = source === 'docker' || budget.has(source);
		if (out.some(entry => entry.source === source)) continue;
		out.push({source, reason, blocks: both ? 'both' : 'down'});
	}

	return out;
}

function triggerReadings(readings: AutoscaleReadings, triggers: readonly ScaleTrigger[]): TriggerReading[] {
	const out: TriggerReading[] = [];
	for (const trigger of triggers) {
		if (trigger === 'cpu') continue;
		if (trigger === 'memory') {
			const mem = readings.assessment.averages.memPercent;
			out.push(
				mem === null
					? {trigger, over: null, text: 'avg memory not read yet'}
					: {trigger, over: mem > readings.memUpAt, text: `avg memory ${percentText(mem)} ${mem > readings.memUpAt ? '>' : '≤'} ${percentText(readings.memUpAt)}`},
			);
			continue;
		}

		// Latency, errors and queues are judged by the rules of the sources that feed them: their SOON or IMMEDIATE
		// concerns call for a scale-up; a feeding source that cannot be read leaves the trigger not assessed.
		const what = triggerWords[trigger];
		// A source not configured is absent from the snapshot: it feeds nothing.
		const feeding = readings.sources.filter(source => source.scaleTriggers?.includes(trigger) && readings.snapshot.sources[source.id] !== undefined);
		const readable = feeding.filter(source => usableSample(readings.snapshot.sources[source.id]) !== null);
		const standsFor = (entry: Concern) =>
			readable.some(source => source.id === entry.source && (source.scaleTriggerOf === undefined || source.scaleTriggerOf(entry) === trigger));
		const concern = readings.assessment.concerns.find(entry => (entry.level === 'SOON' || entry.level === 'IMMEDIATE') && standsFor(entry));
		if (concern !== undefined) out.push({trigger, over: true, text: concern.message.split(': ')[0]!});
		else if (feeding.length === 0) out.push({trigger, over: null, text: `${what} is not measured (no configured source gives it)`});
		else if (readable.length < feeding.length) out.push({trigger, over: null, text: `${what} is not assessed (${feeding.filter(source => !readable.includes(source)).map(source => source.id).join(', ')} not read)`});
		else out.push({trigger, over: false, text: `${what} under its threshold`});
	}

	return out;
}

export function autoscaleInput(readings: AutoscaleReadings, settings: Pick<AutoscaleSettings, 'triggers'>): AutoscaleInput {
	const {snapshot, assessment} = readings;
	const docker = snapshot.docker;
	const newest = newestInstance(docker.instances);
	const counted = budgetConnections(snapshot, readings.sources);
	const db: AutoscaleInput['db'] = counted === null ? null : {connections: counted.used, max: counted.max};

	return {
		now: snapshot.at,
		running: docker.status.kind === 'ok' ? runningCount(docker.instances) : null,
		cpuPercent: assessment.averages.cpuPercent,
		triggers: triggerReadings(readings, settings.triggers),
		immediate: [...new Set(assessment.concerns.filter(concern => concern.level === 'IMMEDIATE').map(concernPlace))],
		unknown: unknownSources(assessment, readings.sources),
		db,
		newest: newest === null ? null : {name: newest.name, healthy: newest.state === 'running' && (newest.health === 'healthy' || newest.health === 'none'), health: newest.health},
		busy: readings.busy,
	};
}
