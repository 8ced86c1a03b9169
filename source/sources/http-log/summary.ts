// The window's figures as the rest of va-top sees them: plain numbers, per service and per instance. Pure.
import {groupByInstance, type InstanceEndpoints} from './instance-map.js';
import {newSketch, quantile, type AddressStats, type WindowStats} from './window.js';

export interface HttpInstanceFigures {
	/** The container's name, or the upstream address when no instance of the service has it. */
	name: string;
	/** null for an address no instance matched. */
	id: string | null;
	addresses: string[];
	/** Attempts nginx sent it in the window (a retried request counts once per server tried). */
	requests: number;
	errors: number;
	/** errors / requests; null with no requests. */
	errorRatio: number | null;
	/** Of its upstream response times; null when none had one. */
	p95Ms: number | null;
}

export interface HttpFigures {
	windowSeconds: number;
	coveredSeconds: number;
	requests: number;
	/** requests over the seconds of the window the log was watched; null before any was. */
	requestsPerSecond: number | null;
	errors: number;
	/** 5xx responses / requests; null with no requests (nothing to judge, not a zero). */
	errorRatio: number | null;
	/** Of $request_time; null when no request of the window had one. */
	p50Ms: number | null;
	p95Ms: number | null;
	p99Ms: number | null;
	/** True when the window's requests carried $request_time; false with the combined format. */
	latencyAssessed: boolean;
	/** Per instance, from $upstream_addr; empty when the log gives no upstream addresses. */
	instances: HttpInstanceFigures[];
}

export function summarize(
	stats: WindowStats,
	endpoints: readonly InstanceEndpoints[],
	instances: ReadonlyArray<{id: string; name: string}>,
): HttpFigures {
	const rows = stats.byAddress.size === 0 ? [] : groupByInstance<AddressStats>(stats.byAddress, endpoints, instances);
	return {
		windowSeconds: stats.windowSeconds,
		coveredSeconds: stats.coveredSeconds,
		requests: stats.requests,
		requestsPerSecond: stats.coveredSeconds > 0 ? stats.requests / stats.coveredSeconds : null,
		errors: stats.errors,
		errorRatio: stats.requests > 0 ? stats.errors / stats.requests : null,
		p50Ms: quantile(stats.sketch, 0.5),
		p95Ms: quantile(stats.sketch, 0.95),
		p99Ms: quantile(stats.sketch, 0.99),
		latencyAssessed: stats.timed > 0,
		instances: rows.map((row) => {
			const sketch = newSketch();
			let requests = 0;
			let errors = 0;
			for (const figures of row.figures) {
				requests += figures.requests;
				errors += figures.errors;
				sketch.merge(figures.sketch);
			}

			return {name: row.name, id: row.id, addresses: row.addresses, requests, errors, errorRatio: requests > 0 ? errors / requests : null, p95Ms: quantile(sketch, 0.95)};
		}),
	};
}
