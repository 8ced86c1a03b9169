// Key to frame inside the process, without a terminal: the built screen (dist/source) with N instances held in
// memory, a key written to its stdin, the time until the frame that shows the key's effect is handed to the screen
// writer. What tmux adds (send-keys, capture-pane, about 3 ms each) is left out, so this is va-top's own share of the
// benchmark's key-to-frame figure: sorting, filtering and drawing N rows.
//
// usage: npm run build && node bench/in-process-keys.mjs [--instances 200] [--presses 40] [--columns 120] [--rows 40]
import {performance} from 'node:perf_hooks';
import {render} from 'ink-testing-library';
import React from 'react';
import {createMonitor} from '../dist/source/core/monitor.js';
import {defaultThresholds} from '../dist/source/core/thresholds.js';
import {sources} from '../dist/source/sources/registry.js';
import {App} from '../dist/source/ui/app.js';

const argument = (name, fallback) => {
	const at = process.argv.indexOf(`--${name}`);
	return at > 0 ? Number(process.argv[at + 1]) : fallback;
};

const count = argument('instances', 200);
const presses = argument('presses', 40);
const columns = argument('columns', 120);
const rows = argument('rows', 40);
const at = Date.now();

function instances(tick) {
	return Array.from({length: count}, (_, index) => ({
		id: `id-${index + 1}`,
		name: `bench-${count}-app-${index + 1}`,
		number: index + 1,
		state: 'running',
		health: 'none',
		restartCount: 0,
		startedAt: at - 3_600_000,
		// Figures that move a little every reading, as real ones do: the CPU order changes between frames.
		cpuPercent: index === 126 ? 93 : ((index * 37 + tick * 13) % 400) / 100,
		memPercent: 2 + ((index * 11) % 30) / 10,
		memUsageBytes: 20 * 1024 * 1024,
		memLimitBytes: 64 * 1024 * 1024,
		sampledAt: at + tick * 1000,
	}));
}

let tick = 0;
const stack = {
	snapshot() {
		tick++;
		const now = at + tick * 1000;
		return {
			at: now,
			project: `bench-${count}`,
			service: 'app',
			docker: {endpoint: 'unix:///var/run/docker.sock', status: {kind: 'ok', at: now}, instances: instances(tick)},
			sources: {
				postgres: {endpoint: '127.0.0.1:5432', status: {kind: 'ok', at: now}, sample: {connections: 5, active: 1, maxConnections: 20, ratio: 0.25, at: now}},
				redis: {
					endpoint: '127.0.0.1:6379',
					status: {kind: 'ok', at: now},
					sample: {usedMemoryBytes: 1e6, usedMemoryRssBytes: 2e6, maxMemoryBytes: 0, totalSystemMemoryBytes: 24e9, limitBytes: 24e9, limitSource: 'system', fragmentationRatio: 2, ratio: 0, at: now},
				},
			},
		};
	},
};

let frames = [];
const output = {sgr: false, draw: lines => frames.push({at: performance.now(), lines})};
const settings = {project: `bench-${count}`, service: 'app', dockerEndpoint: 'unix:///var/run/docker.sock', mode: 'live', readOnly: true, dryRun: false, intervalMs: 1000, thresholds: defaultThresholds, min: 2, max: 10, color: true, sources};
const app = render(React.createElement(App, {stack, monitor: createMonitor({sources, thresholds: defaultThresholds}), settings, onQuit: () => {}, output}));
Object.defineProperty(app.stdout, 'columns', {value: columns, configurable: true});
Object.defineProperty(app.stdout, 'rows', {value: rows, configurable: true});
app.stdout.emit('resize');

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
const heading = lines => lines.find(line => /CPU[↑↓]?\s+MEM/.test(line)) ?? '';
const footer = lines => lines.at(-1) ?? '';
// Each key, and the frame that shows it took effect.
const steps = [
	{label: 'C (sort by CPU)', key: 'C', shown: lines => heading(lines).includes('CPU↓')},
	{label: 'N (sort by name)', key: 'N', shown: lines => !heading(lines).includes('CPU↓') && lines.some(line => /^. bench-\d+-app-1 /.test(line))},
	{label: '/ (filter)', key: '/', shown: lines => footer(lines).startsWith('/▏')},
	{label: '1 (filter typed)', key: '1', shown: lines => footer(lines).startsWith('/1▏')},
	{label: 'Esc (filter cleared)', key: '\u001B', shown: lines => !footer(lines).startsWith('/')},
	{label: '! (worst)', key: '!', shown: lines => lines.some(line => line.startsWith(`▸ bench-${count}-app-127 `))},
	{label: 'g (first)', key: 'g', shown: lines => lines.some(line => line.startsWith(`▸ bench-${count}-app-1 `))},
];

await sleep(1500);
const results = new Map(steps.map(step => [step.label, []]));
for (let press = 0; press < presses; press++) {
	const step = steps[press % steps.length];
	frames = [];
	const sent = performance.now();
	app.stdin.write(step.key);
	const deadline = sent + 3000;
	let seen = null;
	while (seen === null && performance.now() < deadline) {
		seen = frames.find(frame => step.shown(frame.lines)) ?? null;
		if (seen === null) await sleep(1);
	}

	results.get(step.label).push(seen === null ? Number.NaN : seen.at - sent);
	await sleep(120 + Math.random() * 200);
}

app.unmount();
const median = values => {
	const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
	return sorted.length === 0 ? Number.NaN : sorted[Math.floor(sorted.length / 2)];
};

const all = [...results.values()].flat();
console.log(`in-process key to frame, ${count} instances at ${columns}x${rows}, ${presses} presses (ms):`);
for (const [label, values] of results) console.log(`  ${label.padEnd(22)} median ${median(values).toFixed(1)}  worst ${Math.max(...values).toFixed(1)}  (${values.length})`);
console.log(`  all                    median ${median(all).toFixed(1)}  worst ${Math.max(...all).toFixed(1)}  timeouts ${all.filter(value => !Number.isFinite(value)).length}`);
process.exit(0);
