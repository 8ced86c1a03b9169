// What `npm pack` would ship: package.json, README, LICENSE and the bundle (scripts/bundle.mjs): dist/cli.js and the
// files it loads, nothing of the tests, sources, scripts or tsc's dist/source. Uses `npm pack --dry-run` (no
// network, no tarball); --ignore-scripts skips prepack's build, which `npm test` has just done. The full
// install-and-run check is scripts/check-package.sh (it needs the registry).
import {execFile} from 'node:child_process';
import {cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {beforeAll, describe, expect, it} from 'vitest';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface PackResult {
	name: string;
	version: string;
	entryCount: number;
	files: {path: string; mode: number; size: number}[];
}

/** dist/cli.js and every file it loads, directly or not: the "./name.js" and "./name.cjs" it names. */
function bundleClosure(): string[] {
	const seen = new Set<string>();
	const queue = ['dist/cli.js'];
	while (queue.length > 0) {
		const file = queue.shift()!;
		if (seen.has(file)) continue;
		seen.add(file);
		const code = readFileSync(path.join(root, file), 'utf8');
		for (const match of code.matchAll(/["']\.\/([\w.-]+\.c?js)["']/g)) queue.push(`dist/${match[1]}`);
	}
	return [...seen];
}

describe('the npm package', () => {
	let pack: PackResult;
	let files: string[];

	beforeAll(async () => {
		if (!existsSync(path.join(root, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first (npm test does)');
		const {stdout} = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {cwd: root, timeout: 30_000});
		[pack] = JSON.parse(stdout) as PackResult[];
		files = pack.files.map(file => file.path);
	});

	it('holds the program, package.json, README and LICENSE', () => {
		expect(pack.name).toBe('va-top');
		expect(files).toContain('dist/cli.js');
		expect(files).toContain('package.json');
		expect(files).toContain('README.md');
		expect(files).toContain('LICENSE');
		expect(pack.entryCount).toBe(files.length);
	});

	it('holds nothing else: no tests, sources, scripts, tsc output, source maps or declarations', () => {
		const outside = files.filter(file => !file.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE'].includes(file));
		expect(outside).toEqual([]);
		const forbidden = files.filter(file => /^(test|source|scripts|\.ci|bench|media|stack|node_modules)\//.test(file) || /^dist\/.*\//.test(file));
		expect(forbidden).toEqual([]);
		const notJs = files.filter(file => file.startsWith('dist/') && !/\.c?js$/.test(file));
		expect(notJs).toEqual(['dist/third-party-licenses.txt']);
	});

	it('ships exactly the bundle: dist/cli.js and the files it loads, no leftover chunk of an older build', () => {
		const closure = bundleClosure();
		const shipped = files.filter(file => /^dist\/.*\.c?js$/.test(file)).sort();
		expect(shipped, 'stale or missing bundle files (npm run build clears them)').toEqual(closure.sort());
		// The deferred parts of dockerode (ssh2, gRPC) are there, to be loaded on first use only.
		expect(shipped).toContain('dist/docker-ssh.cjs');
		expect(shipped).toContain('dist/docker-session.cjs');
	});

	it('ships the licences of the packages whose code the bundle holds', () => {
		const notices = readFileSync(path.join(root, 'dist/third-party-licenses.txt'), 'utf8');
		for (const name of ['react', 'ink', 'yoga-layout', 'dockerode', 'ssh2', 'pg', 'ioredis', 'meow']) {
			expect(notices, name).toMatch(new RegExp(`^${name} \\d+\\.\\d+\\.\\d+ \\(`, 'm'));
		}

		expect(notices).toContain('Permission is hereby granted, free of charge');
	});

	it('the shipped files alone run, without node_modules: --version, and a one-shot check through Docker over ssh, PostgreSQL and Redis', async () => {
		// Nothing listens on port 1: each source must fail with its own reason, which needs its client (ssh2 loaded
		// on first use from docker-ssh.cjs, pg, ioredis) to be in the bundle.
		const dir = mkdtempSync(path.join(tmpdir(), 'va-top-bundle-'));
		try {
			for (const file of [...files, 'package.json']) cpSync(path.join(root, file), path.join(dir, file));
			const cli = path.join(dir, 'dist/cli.js');
			const env = {PATH: process.env['PATH'] ?? '', HOME: dir};
			const version = await run(process.execPath, [cli, '--version'], {cwd: dir, env});
			expect(version.stdout.trim()).toBe(pack.version);
			const once = await run(process.execPath, [cli, '--once', '--json', '--docker-host', 'ssh://nobody@127.0.0.1:1', '--pg', 'postgres://nobody@127.0.0.1:1/none', '--redis', 'redis://127.0.0.1:1'], {cwd: dir, env, timeout: 20_000}).catch((error: {stdout?: string}) => error);
			const report = JSON.parse(once.stdout ?? '') as {docker: {error: string}; postgres: {error: string}; redis: {error: string}};
			expect(report.docker.error).toBe('connection refused at ssh://nobody@127.0.0.1:1');
			expect(report.postgres.error).toBe('connection refused at 127.0.0.1:1');
			expect(report.redis.error).toBe('connection refused at 127.0.0.1:1');
		} finally {
			rmSync(dir, {recursive: true, force: true});
		}
	});

	it('a one-shot check on a unix socket loads neither ssh2 (docker-ssh.cjs) nor Node’s undici (pg’s Cloudflare probe)', async () => {
		// Both cost first-paint time and memory for nothing on a local engine (scripts/bundle.mjs says how much).
		const dir = mkdtempSync(path.join(tmpdir(), 'va-top-loads-'));
		try {
			const probe = path.join(dir, 'probe.mjs');
			const out = path.join(dir, 'loaded.json');
			writeFileSync(probe, [
				"import {createRequire} from 'node:module';",
				"import {writeFileSync} from 'node:fs';",
				'const cache = createRequire(import.meta.url).cache;',
				`process.on('exit', () => writeFileSync(${JSON.stringify(out)}, JSON.stringify({builtins: process.moduleLoadList, required: Object.keys(cache)})));`,
			].join('\n'));
			const args = ['--import', probe, path.join(root, 'dist/cli.js'), '--once', '--json', '--docker-host', `unix://${path.join(dir, 'no-docker.sock')}`, '--pg', 'postgres://nobody@127.0.0.1:1/none', '--redis', 'redis://127.0.0.1:1'];
			const once = await run(process.execPath, args, {cwd: dir, timeout: 20_000}).catch((error: {stdout?: string}) => error);
			const report = JSON.parse(once.stdout ?? '') as {postgres: {error: string}};
			expect(report.postgres.error).toBe('connection refused at 127.0.0.1:1');
			const loaded = JSON.parse(readFileSync(out, 'utf8')) as {builtins: string[]; required: string[]};
			expect(loaded.builtins.filter(name => name.includes('undici'))).toEqual([]);
			expect(loaded.required.filter(file => /docker-(ssh|session)\.cjs$/.test(file))).toEqual([]);
		} finally {
			rmSync(dir, {recursive: true, force: true});
		}
	});

	it('runs as `va-top`: the bin is dist/cli.js, which starts with a plain node shebang', () => {
		const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {bin: Record<string, string>; scripts: Record<string, string>};
		expect(manifest.bin).toEqual({'va-top': 'dist/cli.js'});
		expect(manifest.scripts['prepack']).toBe('npm run build');
		const firstLine = readFileSync(path.join(root, 'dist/cli.js'), 'utf8').split('\n')[0];
		expect(firstLine).toBe('#!/usr/bin/env node');
	});
});
