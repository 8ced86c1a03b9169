// Bad input through the real binary: every case must be answered by one line on stderr naming what was wrong, exit
// code 64, nothing on stdout, never a stack trace, never a password. The command-line and config-file cases are
// generated from the flag table (source/config/flags.ts), so a new flag is covered without touching this file.
import {execFile} from 'node:child_process';
import {createHash} from 'node:crypto';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import {afterAll, describe, expect} from 'vitest';
import {flagSpecs, type FlagSpec} from '../../source/config/flags.js';
import {cli, requireBuilt} from './support/live.js';
import {faultTest} from './support/results.js';

/** In every URL below: it must never come back in a message. */
const secret = 'pw-Bad-Input-5ecret';

interface Case {
	/** What is tried, for the failure message. */
	what: string;
	args: string[];
	/** A config file with this content is written and passed with --config. */
	config?: string;
	env?: Record<string, string>;
	/** The message must contain this (the flag, key or variable it names). */
	names: string;
}

interface Outcome {
	code: number | null;
	stdout: string;
	stderr: string;
	ms: number;
}

const scratch = mkdtempSync(path.join(tmpdir(), 'va-faults-input-'));
let files = 0;

function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<Outcome> {
	requireBuilt();
	const started = Date.now();
	return new Promise(resolve => {
		// Nothing from the test's own environment: DOCKER_HOST, DATABASE_URL or PG* there would change the outcome.
		execFile(process.execPath, [cli, ...args], {env: {PATH: process.env.PATH, HOME: scratch, ...env}, timeout: 20_000}, (error, stdout, stderr) => {
			const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
			resolve({code, stdout, stderr, ms: Date.now() - started});
		});
	});
}

async function runCase(item: Case): Promise<Outcome> {
	const args = [...item.args];
	if (item.config !== undefined) {
		const file = path.join(scratch, `config-${files++}.json`);
		writeFileSync(file, item.config);
		args.push('--config', file);
	}

	return runCli(args, item.env);
}

/** The promise the issue makes for bad input. */
function expectUsageLine(item: Case, outcome: Outcome): void {
	const label = `${item.what}: ${JSON.stringify(outcome)}`;
	expect(outcome.code, label).toBe(64);
	expect(outcome.stdout, label).toBe('');
	const lines = outcome.stderr.trimEnd().split('\n');
	expect(lines, label).toHaveLength(1);
	expect(lines[0], label).toMatch(/^va-top: \S/);
	expect(lines[0], label).toContain(item.names);
	expect(outcome.stderr, label).not.toMatch(/\bat .+[.:]\d+|node:internal|Error:/);
	expect(outcome.stderr, label).not.toContain(secret);
}

/** Runs the cases a few at a time (each is a node process) and checks every one. */
async function check(cases: readonly Case[], concurrency = 4): Promise<{slowest: number}> {
	const queue = [...cases];
	let slowest = 0;
	const failures: string[] = [];
	await Promise.all(
		Array.from({length: concurrency}, async () => {
			for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
				const outcome = await runCase(item);
				slowest = Math.max(slowest, outcome.ms);
				try {
					expectUsageLine(item, outcome);
				} catch (error) {
					failures.push(error instanceof Error ? error.message.split('\n')[0]! : String(error));
				}
			}
		}),
	);
	expect(failures, `${failures.length} of ${cases.length} not answered as they should be:\n${failures.join('\n')}`).toEqual([]);
	return {slowest};
}

// ---- cases from the flag table --------------------------------------------------------------------------------

/** Values no number flag takes: not a number, empty, negative, out of every range. */
const badNumbers = ['abc', '', ' ', '-1', '1e9', 'NaN', 'Infinity', '1,5'];

