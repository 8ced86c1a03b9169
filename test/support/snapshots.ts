// Hand-made snapshots for the pure rules: plain data, no systems involved.
import type {InstanceSample, StackSnapshot} from '../../source/core/types.js';
import {sources} from '../../source/sources/registry.js';

/** The registry's sources, as the composition root hands them to the rules. */
export {sources};

export function instance(name: string, cpuPercent: number | null, memPercent: number | null, extra: Partial<InstanceSample> = {}): InstanceSample {
	return {
		id: `id-${name}`,
		name,
		number: Number(name.split('-').pop()) || null,
		state: 'running',
		health: 'none',
		restartCount: 0,
		startedAt: 0,
		cpuPercent,
		memPercent,
		memUsageBytes: memPercent === null ? null : memPercent * 1e6,
		memLimitBytes: memPercent === null ? null : 100e6,
		sampledAt: 1000,
		...extra,
	};
}

export function snapshot(options: {
	at?: number;
	instances?: InstanceSample[];
	db?: {connections: number; active?: number; max: number} | 'down';
	redis?: {used: number; max: number} | 'down';
} = {}): StackSnapshot {
	const at = options.at ?? 1000;
	const db = options.db ?? {connections: 10, active: 2, max: 100};
	const redis = options.redis ?? {used: 10, max: 100};
	return {
		at,
		project: 'voiceassist',
		service: 'voiceassist-server',
		docker: {
			endpoint: 'unix:///var/run/docker.sock',
			status: {kind: 'ok', at},
			instances: options.instances ?? [instance('web-1', 20, 30), instance('web-2', 30, 40)],
		},
		sources: {
		postgres:
			db === 'down'
				? {endpoint: '127.0.0.1:5432', status: {kind: 'unreachable', reason: 'connection refused at 127.0.0.1:5432', since: at}, sample: null}
				: {
						endpoint: '127.0.0.1:5432',
						status: {kind: 'ok', at},
						sample: {connections: db.connections, active: db.active ?? 0, maxConnections: db.max, ratio: db.connections / db.max, at},
					},
		redis:
			redis === 'down'
				? {endpoint: '127.0.0.1:6379', status: {kind: 'unreachable', reason: 'connection refused at 127.0.0.1:6379', since: at}, sample: null}
				: {
						endpoint: '127.0.0.1:6379',
						status: {kind: 'ok', at},
						sample: {
							usedMemoryBytes: redis.used,
							usedMemoryRssBytes: redis.used,
							maxMemoryBytes: redis.max,
							totalSystemMemoryBytes: 1000,
							limitBytes: redis.max,
							limitSource: 'maxmemory',
							fragmentationRatio: 1,
							ratio: redis.used / redis.max,
							at,
						},
					},
		},
	};
}
