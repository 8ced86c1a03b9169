// Shared by the autoscaler's integration tests: a service of app instances (busybox httpd with a health check, the
// Compose labels, network none) whose CPU the test burns and cools with real busy loops inside them, PostgreSQL
// connections of the test's own held open, and the project's nginx as the runbook configures it.
//
// CPU: three instances over the runbook's 70 % would need more cores than this 2-core machine has, and on a machine
// shared with other work every container together gets one cgroup's weight against all other processes. So the
// instances run capped at 0.3 of a core each (--cpus) in a cgroup of the test's own with a high CPU weight (removed
// after), so a burning instance does read ~30 %; and each test first measures what its instances read burning and
// idle (calibrate) and sets --scale-up-at and --scale-down-at between those figures. The policy's thresholds are
// flags; its logic is the same at any value.
import {execFile} from 'node:child_process';
import {existsSync, mkdirSync, rmdirSync, readdirSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {promisify} from 'node:util';
import pg from 'pg';
import {runLabel} from '../support/docker-fixtures.js';
import {PG_ADMIN_URL, waitFor} from '../support/services.js';
import {docker, listService, runApp, waitHealthy} from './actions-fixtures.js';

/** The cgroup (under each controller's root) the test's instances run in; va-top's new instances inherit it. */
export function cgroupParent(project: string): string {
	return `/${project}`;
}

/** Gives the test's cgroup a high CPU weight (v1 cpu.shares, v2 cpu.weight); false when the machine does not let it. */
function boost(parent: string): boolean {
	try {
		if (existsSync(`/sys/fs/cgroup/cpu${parent}`)) writeFileSync(`/sys/fs/cgroup/cpu${parent}/cpu.shares`, '32768');
		else if (existsSync(`/sys/fs/cgroup${parent}/cpu.weight`)) writeFileSync(`/sys/fs/cgroup${parent}/cpu.weight`, '10000');
		else return false;
		return true;
	} catch {
		return false;
	}
}

/** Removes the test's cgroup once its containers are gone (docker leaves a --cgroup-parent behind). */
export function removeCgroup(project: string): void {
	const parent = cgroupParent(project);
	const candidates = existsSync('/sys/fs/cgroup/cpu') ? readdirSync('/sys/fs/cgroup').map(controller => `/sys/fs/cgroup/${controller}${parent}`) : [`/sys/fs/cgroup${parent}`];
	for (const dir of candidates) {
		try {
			rmdirSync(dir);
		} catch {
			// Not there in that controller.
		}
	}
}

/**
 * Instances 1..count of the service, running and healthy: made when missing (a test before may have scaled one
 * away), and any other instance of the service removed.
 */
export async function startService(project: string, service: string, count: number): Promise<string[]> {
	const names = Array.from({length: count}, (_, index) => `${project}-${service}-${index + 1}`);
	const listed = await listService(project, service);
	const unwanted = listed.filter(entry => !names.includes(entry.name) || entry.state !== 'running').map(entry => entry.name);
	if (unwanted.length > 0) await docker(['rm', '-f', ...unwanted]);
	const present = new Set(listed.filter(entry => !unwanted.includes(entry.name)).map(entry => entry.name));
	// A health check every 3 s, not every second: its wget is most of an idle instance's CPU on a busy machine.
	const options = ['--health-interval', '3s', '--cpus', '0.3', '--cgroup-parent', cgroupParent(project)];
	await Promise.all(names.map(async (name, index) => (present.has(name) ? undefined : runApp({project, service, number: index + 1, options}))));
	boost(cgroupParent(project));
	await waitHealthy(names);
	return names;
}

/** The service average CPU % as `docker stats` reads it (the figures va-top reads too), over two readings. */
export async function averageCpu(names: readonly string[]): Promise<number> {
	let sum = 0;
	for (let i = 0; i < 2; i++) {
		const out = await docker(['stats', '--no-stream', '--format', '{{.CPUPerc}}', ...names], 60_000);
		const values = out.split('\n').map(value => Number.parseFloat(value));
		sum += values.reduce((a, b) => a + b, 0) / values.length;
	}

	return sum / 2;
}

export interface Calibration {
	burning: number;
	idle: number;
	scaleUpAt: number;
	scaleDownAt: number;
	/** `--scale-up-at X --scale-down-at Y` as arguments. */
	args: string[];
}

/**
 * What these instances read burning and idle now, and thresholds between: up at half the burning average (a fourth,
 * idle instance still leaves three quarters of it), down at a quarter of up and over twice the idle noise.
 */
export async function calibrate(names: readonly string[]): Promise<Calibration> {
	await Promise.all(names.map(burn));
	await new Promise(resolve => setTimeout(resolve, 1500));
	const burning = await averageCpu(names);
	await Promise.all(names.map(cool));
	const scaleUpAt = Math.round(burning * 5) / 10;
	const scaleDownAt = Math.round((scaleUpAt / 4) * 10) / 10;
	// The readings just after cover part of the burning: let a few seconds pass, and look again (the lowest reading
	// counts) while the tail of the burn still shows, up to four times.
	let idle = Number.POSITIVE_INFINITY;
	for (let look = 0; look < 4 && !(scaleDownAt > idle * 2); look++) {
		await new Promise(resolve => setTimeout(resolve, look === 0 ? 4000 : 3000));
		idle = Math.min(idle, await averageCpu(names));
	}

	if (!(scaleDownAt > idle * 2 && scaleDownAt >= 1)) {
		throw new Error(`the machine is too busy to tell burning (${burning.toFixed(1)} %) from idle (${idle.toFixed(1)} %) instances apart`);
	}

	return {burning, idle, scaleUpAt, scaleDownAt, args: ['--scale-up-at', String(scaleUpAt), '--scale-down-at', String(scaleDownAt)]};
}

/** Running instances of the service, by name, in container-number order. */
export async function runningNames(project: string, service: string): Promise<string[]> {
	return (await listService(project, service)).filter(entry => entry.state === 'running').map(entry => entry.name);
}

/**
 * A busy loop inside the instance, tagged so cool() ends exactly it (as scripts/stack-up.sh --hot does). One is
 * enough to use the 0.3 of a core the instance may have, and leaves httpd its turn for the health check.
 */
export async function burn(name: string): Promise<void> {
	await docker(['exec', '-d', name, 'sh', '-c', 'while :; do :; done', 'va-hot']);
}

/** A load that swings inside the instance itself: busy for `on` seconds, idle for `off`, again and again. */
export async function oscillate(name: string, on: number, off: number): Promise<void> {
	const script = `while :; do end=$(($(date +%s) + ${on})); while [ $(date +%s) -lt $end ]; do :; done; sleep ${off}; done`;
	await docker(['exec', '-d', name, 'sh', '-c', script, 'va-hot']);
}

/** Ends the instance's busy loops; an instance that no longer runs has none. */
export async function cool(name: string): Promise<void> {
	try {
		await docker(['exec', name, 'sh', '-c', 'for pid in $(ps -o pid,args | grep "[v]a-hot$" | awk "{print \\$1}"); do kill $pid; done; true']);
	} catch (error) {
		if (!/is not running|No such container/.test(String(error))) throw error;
	}
}

/** Connections of the test's own to PostgreSQL (as the superuser, so they may use the reserved slots), held until released. */
export async function holdPostgres(count: number): Promise<{clients: pg.Client[]; release(): Promise<void>}> {
	const clients: pg.Client[] = [];
	const release = async () => {
		await Promise.all(clients.splice(0).map(async client => client.end().catch(() => undefined)));
	};

	try {
		for (let i = 0; i < count; i++) {
			const client = new pg.Client({connectionString: PG_ADMIN_URL, application_name: 'va-top-autoscale-test'});
			client.on('error', () => undefined);
			await client.connect();
			clients.push(client);
		}
	} catch (error) {
		await release();
		throw error;
	}

	return {clients, release};
}

/** Client backends PostgreSQL counts now (what va-top reads as connections). */
export async function pgConnections(): Promise<{connections: number; max: number}> {
	const client = new pg.Client({connectionString: PG_ADMIN_URL});
	await client.connect();
	try {
		const {rows} = await client.query<{connections: number; max: number}>("SELECT count(*) FILTER (WHERE backend_type = 'client backend')::int AS connections, current_setting('max_connections')::int AS max FROM pg_stat_activity");
		// This reading's own connection is not one of them once it closes.
		return {connections: rows[0]!.connections - 1, max: rows[0]!.max};
	} finally {
		await client.end();
	}
}

// ---- the project's nginx, as in actions-nginx.test.ts ----------------------------------------------------------

export const nginxImage = 'va-top/nginx:1';

export function upstreamFor(service: string, count: number): string {
	const servers = Array.from({length: count}, (_, index) => `    server ${service}-${index + 1}:8000 max_fails=3 fail_timeout=30s;\n`).join('');
	return `upstream voiceassist_backend {\n    least_conn;\n${servers}    keepalive 32;\n}\n`;
}

const nginxConf = `user root;
worker_processes 1;
pid /run/nginx.pid;
error_log stderr notice;
events { worker_connections 64; }
http {
	access_log off;
	include /etc/nginx/conf.d/*.conf;
	server {
		listen 127.0.0.1:18080;
		location / { proxy_pass http://voiceassist_backend; }
	}
}
`;

export async function ensureNginxImage(): Promise<void> {
	try {
		await docker(['image', 'inspect', nginxImage]);
	} catch {
		await promisify(execFile)('bash', [path.resolve('scripts/build-nginx-image.sh')], {timeout: 120_000});
	}
}

/** The project's `nginx` service (network none); its upstream file is bind-mounted from `dir` and returned. */
export async function startNginx(project: string, service: string, count: number, dir: string): Promise<{name: string; upstreamFile: string}> {
	const name = `${project}-nginx-1`;
	const config = path.join(dir, 'nginx');
	mkdirSync(path.join(config, 'conf.d'), {recursive: true});
	writeFileSync(path.join(config, 'nginx.conf'), nginxConf);
	symlinkSync('../upstreams/app.conf', path.join(config, 'conf.d', 'app.conf'));
	const upstreamFile = path.join(dir, 'upstream.conf');
	writeFileSync(upstreamFile, upstreamFor(service, count));
	const labels = [`${runLabel}=${project}`, `com.docker.compose.project=${project}`, 'com.docker.compose.service=nginx', 'com.docker.compose.container-number=1', 'com.docker.compose.oneoff=False'];
	const args = ['create', '--name', name, '--network', 'none', '-v', `${upstreamFile}:/etc/nginx/upstreams/app.conf`];
	for (const label of labels) args.push('--label', label);
	for (let n = 1; n <= count; n++) args.push('--add-host', `${service}-${n}:127.0.0.1`);
	await docker([...args, nginxImage]);
	await docker(['cp', `${config}/.`, `${name}:/etc/nginx/`]);
	await docker(['start', name]);
	await waitFor(async () => (await docker(['exec', name, 'ps', '-o', 'args'])).includes('nginx: worker process'), {timeoutMs: 10_000, message: 'nginx worker running'});
	return {name, upstreamFile};
}