/** Values a flag of this kind never takes, on the command line. */
function commandLineCases(spec: FlagSpec): Case[] {
	const flag = `--${spec.name}`;
	switch (spec.kind) {
		case 'boolean':
			return [
				{what: `${flag}=yes`, args: [`${flag}=yes`], names: flag},
				{what: `${flag}=`, args: [`${flag}=`], names: flag},
				{what: `${flag} twice`, args: [flag, flag], names: flag},
			];
		case 'number':
			return [
				...badNumbers.map(value => ({what: `${flag}=${JSON.stringify(value)}`, args: [`${flag}=${value}`], names: flag})),
				{what: `${flag} -5 (negative, as its own word)`, args: [flag, '-5'], names: flag},
				{what: `${flag} without a value`, args: [flag], names: flag},
			];
		case 'string':
			return [
				{what: `${flag}= (empty)`, args: [`${flag}=`], names: flag},
				{what: `${flag} '   ' (blank)`, args: [flag, '   '], names: flag},
				{what: `${flag} without a value`, args: [flag], names: flag},
				{what: `${flag} followed by another flag`, args: [flag, '--once'], names: flag},
			];
	}
}

/** A value of the wrong JSON type for this flag in a config file. */
function wrongType(spec: FlagSpec): unknown {
	if (spec.kind === 'boolean') return 'yes';
	if (spec.kind === 'number') return '80';
	// A duration or time flag also takes a number in a config file: a boolean is what it never takes.
	return spec.numberInConfig === true ? true : 42;
}

function configCases(spec: FlagSpec): Case[] {
	const cases: Case[] = [
		{what: `config ${spec.name}: wrong type`, args: [], config: JSON.stringify({[spec.name]: wrongType(spec)}), names: `"${spec.name}"`},
		{what: `config ${spec.name}: null`, args: [], config: JSON.stringify({[spec.name]: null}), names: `"${spec.name}"`},
	];
	if (spec.kind === 'number') cases.push({what: `config ${spec.name}: out of range`, args: [], config: JSON.stringify({[spec.name]: -1e9}), names: `"${spec.name}"`});
	if (spec.kind === 'string') cases.push({what: `config ${spec.name}: empty`, args: [], config: JSON.stringify({[spec.name]: ''}), names: `"${spec.name}"`});
	return cases;
}

/** Values that are wrong for one flag in particular; flags not listed get only the generic cases. */
const specific: Record<string, string[]> = {
	project: ['has space', 'a/b', '-dash-first', 'ünï'],
	service: ['has space', 'a:b', '.dot-first'],
	'docker-host': [
		'unix://',
		'tcp://',
		`tcp://u:${secret}@:2375`,
		'tcp://host:99999',
		'tcp://host:0',
		'tcp://host:abc',
		'http://host:2375',
		'npipe:////./pipe/docker',
		'ssh://',
		'just-words',
		'/var/run/docker.sock',
		// several engines: a list with an empty item or one bad URL
		'unix:///a.sock,',
		'tcp://a:2375,,tcp://b:2375',
		`ssh://ops@a,tcp://u:${secret}@:2375`,
		'a=unix:///a.sock,b=npipe:////./pipe/x',
	],
	context: ['app9', 'a,,b', ' , '],
	pg: ['postgres://', `postgres://ops:${secret}@:5432/db`, `postgres://ops:${secret}@db:99999/x`, 'postgres://db:0/x', 'postgres://db:abc/x', `mysql://ops:${secret}@db/x`, 'http://db/x', 'localhost:5432', 'not a url'],
	redis: ['redis://', `redis://:${secret}@:6379`, 'redis://cache:70000', 'redis://cache:0', 'redis://cache:abc', 'redis://cache/db1', `memcached://:${secret}@cache`, 'http://cache', 'cache:6379'],
	'docker-stats': ['cgroup', 'API', 'stream'],
	'cpu-sustain': ['10x', '-5', '25h', 'm10', '1.5.0'],
	config: ['/nonexistent/va-top.json'],
	'cpu-immediate': ['101', '150'],
	interval: ['0.1', '0', '3601'],
	max: ['0', '1.5', '1001'],
	min: ['0', '2.5', '1001'],
	'app-port': ['0', '65536', '80.5'],
	'drain-timeout': ['0', '3601'],
	'scale-up-at': ['101', '-0.5'],
	'scale-down-at': ['150'],
	'scale-up-on': ['gpu', 'cpu,,memory', 'cpu,cpu', 'CPU'],
	'autoscale-interval': ['0', '0.5', '25h', 'soon'],
	'scale-down-sustain': ['-1m', '5 minutes'],
	'autoscale-cooldown': ['3min'],
	'autoscale-countdown': ['x'],
	pgbouncer: ['postgres://', `postgres://mon:${secret}@db:6432/voiceassist`, 'postgres://db:0/pgbouncer', 'postgres://db:abc/pgbouncer', `http://mon:${secret}@db/pgbouncer`, 'db:6432'],
	queue: [':celery', ':rq', 'a\u0007b'],
	'pool-sustain': ['10x', '-5', '25h'],
	'pool-maxwait': ['1x', '-1s', 'soon'],
	'pool-waiting': ['1.5', '-1'],
	'queue-immediate': ['1.5', '-1', 'many'],
	'queue-soon': ['0.5', '-3'],
	'http-window': ['5', '9s', '2h', 'soon', '-1m', '1.5s'],
	'http-service': ['has space', 'a/b', '.dot-first'],
	'latency-immediate': ['abc', '2x', '-1s', '25h', 'ms'],
	'latency-soon': ['abc', '1.5 s', '-100ms'],
	'errors-immediate': ['101', '5%'],
	'errors-soon': ['150', 'half'],
};

