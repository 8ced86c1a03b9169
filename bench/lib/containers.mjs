// The benchmark's app containers: made and removed through the Docker API on the local socket (faster
// than one docker CLI process each), labelled like Compose so va-top finds them, network none.
import http from 'node:http';

let socketPath = '/var/run/docker.sock';

/** Which engine the benchmark's containers live on (the private one of bench/engine.sh, or the main one). */
export function useDockerSocket(path) {
	socketPath = path;
}
export const benchLabel = 'va-top.bench';
export const image = 'va-top/busybox:1';
export const service = 'app';

function request(method, path, body) {
	return new Promise((resolve, reject) => {
		const payload = body === undefined ? undefined : JSON.stringify(body);
		const req = http.request(
			{socketPath, method, path, headers: payload ? {'content-type': 'application/json', 'content-length': Buffer.byteLength(payload)} : {}, timeout: 120_000},
			response => {
				let text = '';
				response.setEncoding('utf8');
				response.on('data', chunk => {
					text += chunk;
				});
				response.on('end', () => resolve({status: response.statusCode ?? 0, text}));
			},
		);
		req.on('timeout', () => req.destroy(new Error(`docker ${method} ${path}: no answer in 120 s`)));
		req.on('error', reject);
		req.end(payload);
	});
}

async function api(method, path, body) {
	const {status, text} = await request(method, path, body);
	if (status >= 300) throw new Error(`docker ${method} ${path}: HTTP ${status} ${text.trim().slice(0, 200)}`);
	return text ? JSON.parse(text) : null;
}

/** Runs fn over items with at most `limit` at once. */
async function pool(items, limit, fn) {
	const results = [];
	let next = 0;
	const worker = async () => {
		while (next < items.length) {
			const index = next++;
			results[index] = await fn(items[index], index);
		}
	};
	await Promise.all(Array.from({length: Math.min(limit, items.length)}, worker));
	return results;
}

export const projectName = size => `bench-${size}`;
export const containerName = (size, number) => `${projectName(size)}-${service}-${number}`;

// A light, jittered loop: about 5 % of a core each, so the numbers on screen keep changing.
const busyScript = 'n=$((RANDOM % 1500 + 1500)); while :; do i=0; while [ $i -lt $n ]; do i=$((i+1)); done; usleep 100000; done';
const idleScript = 'mkdir -p /www; echo ok > /www/index.html; exec httpd -f -p 127.0.0.1:8000 -h /www';

/** How many containers of N burn CPU in the busy variant: one in five, at most 10 (2 cores must stay usable). */
export const busyCount = size => Math.min(10, Math.ceil(size / 5));

/**
 * Makes and starts `size` containers for project bench-SIZE, service app. Busy variant: the first
 * busyCount(size) of them run the busy loop (as well as being app-like). Returns [{id, name, number}].
 */
export async function createContainers(size, variant, {concurrency = 8} = {}) {
	const busy = variant === 'busy' ? busyCount(size) : 0;
	const numbers = Array.from({length: size}, (_, index) => index + 1);
	return pool(numbers, concurrency, async number => {
		const name = containerName(size, number);
		const script = number <= busy ? `${busyScript} & ${idleScript}` : idleScript;
		const created = await api('POST', `/containers/create?name=${encodeURIComponent(name)}`, {
			Image: image,
			Cmd: ['/bin/sh', '-c', script],
			Labels: {
				[benchLabel]: '1',
				'com.docker.compose.project': projectName(size),
				'com.docker.compose.service': service,
				'com.docker.compose.container-number': String(number),
				'com.docker.compose.oneoff': 'False',
				'com.docker.compose.version': 'va-top-bench',
			},
			StopTimeout: 1,
			HostConfig: {NetworkMode: 'none', Memory: 64 * 1024 * 1024},
		});
		await api('POST', `/containers/${created.Id}/start`);
		return {id: created.Id, name, number};
	});
}

/** Every container this benchmark made (by its label), running or not. */
export async function listBenchContainers() {
	const filters = encodeURIComponent(JSON.stringify({label: [`${benchLabel}=1`]}));
	return api('GET', `/containers/json?all=1&filters=${filters}`);
}

export async function countRunning(ids) {
	const filters = encodeURIComponent(JSON.stringify({label: [`${benchLabel}=1`], status: ['running']}));
	const running = new Set((await api('GET', `/containers/json?filters=${filters}`)).map(container => container.Id));
	return ids.filter(id => running.has(id)).length;
}

/** Removes every container that carries the benchmark's label (force: kills it first). */
export async function removeBenchContainers({concurrency = 8} = {}) {
	const containers = await listBenchContainers();
	await pool(containers, concurrency, async container => {
		const {status, text} = await request('DELETE', `/containers/${container.Id}?force=1&v=1`);
		if (status >= 300 && status !== 404) throw new Error(`docker rm ${container.Id.slice(0, 12)}: HTTP ${status} ${text.trim()}`);
	});
	return containers.length;
}

export async function dockerVersion() {
	const version = await api('GET', '/version');
	const info = await api('GET', '/info');
	return {
		version: version.Version,
		apiVersion: version.ApiVersion,
		storageDriver: info.Driver,
		cgroupVersion: info.CgroupVersion,
		containersRunning: info.ContainersRunning,
	};
}

/**
 * Counts the engine's events about anything but this benchmark's containers while it runs (other users of
 * the engine: their containers, execs, health checks), since they cost the engine too and blur its figures.
 * Returns {stop(): {foreign, foreignLifecycle}}.
 */
export function watchForeignEvents() {
	const counts = {foreign: 0, foreignLifecycle: 0};
	let buffer = '';
	const req = http.get({socketPath, path: `/events?since=${Math.floor(Date.now() / 1000)}`}, response => {
		response.setEncoding('utf8');
		response.on('data', chunk => {
			buffer += chunk;
			let newline;
			while ((newline = buffer.indexOf('\n')) >= 0) {
				const line = buffer.slice(0, newline);
				buffer = buffer.slice(newline + 1);
				let event;
				try {
					event = JSON.parse(line);
				} catch {
					continue;
				}
				if (event.Actor?.Attributes?.[benchLabel] === '1') continue;
				counts.foreign++;
				const action = String(event.Action ?? '').split(':')[0];
				if (!action.startsWith('exec_') && !action.startsWith('health_status')) counts.foreignLifecycle++;
			}
		});
		response.on('error', () => {});
	});
	req.on('error', () => {});
	return {
		stop() {
			req.destroy();
			return {...counts};
		},
	};
}
