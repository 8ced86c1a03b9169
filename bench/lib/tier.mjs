// The data tier the benchmark's tier tools watch (test/support/data-tier-bench.ts), bundled with the project's esbuild
// into the run's work directory, because the test helpers are TypeScript and the benchmark is plain Node.
import {execFileSync} from 'node:child_process';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';

export async function startTier(repo, workDir) {
	const out = join(workDir, 'data-tier-bench.mjs');
	execFileSync(join(repo, 'node_modules/.bin/esbuild'), [join(repo, 'test/support/data-tier-bench.ts'), '--bundle', '--platform=node', '--format=esm', `--outfile=${out}`, '--external:pg', '--external:ioredis', '--log-level=warning'], {cwd: repo, stdio: ['ignore', 'ignore', 'inherit']});
	// The stand-in reads its recorded answers from here once bundled.
	process.env.VA_TOP_QDRANT_FIXTURES = join(repo, 'test/fixtures/qdrant');
	// pg and ioredis resolve from the repository's node_modules: a link next to the bundle.
	execFileSync('ln', ['-sfn', join(repo, 'node_modules'), join(workDir, 'node_modules')]);
	const {startBenchTier} = await import(pathToFileURL(out).href);
	return startBenchTier();
}