const flagCases = flagSpecs.flatMap(commandLineCases);
const specificCases: Case[] = [
	...Object.entries(specific).flatMap(([name, values]) => values.map(value => ({what: `--${name} ${JSON.stringify(value)}`, args: [`--${name}`, value], names: `--${name}`}))),
	{what: 'a directory as --config', args: ['--config', tmpdir()], names: '--config'},
	{what: 'SOON above IMMEDIATE', args: ['--cpu-soon', '90', '--cpu-immediate', '80'], names: '--cpu-soon'},
	{what: '--min above --max', args: ['--min', '5', '--max', '3'], names: '--min'},
	{what: '--lb-remove-cmd alone', args: ['--lb-remove-cmd', 'true'], names: '--lb-restore-cmd'},
	{what: '--lb-restore-cmd alone', args: ['--lb-restore-cmd', 'true'], names: '--lb-remove-cmd'},
	{what: '--json without --once', args: ['--json'], names: '--json'},
	{what: '--headless without --autoscale', args: ['--headless'], names: '--headless'},
	{what: '--autoscale with --once', args: ['--autoscale', '--once'], names: '--autoscale'},
	{what: 'scale-down above scale-up', args: ['--scale-down-at', '80', '--scale-up-at', '70'], names: '--scale-down-at'},
	{what: '--capacity without --once', args: ['--capacity'], names: '--capacity'},
	{what: '--growth without --capacity', args: ['--once', '--growth', '2'], names: '--growth'},
	{what: '--growth 0', args: ['--once', '--capacity', '--growth', '0'], names: '--growth'},
	{what: '--growth 1000', args: ['--once', '--capacity', '--growth', '1000'], names: '--growth'},
	{what: 'the same queue twice', args: ['--queue', 'default:rq', '--queue', 'rq:queue:default'], names: '--queue'},
	{what: 'a good --queue then a bad one', args: ['--queue', 'celery:celery', '--queue', ':bullmq'], names: '--queue'},
	{what: 'queue SOON above IMMEDIATE', args: ['--queue-soon', '2000', '--queue-immediate', '1000'], names: '--queue-soon'},
	{what: '--latency-soon above --latency-immediate', args: ['--latency-soon', '3s', '--latency-immediate', '2s'], names: '--latency-soon'},
	{what: '--errors-soon above --errors-immediate', args: ['--errors-soon', '8', '--errors-immediate', '5'], names: '--errors-soon'},
	{what: '--http-log with --http-service', args: ['--http-log', '/var/log/nginx/access.log', '--http-service', 'lb'], names: '--http-log'},
	{what: '--record with --autoscale', args: ['--record', '--autoscale', '--headless'], names: '--record'},
	{what: '--capacity with --format nagios', args: ['--once', '--capacity', '--format', 'nagios'], names: '--capacity'},
];
const argvCases: Case[] = [
	{what: 'an unknown flag', args: ['--bogus'], names: '--bogus'},
	{what: 'a short flag that does not exist', args: ['-x'], names: '-x'},
	{what: 'a word that is not a flag', args: ['status'], names: '"status"'},
	{what: 'a bare --', args: ['--'], names: '--'},
	{what: 'a bare -', args: ['-'], names: '"-"'},
	{what: '--no- on a flag that is not on/off', args: ['--no-project'], names: '--no-project'},
	{what: 'a URL with a password as a stray word', args: [`postgres://ops:${secret}@db/x`], names: 'unexpected argument'},
];
const configFileCases: Case[] = [
	...flagSpecs.filter(spec => spec.inConfig).flatMap(configCases),
	{what: 'an empty config file', args: [], config: '', names: 'empty'},
	{what: 'a blank config file', args: [], config: '  \n\t\n', names: 'empty'},
	{what: 'a config that is not JSON', args: [], config: 'project = shop\n', names: 'not valid JSON'},
	{what: 'a config cut short', args: [], config: '{"project": ', names: 'not valid JSON'},
	{what: 'a JSON array', args: [], config: '[1, 2]', names: 'an array'},
	{what: 'a JSON string', args: [], config: '"shop"', names: 'the string'},
	{what: 'a JSON number', args: [], config: '42', names: 'number 42'},
	{what: 'JSON null', args: [], config: 'null', names: 'null'},
	{what: 'an unknown key', args: [], config: '{"colour": false}', names: '"colour"'},
	{what: 'a flag that has no place in a config file', args: [], config: '{"once": true}', names: '"once"'},
	...flagSpecs.filter(spec => !spec.inConfig).map(spec => ({what: `config key ${spec.name} (command line only)`, args: [], config: JSON.stringify({[spec.name]: spec.kind === 'boolean' ? true : 'x'}), names: `"${spec.name}"`})),
];
const environmentCases: Case[] = [
	{what: 'DOCKER_HOST without a host', args: ['--once'], env: {DOCKER_HOST: 'tcp://:2375'}, names: 'DOCKER_HOST'},
	{what: 'DOCKER_HOST of an unknown scheme', args: ['--once'], env: {DOCKER_HOST: 'npipe:////./pipe/docker'}, names: 'DOCKER_HOST'},
	{what: 'DATABASE_URL of another database', args: ['--once'], env: {DATABASE_URL: `mysql://ops:${secret}@db/x`}, names: 'DATABASE_URL'},
	{what: 'DATABASE_URL with a bad port', args: ['--once'], env: {DATABASE_URL: `postgres://ops:${secret}@db:77777/x`}, names: 'DATABASE_URL'},
	{what: 'REDIS_URL with port 0', args: ['--once'], env: {REDIS_URL: `redis://:${secret}@cache:0`}, names: 'REDIS_URL'},
	{what: 'PGPORT that is not a port', args: ['--once'], env: {PGPORT: 'abc'}, names: 'PGPORT'},
	{what: 'PGBOUNCER_URL of another database', args: ['--once'], env: {PGBOUNCER_URL: `postgres://mon:${secret}@db:6432/voiceassist`}, names: 'PGBOUNCER_URL'},
	{what: 'PGBOUNCER_URL of another scheme', args: ['--once'], env: {PGBOUNCER_URL: `mysql://mon:${secret}@db/pgbouncer`}, names: 'PGBOUNCER_URL'},
];

