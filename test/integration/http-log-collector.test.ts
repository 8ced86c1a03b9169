// The access-log source against a real nginx (Debian's, in va-top/nginx:1) in front of three real app instances
// (busybox httpd + a CGI script), all on the host network on loopback ports of this suite's range: instance 2
// answers slowly, instance 3 with 500s. Load comes from the project's own generator (scripts/load.mjs). Every figure
// is checked against the same log lines computed offline.
import {appendFileSync, renameSync} from 'node:fs';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
// @ts-expect-error: a plain .mjs script of the project, no type declarations
import {runLoad} from '../../scripts/load.mjs';
import type {SourceReading} from '../../source/core/source-model.js';
import {createHttpLogCollector, type HttpLogConfig} from '../../source/sources/http-log/collector.js';
import type {HttpSample} from '../../source/sources/http-log/sample.js';
import {sketchRelativeAccuracy} from '../../source/sources/http-log/window.js';
import {createKit} from '../../source/sources/kit/index.js';
import type {Collector} from '../../source/sources/collector.js';
import {fileLines, startHttpStack, type HttpStack} from '../support/http-stack.js';
import {requireDocker, waitFor} from '../support/services.js';

const available = await requireDocker();

interface LoadSummary {
	sent: number;
	answered: number;
	byStatus: Record<string, number>;
}

const load = (url: string, rate: number, seconds: number): Promise<LoadSummary> => runLoad({url: new URL(url), rate, seconds, max: Math.ceil(rate * seconds), concurrency: 128});

interface Truth {
	requests: number;
	errorRatio: number;
	p50: number;
	p95: number;
	p99: number;
	byAddress: Map<string, {requests: number; errors: number; p95: number}>;
}

/** The exact figures of log lines, the way a person would compute them: JSON.parse and sort. */
function truthOf(lines: string[]): Truth {
	const rows = lines.map((line) => JSON.parse(line) as Record<string, string>);
	const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))]!;
	const times = rows.map((row) => Number(row.request_time) * 1000);
	const byAddress = new Map<string, {requests: number; errors: number; p95: number}>();
	for (const address of new Set(rows.map((row) => row.upstream_addr!))) {
		const mine = rows.filter((row) => row.upstream_addr === address);
		byAddress.set(address, {requests: mine.length, errors: mine.filter((row) => Number(row.upstream_status) >= 500).length, p95: quantile(mine.map((row) => Number(row.upstream_response_time) * 1000), 0.95)});
	}

	return {
		requests: rows.length,
		errorRatio: rows.filter((row) => Number(row.status) >= 500).length / rows.length,
		p50: quantile(times, 0.5),
		p95: quantile(times, 0.95),
		p99: quantile(times, 0.99),
		byAddress,
	};
}

function within(value: number | null, exact: number): void {
	expect(value).not.toBeNull();
	expect(Math.abs(value! - exact), `${value} vs exact ${exact}`).toBeLessThanOrEqual(exact * sketchRelativeAccuracy + 1e-6);
}

const open: Array<Collector<SourceReading<HttpSample>>> = [];

function collector(stack: HttpStack, overrides: Partial<HttpLogConfig>): Collector<SourceReading<HttpSample>> {
	const config: HttpLogConfig = {
		mode: 'docker',
		file: null,
		service: 'nginx',
		serviceGiven: false,
		project: stack.project,
		appService: 'app',
		windowSeconds: 600,
		once: false,
		dockerHost: undefined,
		...overrides,
	};
	const made = createHttpLogCollector(config, createKit({intervalMs: 250}));
	open.push(made);
	made.start();
	return made;
}

async function sampleWith(source: Collector<SourceReading<HttpSample>>, done: (sample: HttpSample) => boolean, message: string): Promise<HttpSample> {
	return waitFor(
		() => {
			const reading = source.view();
			return reading.status.kind === 'ok' && reading.sample !== null && done(reading.sample) ? reading.sample : undefined;
		},
		{timeoutMs: 30_000, intervalMs: 100, message: `${message}; last reading ${JSON.stringify(source.view()).slice(0, 600)}`},
	);
}

