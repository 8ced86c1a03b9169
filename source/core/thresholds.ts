// Defaults are the scaling runbook's triggers ("When to Scale", va-capacity-check, va-autoscale).
// The workload's own thresholds (CPU, memory, their sustain, the hysteresis) live here; each source adds its own
// specs (source/core/source-model.ts ThresholdSpec) and the composition root merges them into one record.
import type {ThresholdSpec} from './source-model.js';

export interface WorkloadThresholds {
	/** CPU % that calls for scaling out when sustained (runbook: > 80 % for 10+ minutes). */
	cpuImmediate: number;
	/** Seconds CPU must stay above cpuImmediate in the live monitor. The one-shot check uses 0, as va-capacity-check does. */
	cpuSustainSeconds: number;
	/** CPU % that asks to plan scaling within 24 hours. */
	cpuSoon: number;
	memImmediate: number;
	memSoon: number;
	/**
	 * How far under its threshold a value must fall before a breach ends: points for percent thresholds, % of the
	 * threshold for other units. 0 turns it off. (A breach also ends after holdSeconds under its threshold.)
	 */
	hysteresis: number;
}

/** Every threshold by key: the workload's, and those of the sources (`dbImmediate`, `redisSoon`, …). */
export type Thresholds = WorkloadThresholds & {[key: string]: number};

/** The workload's thresholds, in the order --help lists them (sources' follow). */
export const workloadThresholdSpecs: readonly ThresholdSpec[] = [
	{key: 'cpuImmediate', flag: 'cpu-immediate', unit: 'percent', defaultValue: 80, description: 'CPU that calls for scaling out once sustained'},
	{
		key: 'cpuSustainSeconds',
		flag: 'cpu-sustain',
		unit: 'seconds',
		defaultValue: 600,
		description: 'How long CPU must stay over --cpu-immediate in the live monitor (e.g. 600, 90s, 10m)',
	},
	{key: 'cpuSoon', flag: 'cpu-soon', unit: 'percent', defaultValue: 70, description: 'CPU that asks to plan scaling within 24 hours', soonOf: 'cpuImmediate'},
	{key: 'memImmediate', flag: 'mem-immediate', unit: 'percent', defaultValue: 85, description: 'Memory that calls for scaling out'},
	{key: 'memSoon', flag: 'mem-soon', unit: 'percent', defaultValue: 70, description: 'Memory that asks to plan scaling', soonOf: 'memImmediate'},
];

/** The one hysteresis setting; listed after every source's thresholds in --help. */
export const hysteresisSpec: ThresholdSpec = {
	key: 'hysteresis',
	flag: 'hysteresis',
	unit: 'percent',
	defaultValue: 5,
	max: 50,
	description:
		'How far under its threshold a value must fall before a breach ends: points for percents, % of the threshold for times, sizes and counts (0: off); it also ends after 30 s under',
};

/** Seconds a breach stays held while its value sits under the threshold but within the hysteresis margin. */
export const holdSeconds = 30;

/** The workload's defaults. Sources' thresholds fall back to their spec's default when missing (thresholdOf). */
export const defaultThresholds: Thresholds = {
	cpuImmediate: 80,
	cpuSustainSeconds: 600,
	cpuSoon: 70,
	memImmediate: 85,
	memSoon: 70,
	hysteresis: 5,
};
