// A real nginx (Debian's, in va-top/nginx:1) in front of real app instances (busybox httpd with a CGI script, in
// va-top/busybox:1), all on the host network on loopback ports of this project's http range (18000-18999), each
// app instance on its own port, labelled as Compose would label them. Each instance reads its behaviour from a
// file the test writes: `ok`, `slow SECONDS` (sleeps before answering) or `error` (answers 500).
// nginx logs every request in va-top's JSON log_format to stdout (the Docker logs API) and to a file, and in
// nginx's combined format to a second file.
import {execFile} from 'node:child_process';
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {logFormatLine} from '../../source/sources/http-log/parse.js';
import {docker, randomId, runLabel} from './docker-fixtures.js';
import {TEST_IMAGE, waitFor} from './services.js';

export const nginxImage = 'va-top/nginx:1';

// Shell builtins only on the fast path (read, case, printf): one exec per request, so a loaded machine still
// answers the `ok` instances quickly.
const cgiScript = `#!/bin/sh
read -r mode < /ctl/mode
case "$mode" in slow\\ *) sleep "\${mode#slow }" ;; esac
if [ "$mode" = error ]; then
	printf 'Status: 500 Internal Server Error\\r\\nContent-Type: text/plain\\r\\n\\r\\nboom\\n'
else
	printf 'Content-Type: text/plain\\r\\n\\r\\nok\\n'
fi
`;

export type AppMode = 'ok' | 'error' | `slow ${number}`;

export interface HttpStackOptions {
	/** Compose project; the containers are `${project}-app-N` and `${project}-nginx-1`. */
	project?: string;
	instances?: number;
	/** nginx listens here; app instance N on appBasePort + N. */
	nginxPort: number;
	appBasePort: number;
	modes?: AppMode[];
}

export interface HttpStack {
	project: string;
	url: string;
	nginxName: string;
	appNames: string[];
	/** va-top's JSON format, and the combined format, as files on the host. */
	jsonLog: string;
	combinedLog: string;
	setMode(instance: number, mode: AppMode): void;
	/** `nginx -s reopen` inside the container (after the test renamed the log files). */
	reopen(): Promise<void>;
	restartNginx(): Promise<void>;
	/** The access-log lines of the container's stdout, as `docker logs` prints them. */
	dockerLogLines(): Promise<string[]>;
	remove(): Promise<void>;
}

export async function ensureNginxImage(): Promise<void> {
	try {
		await docker(['image', 'inspect', nginxImage]);
	} catch {
		await promisify(execFile)('bash', [path.resolve('scripts/build-nginx-image.sh')], {timeout: 180_000});
	}
}

function nginxConf(options: {nginxPort: number; ports: number[]}): string {
	return `user root;
worker_processes 1;
pid /run/nginx.pid;
error_log stderr notice;
events { worker_connections 1024; }
http {
	${logFormatLine}
	access_log /dev/stdout vatop;
	access_log /logs/access.log vatop;
	access_log /logs/combined.log combined;
	upstream app {
${options.ports.map((port) => `		server 127.0.0.1:${port};`).join('\n')}
	}
	server {
		listen 127.0.0.1:${options.nginxPort};
		location / {
			proxy_pass http://app;
			proxy_read_timeout 30s;
			proxy_next_upstream off;
		}
	}
}
`;
}

function labels(project: string, service: string, number: number): string[] {
	return [
		`${runLabel}=${project}`,
		`com.docker.compose.project=${project}`,
		`com.docker.compose.service=${service}`,
		`com.docker.compose.container-number=${number}`,
		'com.docker.compose.oneoff=False',
	].flatMap((label) => ['--label', label]);
}

export async function startHttpStack(options: HttpStackOptions): Promise<HttpStack> {
	await ensureNginxImage();
	const project = options.project ?? `vahttp-${randomId()}`;
	const count = options.instances ?? 3;
	const dir = mkdtempSync(path.join(tmpdir(), `${project}-`));
	const www = path.join(dir, 'www');
	mkdirSync(path.join(www, 'cgi-bin'), {recursive: true});
	writeFileSync(path.join(www, 'cgi-bin', 'app'), cgiScript);
	chmodSync(path.join(www, 'cgi-bin', 'app'), 0o755);
	const logs = path.join(dir, 'logs');
	mkdirSync(logs);
	const ports = Array.from({length: count}, (_, i) => options.appBasePort + i + 1);
	const appNames: string[] = [];
	const ctl = (n: number) => path.join(dir, `ctl-${n}`);

	const setMode = (n: number, mode: AppMode) => writeFileSync(path.join(ctl(n), 'mode'), `${mode}\n`);
	for (let n = 1; n <= count; n++) {
		mkdirSync(ctl(n));
		setMode(n, options.modes?.[n - 1] ?? 'ok');
		const name = `${project}-app-${n}`;
		appNames.push(name);
		await docker([
			'run', '-d', '--name', name, '--network', 'host', '--stop-timeout', '1', '--memory', '128m',
			...labels(project, 'app', n),
			'-v', `${www}:/www:ro`, '-v', `${ctl(n)}:/ctl:ro`,
			TEST_IMAGE, 'httpd', '-f', '-p', `127.0.0.1:${ports[n - 1]}`, '-h', '/www',
		]);
	}

	const nginxName = `${project}-nginx-1`;
	const confFile = path.join(dir, 'nginx.conf');
	writeFileSync(confFile, nginxConf({nginxPort: options.nginxPort, ports}));
	await docker([
		'run', '-d', '--name', nginxName, '--network', 'host', '--stop-timeout', '2',
		...labels(project, 'nginx', 1),
		'-v', `${confFile}:/etc/nginx/nginx.conf:ro`, '-v', `${logs}:/logs`,
		nginxImage,
	]);
	const url = `http://127.0.0.1:${options.nginxPort}/cgi-bin/app`;
	await waitFor(async () => (await fetch(url)).status > 0, {timeoutMs: 20_000, intervalMs: 200, message: `nginx answering on ${url}`});

	return {
		project,
		url,
		nginxName,
		appNames,
		jsonLog: path.join(logs, 'access.log'),
		combinedLog: path.join(logs, 'combined.log'),
		setMode,
		async reopen() {
			await docker(['exec', nginxName, 'nginx', '-s', 'reopen']);
		},
		async restartNginx() {
			await docker(['restart', '-t', '2', nginxName]);
			await waitFor(async () => (await fetch(url)).status > 0, {timeoutMs: 20_000, intervalMs: 200, message: 'nginx answering after restart'});
		},
		async dockerLogLines() {
			const {stdout} = await promisify(execFile)('docker', ['logs', nginxName], {maxBuffer: 256 * 1024 * 1024});
			return stdout.split('\n').filter((line) => line.startsWith('{'));
		},
		async remove() {
			const ids = await docker(['ps', '-aq', '--filter', `label=${runLabel}=${project}`]);
			if (ids) await docker(['rm', '-f', ...ids.split('\n')]);
			rmSync(dir, {recursive: true, force: true});
		},
	};
}

/** The lines of a log file. */
export function fileLines(file: string): string[] {
	return readFileSync(file, 'utf8').split('\n').filter((line) => line !== '');
}
