// What `npm pack` would ship: the build output, package.json, README and LICENSE, nothing of the tests, sources or
// scripts. Uses `npm pack --dry-run` (no network, no tarball); --ignore-scripts skips prepack's build, which
// `npm test` has just done. The full install-and-run check is scripts/check-package.sh (it needs the registry).
import {execFile} from 'node:child_process';
import {existsSync, readdirSync, readFileSync} from 'node:fs';
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

/** Every .ts/.tsx under dir (relative to the repo), declaration files aside. */
function sources(dir: string): string[] {
	return readdirSync(path.join(root, dir), {withFileTypes: true, recursive: true})
		.filter(entry => entry.isFile() && /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
		.map(entry => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
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

	it('holds nothing else: no tests, sources, scripts, CI files, source maps or declarations', () => {
		const outside = files.filter(file => !file.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE'].includes(file));
		expect(outside).toEqual([]);
		const forbidden = files.filter(file => /^(test|source|scripts|\.ci|bench|media|stack|node_modules)\//.test(file) || /^dist\/test\//.test(file));
		expect(forbidden).toEqual([]);
		const notJs = files.filter(file => file.startsWith('dist/') && !file.endsWith('.js'));
		expect(notJs).toEqual([]);
		expect(files.filter(file => /\.test\.js$/.test(file))).toEqual([]);
	});

	it('ships the build of every source file and no leftover build output', () => {
		const expected = ['cli.tsx', ...sources('source')].map(file => `dist/${file.replace(/\.tsx?$/, '.js')}`).sort();
		const shipped = files.filter(file => file.startsWith('dist/')).sort();
		const missing = expected.filter(file => !shipped.includes(file));
		expect(missing, 'sources whose build output would not be shipped').toEqual([]);
		// A module deleted or renamed in source/ leaves its old .js in dist/, and npm pack would ship it.
		const leftover = shipped.filter(file => !expected.includes(file));
		expect(leftover, 'stale build output in dist/ (rm -rf dist && npm run build)').toEqual([]);
	});

	it('runs as `va-top`: the bin is dist/cli.js, which starts with a node shebang', () => {
		const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {bin: Record<string, string>; scripts: Record<string, string>};
		expect(manifest.bin).toEqual({'va-top': 'dist/cli.js'});
		expect(manifest.scripts['prepack']).toBe('npm run build');
		const firstLine = readFileSync(path.join(root, 'dist/cli.js'), 'utf8').split('\n')[0];
		expect(firstLine).toBe('#!/usr/bin/env node');
	});
});