// A docker CLI context store (the CLI's layout: contexts/meta/<sha256 of the name>/meta.json) with contexts that are wrong.
const store = path.join(scratch, 'docker-config');
function storeContext(name: string, meta: string): void {
	const dir = path.join(store, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));
	mkdirSync(dir, {recursive: true});
	writeFileSync(path.join(dir, 'meta.json'), meta);
}

storeContext('app1', JSON.stringify({Name: 'app1', Metadata: {}, Endpoints: {docker: {Host: 'unix:///var/run/docker.sock', SkipTLSVerify: false}}}));
storeContext('nowhere', JSON.stringify({Name: 'nowhere', Metadata: {}, Endpoints: {}}));
storeContext('blank', JSON.stringify({Name: 'blank', Metadata: {}, Endpoints: {docker: {Host: '  '}}}));
storeContext('broken', '{"Name": "broken", "Endpoints": ');
storeContext('pipe', JSON.stringify({Name: 'pipe', Metadata: {}, Endpoints: {docker: {Host: 'npipe:////./pipe/docker_engine'}}}));
storeContext('leaky', JSON.stringify({Name: 'leaky', Metadata: {}, Endpoints: {docker: {Host: `tcp://ops:${secret}@:2376`}}}));
const currentGone = path.join(scratch, 'config-current-gone');
mkdirSync(currentGone, {recursive: true});
writeFileSync(path.join(currentGone, 'config.json'), JSON.stringify({auths: {}, currentContext: 'decommissioned'}));
const notJson = path.join(scratch, 'config-not-json');
mkdirSync(notJson, {recursive: true});
writeFileSync(path.join(notJson, 'config.json'), '{"currentContext": ');
const withStore = {DOCKER_CONFIG: store};
const engineCases: Case[] = [
	{what: 'the same engine twice', args: ['--docker-host', 'unix:///a.sock', '--docker-host', 'unix:///a.sock'], names: 'given twice'},
	{what: 'one engine name for two engines', args: ['--docker-host', 'web=tcp://a:2375,web=tcp://b:2375'], names: '"web" is used twice'},
	{what: '--context with --docker-host', args: ['--context', 'app1', '--docker-host', 'unix:///a.sock'], env: withStore, names: '--context and --docker-host'},
	{what: 'an unknown context', args: ['--context', 'app1,app9'], env: withStore, names: 'no Docker context named "app9"'},
	{what: 'a context with no Docker endpoint', args: ['--context', 'nowhere'], env: withStore, names: 'context "nowhere" has no Docker endpoint'},
	{what: 'a context whose endpoint is blank', args: ['--context', 'blank'], env: withStore, names: 'context "blank" has no Docker endpoint'},
	{what: 'a context whose meta.json is cut short', args: ['--context', 'broken'], env: withStore, names: 'not valid JSON'},
	{what: 'a context pointing at a Windows pipe', args: ['--context', 'pipe'], env: withStore, names: 'unknown scheme "npipe"'},
	{what: 'a context with a password and no host', args: ['--context', 'leaky'], env: withStore, names: 'context "leaky"'},
	{what: 'DOCKER_CONTEXT naming no context', args: ['--once'], env: {...withStore, DOCKER_CONTEXT: 'gone'}, names: 'DOCKER_CONTEXT'},
	{what: 'currentContext naming a context that is gone', args: ['--once'], env: {DOCKER_CONFIG: currentGone}, names: 'currentContext'},
	{what: 'a docker config.json that is not JSON', args: ['--once'], env: {DOCKER_CONFIG: notJson}, names: 'config.json is not valid JSON'},
	{what: 'COMPOSE_PROJECT_NAME with nothing Compose keeps', args: ['--once'], env: {COMPOSE_PROJECT_NAME: '-._'}, names: 'COMPOSE_PROJECT_NAME'},
	{what: 'config docker-host: a list with a number', args: [], config: JSON.stringify({'docker-host': ['unix:///a.sock', 5]}), names: '"docker-host"'},
	{what: 'config context: an empty list', args: [], config: JSON.stringify({context: []}), names: '"context"'},
	{what: 'config with both context and docker-host', args: [], config: JSON.stringify({context: 'app1', 'docker-host': 'unix:///a.sock'}), env: withStore, names: 'config "context" and config "docker-host"'},
	// A Swarm service: its nodes' engines and the service's name.
	{what: 'a --node-host without NODE=', args: ['--node-host', `ssh://ops:${secret}@127.0.0.2`], names: '--node-host'},
	{what: 'a --node-host of an unknown scheme', args: ['--node-host', 'w2=ftp://127.0.0.2'], names: '--node-host w2'},
	{what: 'a node given twice in --node-host', args: ['--node-host', 'w2=ssh://a@h,w2=ssh://b@h'], names: 'node "w2" is given twice'},
	{what: 'a --swarm-service that is no service name', args: ['--swarm-service', 'a b'], names: '--swarm-service'},
	{what: '--swarm-service with several engines', args: ['--swarm-service', 'shop_api', '--docker-host', 'unix:///a.sock,unix:///b.sock'], names: '--swarm-service'},
	{what: '--swarm-service with --compose-file', args: ['--swarm-service', 'shop_api', '--compose-file', 'compose.yml'], names: '--compose-file'},
];

