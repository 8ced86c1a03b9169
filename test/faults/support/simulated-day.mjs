// A day of one-second samples pushed through va-top's monitor (history and event log) as fast as it goes, in a
// process of its own so its memory is its own. Run with --expose-gc; prints one JSON line with the figures.
//   node --expose-gc simulated-day.mjs DIST_DIR steady|churn
// steady: 5 instances, one replaced every 30 minutes (deploys), CPU, database and Redis crossing thresholds often.
// churn:  as steady, plus a new instance every minute (1440 a day): more series than the history keeps.
import path from 'node:path';
import {pathToFileURL} from 'node:url';

const [dist, scenario = 'steady'] = process.argv.slice(2);
const load = async file => import(pathToFileURL(path.join(dist, file)).href);
const {createMonitor} = await load('source/core/monitor.js');
const {defaultThresholds, sources} = await load('source/sources/registry.js');

const day = 86_400;
const t0 = Date.UTC(2026, 10, 28);
const monitor = createMonitor({thresholds: {...defaultThresholds, cpuSustainSeconds: 120}, sources});
const instances = [1, 2, 3, 4, 5].map(number => ({id: `steady-${number}-0`, number}));
let churnId = 0;
const churn = [];
const checkpoints = [];
let maxEvents = 0;

const heap = () => {
	globalThis.gc?.();
	return process.memoryUsage();
};

const started = performance.now();
for (let second = 0; second < day; second++) {
	const at = t0 + second * 1000;
	// A deploy replaces one instance every 30 minutes: its series start anew under a new id.
	if (second % 1800 === 0 && second > 0) {
		const victim = instances[(second / 1800) % instances.length];
		victim.id = `steady-${victim.number}-${second}`;
	}

	if (scenario === 'churn' && second % 60 === 0) {
		churn.push({id: `churn-${churnId++}`, number: 100 + churnId});
		if (churn.length > 3) churn.shift();
	}

	// CPU waves across 70 % and 80 %; one instance spikes now and then; the database and Redis cross their lines too.
	const wave = 60 + 30 * Math.sin((2 * Math.PI * second) / 1200);
	const samples = [...instances, ...churn].map(({id, number}, index) => ({
		id,
		name: `voiceassist-server-${number}`,
		number,
		state: second % 3600 < 20 && index === 0 ? 'exited' : 'running',
		health: 'none',
		restartCount: 0,
		startedAt: t0,
		cpuPercent: index === 1 && second % 900 < 30 ? 99 : wave + index,
		memPercent: 40 + index,
		memUsageBytes: 100e6,
		memLimitBytes: 256e6,
		sampledAt: at,
	}));
	const dbRatio = 0.5 + 0.35 * Math.sin((2 * Math.PI * second) / 3000);
	const redisDown = second % 7200 < 30;
	const frame = monitor.tick({
		at,
		project: 'voiceassist',
		service: 'voiceassist-server',
		docker: {endpoint: 'unix:///var/run/docker.sock', status: {kind: 'ok', at}, instances: samples},
		sources: {
		postgres: {endpoint: '127.0.0.1:5432', status: {kind: 'ok', at}, sample: {connections: Math.round(dbRatio * 100), active: 3, maxConnections: 100, ratio: Math.round(dbRatio * 100) / 100, at}},
		redis: redisDown
			? {endpoint: '127.0.0.1:6379', status: {kind: 'reconnecting', reason: 'connection refused at 127.0.0.1:6379', since: at}, sample: null}
			: {endpoint: '127.0.0.1:6379', status: {kind: 'ok', at}, sample: {usedMemoryBytes: 1e6, usedMemoryRssBytes: 2e6, maxMemoryBytes: 0, totalSystemMemoryBytes: 1e9, limitBytes: 1e9, limitSource: 'system', fragmentationRatio: 1.1, ratio: 0.001, at}},
		},
	});
	maxEvents = Math.max(maxEvents, frame.events.length);
	if (second % 100 === 0) monitor.log({at, level: 'INFO', key: 'action:simulated', text: `simulated action ${second}`});
	if ((second + 1) % 10_800 === 0) {
		const memory = heap();
		checkpoints.push({hours: (second + 1) / 3600, heapUsed: memory.heapUsed, rss: memory.rss, arrayBuffers: memory.arrayBuffers, series: monitor.history.seriesCount});
	}
}

const elapsedMs = performance.now() - started;
const last = monitor.current();
process.stdout.write(
	`${JSON.stringify({
		scenario,
		samples: day,
		elapsedMs,
		checkpoints,
		maxEvents,
		events: last.events.length,
		series: monitor.history.seriesCount,
		historyCapacity: monitor.history.capacity,
		maxSeries: monitor.history.maxSeries,
		gc: typeof globalThis.gc === 'function',
	})}\n`,
);
