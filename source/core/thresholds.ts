// Defaults are the scaling runbook's triggers ("When to Scale", va-capacity-check, va-autoscale).

export interface Thresholds {
	/** CPU % that calls for scaling out when sustained (runbook: > 80 % for 10+ minutes). */
	cpuImmediate: number;
	/** Seconds CPU must stay above cpuImmediate in the live monitor. The one-shot check uses 0, as va-capacity-check does. */
	cpuSustainSeconds: number;
	/** CPU % that asks to plan scaling within 24 hours. */
	cpuSoon: number;
	memImmediate: number;
	memSoon: number;
	/** Database connections / max_connections, in %. */
	dbImmediate: number;
	/** Runbook's proactive trigger: approaching 70 % capacity on any metric. */
	dbSoon: number;
	redisImmediate: number;
	redisSoon: number;
}

export const defaultThresholds: Thresholds = {
	cpuImmediate: 80,
	cpuSustainSeconds: 600,
	cpuSoon: 70,
	memImmediate: 85,
	memSoon: 70,
	dbImmediate: 80,
	dbSoon: 70,
	redisImmediate: 85,
	redisSoon: 70,
};