// The data tier's flags (several PostgreSQL nodes, Redis Sentinel or Cluster, Qdrant) and their variables.
const dataTierValues: Record<string, string[]> = {
	'pg-replicas': ['db-r1:5432,,db-r2', 'db-r1:99999', `mysql://ops:${secret}@db-r1/x`, 'db r1'],
	'redis-sentinel': ['127.0.0.5', '127.0.0.5:26379,', '127.0.0.5:0', `redis://:${secret}@127.0.0.5:26379`],
	'redis-cluster': ['127.0.0.5', '127.0.0.5:7000,127.0.0.5:7000', 'host:abc'],
	qdrant: ['grpc://q:6334', `http://u:${secret}@q:6333`, 'http://', 'q:6333', 'http://q:6333/?x=1'],
	'replica-lag-soon': ['16XB', '-1MB', 'lots'],
	'replica-lag-immediate-seconds': ['5 minutes', '-1', '25h'],
};
specificCases.push(
	...Object.entries(dataTierValues).flatMap(([name, values]) => values.map(value => ({what: `--${name} ${JSON.stringify(value)}`, args: [`--${name}`, value], names: `--${name}`}))),
	{what: '--redis-sentinel without --redis-master', args: ['--redis-sentinel', '127.0.0.5:26379'], names: '--redis-master'},
	{what: '--redis-master without --redis-sentinel', args: ['--redis-master', 'mymaster'], names: '--redis-sentinel'},
	{what: 'Sentinel and Cluster at once', args: ['--redis-sentinel', '127.0.0.5:26379', '--redis-master', 'm', '--redis-cluster', '127.0.0.5:7000'], names: '--redis-cluster'},
	{what: 'a PostgreSQL node given twice', args: ['--pg', 'postgres://m@db:5432/x', '--pg', 'postgres://m@db:5432/x'], names: 'db:5432'},
	{what: 'replica lag SOON above IMMEDIATE', args: ['--replica-lag-soon', '1G', '--replica-lag-immediate', '256MB'], names: '--replica-lag-soon'},
);
environmentCases.push(
	{what: 'REDIS_SENTINELS that are not HOST:PORT', args: ['--once'], env: {REDIS_SENTINELS: 'sentinel-a', REDIS_MASTER_NAME: 'm'}, names: 'REDIS_SENTINELS'},
	{what: 'REDIS_SENTINELS without REDIS_MASTER_NAME', args: ['--once'], env: {REDIS_SENTINELS: '127.0.0.5:26379'}, names: '--redis-master'},
	{what: 'QDRANT_URL of another scheme', args: ['--once'], env: {QDRANT_URL: 'ftp://q:6333'}, names: 'QDRANT_URL'},
	{what: 'DATABASE_REPLICA_URLS with an empty entry', args: ['--once'], env: {DATABASE_REPLICA_URLS: 'db-r1:5432,'}, names: 'DATABASE_REPLICA_URLS'},
);

