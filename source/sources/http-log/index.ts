// The load balancer's access log as a source: response time (p50/p95/p99) and the 5xx error rate over a sliding
// window, per service and per app instance, from nginx's log through the Docker logs API or a file.
import type {FlagSpec} from '../../config/flags.js';
import {UsageError} from '../../config/usage-error.js';
import type {SourceReading} from '../../core/source-model.js';
import type {SourceKind} from '../source-kind.js';
import {httpCharts, httpInstanceColumns, httpSeries, httpSummary} from './charts.js';
import {sourceLabel, type HttpLogConfig} from './config.js';
import {httpDemo} from './demo.js';
import {httpReport} from './report.js';
import {httpConcerns, httpThresholds} from './rules.js';
import type {HttpSample} from './sample.js';

export const defaultHttpService = 'nginx';
export const defaultWindowSeconds = 60;

export const httpFlags: readonly FlagSpec[] = [
	{
		name: 'http-log',
		kind: 'string',
		value: 'FILE',
		description: "nginx access log file to follow instead of the nginx container's log (survives rotation and truncation)",
		inConfig: true,
		group: 'Stack',
		expected: 'a path to an nginx access log file',
	},
	{
		name: 'http-service',
		kind: 'string',
		value: 'NAME',
		description: 'Compose service of nginx, whose container log (the Docker logs API) is read',
		defaultText: defaultHttpService,
		inConfig: true,
		group: 'Stack',
		expected: 'a Compose service name',
	},
	{
		name: 'http-window',
		kind: 'string',
		value: 'TIME',
		description: 'Sliding window of the response-time and error-rate figures (10s to 1h)',
		defaultText: `${defaultWindowSeconds}s`,
		inConfig: true,
		group: 'Stack',
		expected: 'a duration from 10s to 1h such as 60, 90s or 5m',
	},
	{name: 'http', kind: 'boolean', description: 'Do not read the load balancer\'s access log', defaultText: 'on', inConfig: true, group: 'Stack'},
];

/** 60, 60s, 5m, 1h → seconds, from 10 s to 1 h. */
export function parseWindow(value: unknown, from: string): number {
	const text = String(value).trim();
	const match = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text);
	const seconds = match ? Number(match[1]) * ({s: 1, m: 60, h: 3600}[match[2] as 's' | 'm' | 'h'] ?? 1) : Number.NaN;
	if (!Number.isFinite(seconds) || seconds < 10 || seconds > 3600 || !Number.isInteger(seconds)) {
		throw new UsageError(`${from}: expected a duration from 10s to 1h such as 60, 90s or 5m, got "${text}"`);
	}

	return seconds;
}

const serviceName = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export const httpLogSource: SourceKind<HttpLogConfig, HttpSample> = {
	id: 'http',
	title: 'Load balancer',
	flags: httpFlags,
	thresholds: httpThresholds,
	configure(input) {
		const enabled = input.given('http');
		if (enabled !== undefined && enabled.value === false) return null;
		const text = (flag: string): {value: string; from: string} | undefined => {
			const given = input.given(flag);
			if (given === undefined) return undefined;
			const value = String(given.value).trim();
			if (value === '') throw new UsageError(`${given.from}: empty value, expected ${httpFlags.find((spec) => spec.name === flag)?.expected ?? 'a value'}`);
			return {value, from: given.from};
		};

		const file = text('http-log');
		const service = text('http-service');
		if (file !== undefined && service !== undefined) {
			throw new UsageError(`${file.from} and ${service.from} go separately: read a file or a container's log, expected one of them`);
		}

		if (service !== undefined && !serviceName.test(service.value)) {
			throw new UsageError(`${service.from}: "${service.value}" is not a Compose name, expected letters, digits, "_", "." or "-"`);
		}

		const window = text('http-window');
		const dockerHost = input.given('docker-host')?.value ?? input.env.DOCKER_HOST;
		return {
			mode: file === undefined ? 'docker' : 'file',
			file: file?.value ?? null,
			service: service?.value ?? defaultHttpService,
			serviceGiven: service !== undefined,
			project: input.project,
			appService: input.service,
			windowSeconds: window === undefined ? defaultWindowSeconds : parseWindow(window.value, window.from),
			once: input.once,
			dockerHost: typeof dockerHost === 'string' && dockerHost.trim() !== '' ? dockerHost.trim() : undefined,
		};
	},
	secrets: () => [],
	endpoint: sourceLabel,
	open: async (config, kit) => (await import('./collector.js')).createHttpLogCollector(config, kit),
	series: httpSeries,
	concerns: httpConcerns,
	report: httpReport,
	summary: httpSummary,
	charts: httpCharts,
	complete: (reading: SourceReading<HttpSample>) => {
		if (reading.status.kind === 'connecting') return false;
		return reading.status.kind !== 'ok' || reading.sample?.backfilled === true;
	},
	demo: httpDemo,
	instanceColumns: httpInstanceColumns,
};
