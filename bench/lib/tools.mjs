// The monitors compared: how to start each one on bench-N's containers, how often it refreshes, and a
// key whose effect on the screen can be recognised (for key-to-frame latency), where it has keys.
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {projectName, service} from './containers.mjs';

const has = (lines, text) => lines.some(line => line.includes(text));

/**
 * Key probes: a list of steps, each a key and a test of the screen that shows the key took effect.
 * `expect(before)` builds the test from the screen before the key (for effects relative to it).
 */
function toggleProbe(key, shownText, {closeKey = key, backText} = {}) {
	return [
		{label: `${key} (open)`, key, expect: () => lines => has(lines, shownText)},
		{label: `${closeKey} (close)`, key: closeKey, expect: () => lines => !has(lines, shownText) && (!backText || has(lines, backText))},
	];
}

/** va-top's selection marker moves to another row: the row with '▸' names a different instance. */
function selectionProbe(key, project) {
	const instance = new RegExp(`(?:^|\\s)((?:${project}-)?${service}-\\d+)(?:\\s|$)`);
	const selected = lines => {
		for (const line of lines) {
			const match = line.includes('▸') ? instance.exec(line) : null;
			if (match) return match[1];
		}
		return null;
	};
	return {
		label: `${key} (selection)`,
		key,
		expect: before => {
			const was = selected(before);
			return lines => {
				const now = selected(lines);
				return now !== null && now !== was;
			};
		},
	};
}

/** va-top's keys: help, the selection, the sort (C, then N back) and the filter (`/` opens it, Escape clears it). */
function vaTopKeys(project) {
	return [
		...toggleProbe('?', 'select an instance', {backText: 'INSTANCE'}),
		selectionProbe('j', project),
		selectionProbe('k', project),
		...toggleProbe('C', 'CPU↓', {closeKey: 'N', backText: 'INSTANCE↑'}),
		...toggleProbe('/', ' match · ', {closeKey: 'Escape'}),
	];
}

/** va-top watching the benchmark's data tier (bench/lib/tier.mjs) as well as the containers. */
export const tierTools = ['va-top-sentinel', 'va-top-cluster'];

/** The tools, for one bench size. cli: va-top's dist/cli.js; workDir: where a run may write files; tier: the data tier. */
export function tools({cli, size, ids, workDir, pgUrl, redisUrl, dockerHost, tier = null}) {
	const project = projectName(size);
	const glancesConfig = join(workDir, `glances-${size}.conf`);
	// Debian's own configuration, with the docker plugin limited to this run's containers (the same set the
	// others watch; glances still streams stats for every container, that is how it works).
	// Without glances installed (a run of va-top alone) there is nothing to configure.
	if (existsSync('/etc/glances/glances.conf')) {
		const stock = readFileSync('/etc/glances/glances.conf', 'utf8');
		writeFileSync(glancesConfig, stock.replace(/^\[docker\]\n/m, `[docker]\nshow=${project}-${service}-.*\n`));
	}
	return [
		{
			id: 'va-top',
			label: 'va-top',
			refreshSeconds: 1,
			argv: [process.execPath, cli, '--project', project, '--service', service, '--redis', redisUrl, '--docker-host', dockerHost],
			env: {DATABASE_URL: pgUrl},
			profile: true,
			// CPU and memory both: CPU needs two readings, memory one, so memory alone is not a full row.
			rowComplete: /^\s.*?\s\d+(?:\.\d+)?%\s+\d+(?:\.\d+)?%/,
			keyProbe: vaTopKeys(project),
		},
		// As on a remote engine (ssh://, tcp://), whose cgroup files it cannot read: the API's streams, 20 at most.
		{
			id: 'va-top-api',
			label: 'va-top (API)',
			refreshSeconds: 1,
			argv: [process.execPath, cli, '--project', project, '--service', service, '--redis', redisUrl, '--docker-host', dockerHost, '--docker-stats', 'api'],
			env: {DATABASE_URL: pgUrl},
			profile: true,
			// CPU and memory both: CPU needs two readings, memory one, so memory alone is not a full row.
			rowComplete: /^\s.*?\s\d+(?:\.\d+)?%\s+\d+(?:\.\d+)?%/,
			keyProbe: vaTopKeys(project),
		},
		...(tier === null
			? []
			: [
					['va-top-sentinel', 'va-top (tier, sentinel)', ['--redis-sentinel', tier.sentinels.join(','), '--redis-master', tier.masterName]],
					['va-top-cluster', 'va-top (tier, cluster)', ['--redis-cluster', tier.clusterSeed]],
				].map(([id, label, redis]) => ({
					id,
					label,
					refreshSeconds: 1,
					argv: [process.execPath, cli, '--project', project, '--service', service, '--docker-host', dockerHost, '--pg-replicas', tier.replicas.join(','), ...redis, '--qdrant', tier.qdrantUrl],
					// Passwords by environment, as the README says.
					env: {DATABASE_URL: tier.pgUrl, REDIS_PASSWORD: tier.redisPassword, REDIS_SENTINEL_PASSWORD: tier.sentinelPassword},
					profile: true,
					rowComplete: /^\s.*?\s\d+(?:\.\d+)?%\s+\d+(?:\.\d+)?%/,
					keyProbe: vaTopKeys(project),
				}))),
		{
			id: 'docker-stats',
			label: 'docker stats',
			refreshSeconds: 0.5, // the CLI redraws on every stats message, about twice a second
			argv: ['docker', '-H', dockerHost, 'stats', ...ids],
			env: {},
			rowComplete: /^\s+\d+\.\d+%\s+\S+ \/ \S+\s+\d+\.\d+%/,
			keyProbe: null, // it reads no keys
		},
		{
			id: 'glances',
			label: 'glances',
			refreshSeconds: 1,
			argv: ['glances', '-t', '1', '-C', glancesConfig],
			env: {DOCKER_HOST: dockerHost},
			// Name, status, uptime, then CPU% (a bare 0.0) and MEM/MAX.
			rowComplete: /\s\d+\.\d+\s+\S+\/\S+/,
			keyProbe: toggleProbe('h', 'SORT PROCESSES', {backText: 'CONTAINERS'}),
		},
	];
}

/** Whether the va-top to measure is built. */
export function vaTopLiveAvailable(cli) {
	return existsSync(cli);
}