afterAll(() => {
	rmSync(scratch, {recursive: true, force: true});
});

describe('bad input through the real binary', () => {
	faultTest(
		{
			id: 'input-every-flag',
			group: 'bad-input',
			order: 10,
			title: 'Every flag of the flag table on the command line: malformed, empty, blank, negative, out of range, missing, given twice',
			checked: 'one line naming the flag, exit 64',
		},
		async record => {
			// Every flag of the table is in there
			for (const spec of flagSpecs) expect(flagCases.some(item => item.args[0]!.startsWith(`--${spec.name}`)), spec.name).toBe(true);
			const {slowest} = await check(flagCases);
			record.tried(flagCases.length);
			record.figure(`${flagSpecs.length} flags, ${flagCases.length} inputs; slowest answer ${slowest} ms`);
		},
		// Each source adds its flags and ~10 node processes each: the budget grows with the table (219 s for 263 inputs
		// on a loaded 2-core machine).
		480_000,
	);

	faultTest(
		{
			id: 'input-specific-values',
			group: 'bad-input',
			order: 20,
			title: 'Values wrong for one flag: URLs without host, bad ports, unknown schemes; names, durations, ranges; flags that contradict',
			checked: 'one line naming the flag, exit 64, no password echoed',
		},
		async record => {
			const {slowest} = await check(specificCases);
			record.tried(specificCases.length);
			record.figure(`${specificCases.length} inputs; slowest answer ${slowest} ms`);
		},
		180_000,
	);

	faultTest(
		{
			id: 'input-argv',
			group: 'bad-input',
			order: 30,
			title: 'Arguments that are not flags: unknown flags, stray words, --, -, --no- on a value flag',
			checked: 'one line naming it, exit 64',
		},
		async record => {
			const {slowest} = await check(argvCases);
			record.tried(argvCases.length);
			record.figure(`${argvCases.length} inputs; slowest answer ${slowest} ms`);
		},
		60_000,
	);

	faultTest(
		{
			id: 'input-config',
			group: 'bad-input',
			order: 40,
			title: 'Config files: empty, blank, not JSON, not an object, unknown keys, and for every key a wrong type, null, out of range',
			checked: 'one line naming the file or key, exit 64',
		},
		async record => {
			const {slowest} = await check(configFileCases);
			record.tried(configFileCases.length);
			record.figure(`${flagSpecs.filter(spec => spec.inConfig).length} keys, ${configFileCases.length} files; slowest answer ${slowest} ms`);
		},
		240_000,
	);

	faultTest(
		{
			id: 'input-environment',
			group: 'bad-input',
			order: 50,
			title: 'Environment: DOCKER_HOST, DATABASE_URL, REDIS_URL, PGPORT and PGBOUNCER_URL that are wrong',
			checked: 'one line naming the variable, exit 64',
		},
		async record => {
			const {slowest} = await check(environmentCases);
			record.tried(environmentCases.length);
			record.figure(`${environmentCases.length} inputs; slowest answer ${slowest} ms`);
		},
		60_000,
	);

	faultTest(
		{
			id: 'input-engines',
			group: 'bad-input',
			order: 52,
			title: 'Several engines, Docker contexts and Swarm nodes: an engine twice, a name twice, --context with --docker-host, unknown contexts, contexts pointing nowhere, a broken context store, a malformed --node-host, a --swarm-service that cannot be followed',
			checked: 'one line naming the flag, variable or context, exit 64, no password echoed',
		},
		async record => {
			const {slowest} = await check(engineCases);
			record.tried(engineCases.length);
			record.figure(`${engineCases.length} inputs; slowest answer ${slowest} ms`);
		},
		120_000,
	);

	faultTest(
		{
			id: 'input-good-urls',
			group: 'bad-input',
			order: 55,
			title: 'Good URLs that look like bad ones: passwords without a port, IPv6 hosts, a Redis database, ssh and unix Docker hosts',
			checked: 'accepted: not one of them is refused',
		},
		async record => {
			// `--json` without `--once` is refused only after every URL passed its check: that refusal is the proof.
			const good: Array<[string, string]> = [
				['--pg', `postgres://ops:${secret}@db/x`],
				['--pg', `postgresql://ops:${secret}@[::1]:5432/x`],
				['--pg', 'postgres://db/x'],
				['--redis', `redis://:${secret}@cache`],
				['--redis', `rediss://user:${secret}@cache:6380/2`],
				['--docker-host', 'unix:///var/run/docker.sock'],
				['--docker-host', 'ssh://me@bastion'],
				['--docker-host', 'tcp://[::1]:2376'],
				['--docker-host', 'app1=ssh://me@app1,app2=ssh://me@app2:2222'],
				['--docker-host', 'unix:///var/run/a.sock,unix:///var/run/b.sock'],
				['--pgbouncer', `postgres://mon:${secret}@pool:6432/pgbouncer`],
				['--queue', 'rq:queue:default'],
				['--queue', 'celery:celery'],
			];
			const cases: Case[] = good.map(([flag, value]) => ({what: `${flag} ${value}`, args: [flag, value, '--json'], names: '--json goes with --once'}));
			await check(cases);
			record.tried(cases.length);
			record.figure(`${cases.length} good URLs, none refused`);
		},
		60_000,
	);

	faultTest(
		{
			id: 'input-property',
			group: 'bad-input',
			order: 60,
			title: 'Property-based: random argument lists and random config files thrown at the binary',
			checked: 'always either a usage line and 64, or a normal run; never a stack trace or a password',
		},
		async record => {
			const names = flagSpecs.map(spec => spec.name);
			// --once and --help are left out: a run that is valid would then do a real check; the live monitor without a
			// terminal refuses with 64 by itself.
			const safe = names.filter(name => name !== 'once' && name !== 'help' && name !== 'version');
			const token = fc.oneof(
				fc.constantFrom(...safe.map(name => `--${name}`), ...safe.map(name => `--no-${name}`), '-h', '-x', '--', '-', '--=', '---'),
				fc.string({maxLength: 10}),
				fc.constantFrom('0', '-1', '100', '101', '1e3', 'NaN', '', ' ', '0.1', `postgres://u:${secret}@h:5/d`, `redis://:${secret}@h:0`, 'tcp://', 'ssh://u@h', 'unix://', '10m'),
				fc.tuple(fc.constantFrom(...safe), fc.string({maxLength: 8})).map(([name, value]) => `--${name}=${value}`),
			);
			const value = fc.oneof(fc.string({maxLength: 10}), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), {maxLength: 2}), fc.constant(`postgres://u:${secret}@h/d`));
			const config = fc.option(
				fc.oneof(fc.dictionary(fc.oneof(fc.constantFrom(...names), fc.string({maxLength: 8})), value, {maxKeys: 4}).map(object => JSON.stringify(object)), fc.string({maxLength: 30})),
				{nil: undefined},
			);
			let runs = 0;
			let usage = 0;
			await fc.assert(
				fc.asyncProperty(fc.array(token, {maxLength: 6}), config, async (args, content) => {
					runs++;
					const outcome = await runCase({what: 'random', args: args.filter(arg => arg !== '-h'), config: content, names: ''});
					expect(outcome.stderr).not.toMatch(/\bat .+[.:]\d+|node:internal/);
					expect(outcome.stderr + outcome.stdout).not.toContain(secret);
					if (outcome.code === 64) {
						usage++;
						expect(outcome.stderr.trimEnd().split('\n')).toHaveLength(1);
						expect(outcome.stdout).toBe('');
					} else {
						// Only the help text can come out of these flags without an error (-h was filtered out above).
						expect(outcome.code).toBe(0);
					}
				}),
				{numRuns: 100},
			);
			record.tried(runs);
			record.figure(`${runs} random runs: ${usage} answered with a usage line${runs > usage ? `, ${runs - usage} ran normally` : ''}; no stack trace, no password`);
		},
		240_000,
	);
});
