// The program as shipped: cli.tsx and its dependencies bundled by esbuild into dist/cli.js and a few chunks beside
// it (the live screen, the data sources and the one-shot report load only when needed, so --help and bad input
// stay quick), minified, with React's production build only. `npm run build` runs it after tsc, whose output in
// dist/source/ is for the tests and is not shipped.
//
// Why, measured at 50 idle containers in a 120x40 pane against tsc's output loaded module by module: first paint
// ~1.0 s -> ~0.35 s (module loading 0.5 s -> 0.15 s: about 600 modules resolved, read and compiled one by one, and
// React's development reconciler read too, as Node's ESM loader scans both branches of its index.js), and RSS at
// one minute 176 -> 132 MB (no gRPC, protobufjs or ssh2 loaded; no module records; minified sources, which V8
// keeps in memory for lazy compilation).
//
// usage: node scripts/bundle.mjs [--analyze]
import {chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {readFile} from 'node:fs/promises';
import {createRequire} from 'node:module';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const require = createRequire(import.meta.url);

/**
 * Required by dockerode at load time, used only for an ssh:// Docker host (ssh2, its crypto, a 16 MB WASM memory
 * and two native addons) and for BuildKit sessions (gRPC and protobufjs; va-top never opens one, and their .proto
 * files are not shipped): built apart as CommonJS files and required on first call, so a run that needs neither
 * never loads them.
 */
const dockerodeLib = path.dirname(require.resolve('dockerode/lib/docker.js'));
const dockerModemLib = path.dirname(createRequire(path.join(dockerodeLib, 'docker.js')).resolve('docker-modem/lib/modem.js'));
const deferred = [
	{importer: path.join(dockerModemLib, 'modem.js'), request: './ssh', file: path.join(dockerModemLib, 'ssh.js'), out: 'docker-ssh.cjs'},
	{importer: path.join(dockerodeLib, 'docker.js'), request: './session', file: path.join(dockerodeLib, 'session.js'), out: 'docker-session.cjs'},
];

const deferPlugin = {
	name: 'defer-require',
	setup(build) {
		build.onResolve({filter: /^\.\/(ssh|session)$/}, args => {
			const entry = deferred.find(candidate => candidate.importer === args.importer && candidate.request === args.path);
			return entry ? {path: entry.out, namespace: 'deferred'} : undefined;
		});
		build.onResolve({filter: /^\.\/docker-(ssh|session)\.cjs$/}, args => ({path: args.path, external: true}));
		build.onLoad({filter: /.*/, namespace: 'deferred'}, args => {
			const entry = deferred.find(candidate => candidate.out === args.path);
			entry.used = true;
			// Both export a single function. The file sits beside every chunk, and `require` is the chunk's own.
			return {contents: `module.exports = function () { return require('./${entry.out}').apply(this, arguments); };`, loader: 'js'};
		});
	},
};

/**
 * Edits of dependencies' code, each for a measured cost; the build fails if the text is gone (a new version), so
 * that the edit is looked at again rather than silently lost.
 */
const edits = [
	{
		// pg tells Cloudflare Workers from Node by constructing a `Response`; on Node 20 (no `navigator`) that
		// loads Node's built-in undici (~40 ms and ~10 MB of RSS when it is the first to), for an answer that is
		// always "not Cloudflare" in a terminal program.
		file: require.resolve('pg/lib/stream.js'),
		find: "if (typeof Response === 'function') {",
		replace: 'if (false) {',
	},
	{
		// Yoga's Emscripten loader reads its WASM, inlined as a base64 data: URL, with fetch() whenever fetch exists,
		// which on Node loads undici to decode the URL; its own synchronous base64 decoder is what it falls back to.
		file: path.join(path.dirname(createRequire(require.resolve('ink')).resolve('yoga-layout/load')), '../binaries/yoga-wasm-base64-esm.js'),
		find: 'function ya(){return w||"function"!=typeof fetch?',
		replace: 'function ya(){return true?',
	},
];

// docker-modem formats every request with util.inspect (showHidden, unlimited depth) for a debug line that is off
// unless DEBUG=modem: most of a request's own CPU. Asked only when that line is on.
edits.push({
	file: path.join(dockerModemLib, 'modem.js'),
	find: "debug('Sending: %s', util.inspect(options, {",
	replace: "debug.enabled && debug('Sending: %s', util.inspect(options, {",
});

const editPlugin = {
	name: 'edit-dependencies',
	setup(build) {
		for (const edit of edits) {
			build.onLoad({filter: new RegExp(`${edit.file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`)}, async args => {
				const code = await readFile(args.path, 'utf8');
				if (!code.includes(edit.find)) throw new Error(`bundle: ${path.relative(root, edit.file)} no longer has "${edit.find}": update scripts/bundle.mjs`);
				edit.used = true;
				return {contents: code.replace(edit.find, edit.replace), loader: 'js'};
			});
		}
	},
};

// ESM output: CommonJS dependencies need require, __filename and __dirname, which ES modules do not have.
const banner = [
	"import {createRequire as __vaTopCreateRequire} from 'node:module';",
	"import {fileURLToPath as __vaTopFileURLToPath} from 'node:url';",
	"import {dirname as __vaTopDirname} from 'node:path';",
	'const require = __vaTopCreateRequire(import.meta.url);',
	'const __filename = __vaTopFileURLToPath(import.meta.url);',
	'const __dirname = __vaTopDirname(__filename);',
].join('\n');

const common = {
	bundle: true,
	platform: 'node',
	target: 'node20',
	minify: !process.env.VA_TOP_BUNDLE_PLAIN,
	legalComments: 'none',
	logLevel: 'warning',
	// Optional native addons (ssh2's, cpu-features) stay out: ssh2 falls back to its JavaScript crypto.
	// react-devtools-core: Ink imports it only with DEV=true, and it is not installed.
	external: ['*.node', 'react-devtools-core'],
	define: {'process.env.NODE_ENV': '"production"'},
};

// Old chunks have other names: clear the bundle's files (tsc's dist/source stays).
mkdirSync(dist, {recursive: true});
for (const name of readdirSync(dist, {withFileTypes: true})) {
	if (name.isFile() && /\.(c?js|map|txt)$/.test(name.name)) rmSync(path.join(dist, name.name));
}

/** Each bundled package once (name, version, licence and its licence file's text), sorted by name. */
function thirdPartyLicenses(metafiles) {
	const roots = new Set();
	for (const metafile of metafiles) {
		for (const input of Object.keys(metafile.inputs)) {
			// The innermost node_modules/<name> or node_modules/@scope/<name> of the input's path.
			const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(path.resolve(root, input.replace(/^[a-z-]+:/, '')).split(path.sep).join('/'));
			if (match) roots.add(match[1]);
		}
	}

	const sections = [];
	for (const dir of roots) {
		const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
		const licenceFile = readdirSync(dir).find(name => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(name));
		const text = licenceFile ? readFileSync(path.join(dir, licenceFile), 'utf8').trim() : `(no licence file in the package; package.json says: ${manifest.license ?? 'nothing'})`;
		sections.push({name: manifest.name, text: `${manifest.name} ${manifest.version} (${manifest.license ?? 'no licence field'})\n\n${text}\n`});
	}

	sections.sort((a, b) => a.name.localeCompare(b.name));
	const header = `va-top's bundle (dist/*.js, dist/*.cjs) contains code of these ${sections.length} packages, under these licences.\n`;
	return [header, ...sections.map(section => section.text)].join(`\n${'-'.repeat(78)}\n\n`);
}

const main = await esbuild.build({
	...common,
	// The history store's loader thread (source/record/load-in-background.ts finds it beside the chunks).
	entryPoints: {cli: path.join(root, 'cli.tsx'), 'history-worker': path.join(root, 'source/record/history-worker.ts')},
	outdir: dist,
	format: 'esm',
	splitting: true,
	chunkNames: '[name]-[hash]',
	banner: {js: banner},
	plugins: [deferPlugin, editPlugin],
	metafile: true,
});
for (const entry of deferred) {
	if (!entry.used) throw new Error(`bundle: ${path.relative(root, entry.importer)} no longer requires ${entry.request}: update scripts/bundle.mjs`);
}

for (const edit of edits) {
	if (!edit.used) throw new Error(`bundle: ${path.relative(root, edit.file)} is no longer in the bundle: update scripts/bundle.mjs`);
}

const deferredBuild = await esbuild.build({
	...common,
	entryPoints: Object.fromEntries(deferred.map(entry => [entry.out.replace(/\.cjs$/, ''), entry.file])),
	outdir: dist,
	outExtension: {'.js': '.cjs'},
	format: 'cjs',
	metafile: true,
});

// The bundle holds other packages' code without their files: their licences go beside it (most ask for their
// notice to travel with copies; esbuild keeps only /*! or @license comments, and those are dropped above to keep
// them out of memory).
writeFileSync(path.join(dist, 'third-party-licenses.txt'), thirdPartyLicenses([main.metafile, deferredBuild.metafile]));

chmodSync(path.join(dist, 'cli.js'), 0o755);
const files = readdirSync(dist).filter(name => /\.c?js$/.test(name));
const bytes = files.reduce((sum, name) => sum + statSync(path.join(dist, name)).size, 0);
if (process.argv.includes('--analyze')) console.log(await esbuild.analyzeMetafile(main.metafile));
// Quiet under `npm run build --silent` (npm run demo), whose next line is the full screen.
if (process.env['npm_config_loglevel'] !== 'silent') console.log(`bundle: ${files.length} files, ${(bytes / 1024).toFixed(0)} KiB in dist/`);
