#!/usr/bin/env node
// Runs the fault suite (test/faults) and writes its figures to docs/reliability.md.
//   npm run faults:report                      build, run the suite, write the page (exit code: the suite's)
//   node scripts/faults-report.mjs --from DIR  only write the page from the results in DIR (default test/faults/.results)
// Every fault test writes one JSON file of what it checked and measured (test/faults/support/results.ts); this turns
// them into tables. VA_TOP_SLOW_FAULTS and VA_TOP_REAL_DAEMON_FAULTS pass through to the suite.
import {spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import {cpus, tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const page = path.join(root, 'docs/reliability.md');
const args = process.argv.slice(2);
const fromIndex = args.indexOf('--from');

let dir;
let code = 0;
let elapsedMs = null;
if (fromIndex !== -1) {
	dir = path.resolve(args[fromIndex + 1] ?? path.join(root, 'test/faults/.results'));
} else {
	// A fresh directory: a result left from an older run must not show up as this run's.
	dir = path.join(tmpdir(), `va-top-faults-${process.pid}`);
	rmSync(dir, {recursive: true, force: true});
	mkdirSync(dir, {recursive: true});
	const started = Date.now();
	const run = spawnSync(path.join(root, 'node_modules/.bin/vitest'), ['run', 'test/faults'], {
		cwd: root,
		stdio: 'inherit',
		env: {...process.env, VA_TOP_FAULT_RESULTS: dir},
	});
	elapsedMs = Date.now() - started;
	code = run.status ?? 1;
}

if (!existsSync(dir)) {
	process.stderr.write(`faults-report: no results in ${dir} (run the suite first)\n`);
	process.exit(1);
}

const records = readdirSync(dir)
	.filter(name => name.endsWith('.json'))
	.map(name => JSON.parse(readFileSync(path.join(dir, name), 'utf8')))
	.sort((a, b) => a.order - b.order);
const byGroup = group => records.filter(record => record.group === group);

const cell = text => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const verdict = (record, yes) => (record.skipped ? 'not run' : record.survived ? yes : '**NO**');
const figures = record => cell(record.skipped ? record.skipped : record.survived ? record.figures.join('; ') : `${record.figures.join('; ')}${record.figures.length > 0 ? '; ' : ''}failed: ${record.error ?? ''}`);
const title = record => cell(record.title) + (record.slow ? ' *(slow)*' : '');

const faults = byGroup('fault');
const inputs = byGroup('bad-input');
const security = byGroup('security');
const ran = records.filter(record => !record.skipped);
const held = ran.filter(record => record.survived);
const triedInputs = inputs.filter(record => !record.skipped).reduce((sum, record) => sum + (record.tried ?? 0), 0);
const newest = records.map(record => record.at).sort().at(-1) ?? new Date().toISOString();

const lines = [
	'# Reliability',
	'',
	'<!-- Written by `npm run faults:report` (scripts/faults-report.mjs) from the results of test/faults; edit those, not this. -->',
	'',
	'The fault suite (`test/faults/`) runs the built `va-top` in a real terminal (a tmux pane) against the real Docker',
	'engine, PostgreSQL and Redis, does something bad to it, and checks what the screen shows and what the program',
	'does. It is part of `npm test` (so of `bash .ci/run`); `npm run faults:report` runs it alone and rewrites this page',
	'with the figures it measured.',
	'',
	`Last run: ${newest.slice(0, 16).replace('T', ' ')} UTC, Node.js ${process.version}, ${cpus().length} cores` +
		(elapsedMs === null ? '' : `, the suite took ${(elapsedMs / 1000).toFixed(0)} s`) +
		`. ${held.length} of ${ran.length} checks held` +
		(triedInputs > 0 ? `; ${triedInputs.toLocaleString('en-US')} bad inputs tried.` : '.'),
	'',
	'How the faults are made without disturbing anyone else on the machine: the Docker daemon "stops" and "hangs"',
	'behind a unix-socket proxy in front of the real socket (closed: the daemon is gone; pipes paused: it stopped',
	'answering, as with SIGSTOP); the PostgreSQL and Redis that restart are the suite\'s own, on free loopback ports;',
	'"never answers" is a listener that accepts connections and sends nothing. Times are measured on the screen, which',
	'va-top redraws once a second, so a figure can include up to a second of waiting for the next frame.',
	'',
	'## Faults injected',
	'',
	'| Fault | What must hold | Survived | Figures |',
	'| --- | --- | --- | --- |',
	...faults.map(record => `| ${title(record)} | ${cell(record.checked)} | ${verdict(record, 'yes')} | ${figures(record)} |`),
	'',
	'## Bad input',
	'',
	'Every case through the real binary: one line on stderr that names the flag, key or variable, exit code 64, nothing',
	'on stdout, no stack trace, no password. The command-line and config-file cases are generated from the flag table',
	'(`source/config/flags.ts`), so a new flag is covered without changing the suite.',
	'',
	'| Input | Tried | Answered | Figures |',
	'| --- | --- | --- | --- |',
	...inputs.map(record => `| ${title(record)} | ${record.tried ?? '-'} | ${verdict(record, 'all')} | ${figures(record)} |`),
	'',
	'## Security',
	'',
	'| Promise | What was checked | Holds | Figures |',
	'| --- | --- | --- | --- |',
	...security.map(record => `| ${title(record)} | ${cell(record.checked)} | ${verdict(record, 'yes')} | ${figures(record)} |`),
	'',
	'## Running it',
	'',
	'```sh',
	'npm run faults:report                      # build, run test/faults, rewrite this page',
	'npx vitest run test/faults/databases.test.ts # one file (after npm run build)',
	'VA_TOP_SLOW_FAULTS=1 VA_TOP_REAL_DAEMON_FAULTS=1 npm run faults:report',
	'```',
	'',
	'`VA_TOP_REAL_DAEMON_FAULTS=1` (with `VA_TOP_SLOW_FAULTS=1`) adds a restart and a SIGSTOP of the machine\'s real',
	'`dockerd`: every container on that engine stops with it, so run it only on a machine of your own.',
	'',
];

mkdirSync(path.dirname(page), {recursive: true});
writeFileSync(page, `${lines.join('\n')}`);
process.stdout.write(`faults-report: ${path.relative(root, page)} written from ${records.length} results (${held.length}/${ran.length} held)\n`);
process.exit(code);