describe.skipIf(!available)('the access-log source against a real nginx and app instances', () => {
	let stack: HttpStack;

	beforeAll(async () => {
		stack = await startHttpStack({nginxPort: 18080, appBasePort: 18100, modes: ['ok', 'slow 2.2', 'error']});
	}, 180_000);

	afterAll(async () => {
		await Promise.allSettled(open.map(async (source) => source.stop()));
		await stack?.remove();
	});

	it('reads the window through the Docker logs API: p50/p95/p99 within the sketch\'s error of the same lines offline, the 5xx ratio exact, each instance by name', async () => {
		const sent = await load(stack.url, 40, 5);
		const source = collector(stack, {});
		const lines = await waitFor(async () => {
			const all = await stack.dockerLogLines();
			return all.length >= sent.answered ? all : undefined;
		}, {timeoutMs: 20_000, message: 'every request in the container log'});
		const sample = await sampleWith(source, (s) => s.requests === lines.length && s.instances.some((row) => row.requests > 0 && row.id !== null), `${lines.length} requests read`);
		const truth = truthOf(lines);
		expect(sample.found).toBe(true);
		expect(sample.latencyAssessed).toBe(true);
		expect(sample.errorRatio).toBe(truth.errorRatio);
		expect(sample.errorRatio).toBeGreaterThan(0.2);
		within(sample.p50Ms, truth.p50);
		within(sample.p95Ms, truth.p95);
		within(sample.p99Ms, truth.p99);
		expect(sample.notUnderstood).toBe(0);

		// Each upstream address is named by the instance whose process listens on its port (host network).
		expect(sample.instances.map((row) => row.name)).toEqual(stack.appNames);
		const [fast, slow, failing] = sample.instances;
		const truthOfPort = (port: number) => truth.byAddress.get(`127.0.0.1:${port}`)!;
		expect(fast!.requests).toBe(truthOfPort(18101).requests);
		expect(fast!.errorRatio).toBe(0);
		within(fast!.p95Ms, truthOfPort(18101).p95);
		within(slow!.p95Ms, truthOfPort(18102).p95);
		within(failing!.p95Ms, truthOfPort(18103).p95);
		expect(slow!.p95Ms).toBeGreaterThan(2000);
		expect(failing!.errorRatio).toBe(1);
		expect(failing!.requests).toBe(truthOfPort(18103).requests);
	});

	it('survives a log rotation (rename, then nginx -s reopen) while requests go on, losing and doubling no line', async () => {
		const source = collector(stack, {mode: 'file', file: stack.jsonLog});
		const before = fileLines(stack.jsonLog).length;
		await sampleWith(source, (s) => s.requests === before, 'the file read up to now');
		const running = load(stack.url, 40, 4);
		await new Promise((resolve) => setTimeout(resolve, 1500));
		renameSync(stack.jsonLog, `${stack.jsonLog}.1`);
		await new Promise((resolve) => setTimeout(resolve, 500));
		await stack.reopen();
		await running;
		await waitFor(() => fileLines(stack.jsonLog).length > 0, {message: 'nginx writing the new file'});
		const expected = fileLines(`${stack.jsonLog}.1`).length + fileLines(stack.jsonLog).length;
		expect(fileLines(stack.jsonLog).length).toBeGreaterThan(10);
		const sample = await sampleWith(source, (s) => s.requests >= expected, `${expected} requests across both files`);
		await new Promise((resolve) => setTimeout(resolve, 2500));
		expect(source.view().sample!.requests).toBe(expected);
		expect(sample.notUnderstood).toBe(0);
	});

	it('keeps its window through an nginx restart and follows the restarted container', async () => {
		const source = collector(stack, {});
		const before = (await stack.dockerLogLines()).length;
		await sampleWith(source, (s) => s.requests === before, 'the log read up to now');
		await stack.restartNginx();
		await load(stack.url, 30, 2);
		const after = (await stack.dockerLogLines()).length;
		expect(after).toBeGreaterThan(before);
		await sampleWith(source, (s) => s.requests === after, `${after} requests: those before the restart kept, those after read once`);
		await new Promise((resolve) => setTimeout(resolve, 1500));
		expect(source.view().sample!.requests).toBe(after);
	});

	it('reads nginx\'s combined format for the error rate, and says latency is not assessed', async () => {
		const source = collector(stack, {mode: 'file', file: stack.combinedLog});
		const lines = fileLines(stack.combinedLog);
		const sample = await sampleWith(source, (s) => s.requests === lines.length, 'the combined log read');
		const errors = lines.filter((line) => / 5\d\d \d+ "/.test(line)).length;
		expect(errors).toBeGreaterThan(0);
		expect(sample.errorRatio).toBe(errors / lines.length);
		expect(sample).toMatchObject({format: 'combined', latencyAssessed: false, p95Ms: null, instances: []});
	});

	it('counts lines it does not understand (text, binary, a huge line) and goes on reading', async () => {
		const source = collector(stack, {mode: 'file', file: stack.jsonLog});
		const before = fileLines(stack.jsonLog).length;
		await sampleWith(source, (s) => s.requests === before, 'the file read');
		appendFileSync(stack.jsonLog, 'this is not an access log line\n');
		appendFileSync(stack.jsonLog, Buffer.from([0x00, 0xff, 0xfe, 0x1b, 0x5b, 0x32, 0x4a, 0x0a]));
		appendFileSync(stack.jsonLog, `{"status":"200","pad":"${'x'.repeat(200_000)}"}\n`);
		await load(stack.url, 20, 1);
		// Every line but the three, whenever nginx has written its last one.
		await sampleWith(source, (s) => s.notUnderstood === 3 && s.requests >= before + 15 && s.requests === fileLines(stack.jsonLog).length - 3, 'three lines not understood, every request read');
	});

	it('reads the last window once for --once (the logs API\'s since), and says when the project has no nginx', async () => {
		const lines = await stack.dockerLogLines();
		const once = collector(stack, {once: true});
		const sample = await sampleWith(once, (s) => s.backfilled, 'the window read once');
		expect(sample.requests).toBe(lines.length);

		const none = collector({...stack, project: `${stack.project}-none`}, {once: true});
		expect(await sampleWith(none, (s) => s.backfilled, 'the project listed')).toMatchObject({found: false, requests: 0});
		const asked = collector({...stack, project: `${stack.project}-none`}, {once: true, serviceGiven: true});
		await waitFor(() => asked.view().status.kind === 'unreachable', {message: 'unreachable when --http-service was given'});
		expect(asked.view().status).toMatchObject({reason: `no running container of service nginx in project ${stack.project}-none`});
	});
});
