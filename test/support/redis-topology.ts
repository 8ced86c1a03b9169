// Real Redis topologies owned by the test, on its own loopback ports: a Sentinel set (a master, a replica and three
// sentinels, each sentinel `redis-server FILE --sentinel`) and a six-node Redis Cluster made with
// `redis-cli --cluster create … --cluster-replicas 1`. Every process is a child of the test, stopped in destroy().
import {execFile, spawn, type ChildProcess} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {Redis} from 'ioredis';
import {freePortsIn, type PortRange} from './port-range.js';
import {tcpOpen, waitFor} from './services.js';

const run = promisify(execFile);

export async function redisBinariesAvailable(): Promise<boolean> {
	return run('redis-server', ['--version']).then(
		() => run('redis-cli', ['--version']).then(() => true),
		() => false,
	);
}

export interface RedisProcess {
	port: number;
	endpoint: string;
	running(): boolean;
	start(): Promise<void>;
	/** SIGTERM and wait: a clean shutdown. */
	stop(): Promise<void>;
	/** SIGKILL: the node is gone at once, as in a crash. */
	kill(): Promise<void>;
	/** A short-lived client (with the password) for set-up and checks. */
	client(): Redis;
}

/** One redis-server (or sentinel) with its config file in `dir`; restartable on the same port with the same state. */
function redisProcess(options: {port: number; dir: string; config: string[]; sentinel?: boolean; password?: string}): RedisProcess {
	const file = path.join(options.dir, `${options.sentinel ? 'sentinel' : 'redis'}-${options.port}.conf`);
	// Mode 0600: it holds the passwords. A sentinel rewrites its own file, so it must be a file, not stdin.
	writeFileSync(file, `${[`port ${options.port}`, 'bind 127.0.0.1', `dir ${options.dir}`, 'daemonize no', ...options.config].join('\n')}\n`, {mode: 0o600});
	let child: ChildProcess | null = null;
	const self: RedisProcess = {
		port: options.port,
		endpoint: `127.0.0.1:${options.port}`,
		running: () => child !== null && child.exitCode === null && child.signalCode === null,
		async start() {
			if (self.running()) return;
			child = spawn('redis-server', options.sentinel ? [file, '--sentinel'] : [file], {stdio: 'ignore'});
			await waitFor(async () => tcpOpen('127.0.0.1', options.port), {timeoutMs: 20_000, message: `redis on ${options.port}`});
		},
		async stop() {
			await signal('SIGTERM');
		},
		async kill() {
			await signal('SIGKILL');
		},
		client: () =>
			new Redis({host: '127.0.0.1', port: options.port, password: options.password, lazyConnect: false, maxRetriesPerRequest: 1, retryStrategy: () => null, connectTimeout: 2000}),
	};
	async function signal(name: NodeJS.Signals): Promise<void> {
		const current = child;
		child = null;
		if (current === null || current.exitCode !== null || current.signalCode !== null) return;
		const exited = new Promise(resolve => current.once('exit', resolve));
		current.kill(name);
		await exited;
	}

	return self;
}

/** Runs one command on a short-lived connection. */
export async function redisCommand(process: RedisProcess, ...args: Array<string | number>): Promise<unknown> {
	const client = process.client();
	client.on('error', () => undefined);
	try {
		return await client.call(String(args[0]), ...args.slice(1).map(String));
	} finally {
		client.disconnect();
	}
}

export interface SentinelSet {
	name: string;
	master: RedisProcess;
	replica: RedisProcess;
	sentinels: RedisProcess[];
	password: string;
	sentinelPassword: string;
	quorum: number;
	/** What the sentinels say the master is now (host:port), asking the first that answers. */
	currentMaster(): Promise<string>;
	destroy(): Promise<void>;
}

/**
 * A master and its replica, watched by three sentinels with quorum 2. Data nodes and sentinels have their own
 * passwords. Down-after 1 s and a 5 s failover timeout keep failovers quick.
 */
export async function sentinelSet(options: {range: PortRange; password: string; sentinelPassword: string; name?: string}): Promise<SentinelSet> {
	const [masterPort, replicaPort, ...sentinelPorts] = await freePortsIn(options.range, 5);
	const dir = mkdtempSync(path.join(tmpdir(), 'va-top-sentinels-'));
	const name = options.name ?? 'vamaster';
	const quorum = 2;
	const data = ['save ""', 'appendonly no', 'repl-diskless-sync-delay 0', `requirepass ${options.password}`, `masterauth ${options.password}`];
	const master = redisProcess({port: masterPort!, dir, config: data, password: options.password});
	const replica = redisProcess({port: replicaPort!, dir, config: [...data, `replicaof 127.0.0.1 ${masterPort}`], password: options.password});
	const sentinels = sentinelPorts.map(port =>
		redisProcess({
			port,
			dir,
			sentinel: true,
			password: options.sentinelPassword,
			config: [
				`requirepass ${options.sentinelPassword}`,
				`sentinel sentinel-pass ${options.sentinelPassword}`,
				`sentinel monitor ${name} 127.0.0.1 ${masterPort} ${quorum}`,
				`sentinel auth-pass ${name} ${options.password}`,
				`sentinel down-after-milliseconds ${name} 1000`,
				`sentinel failover-timeout ${name} 5000`,
				`sentinel parallel-syncs ${name} 1`,
			],
		}),
	);
	const all = [master, replica, ...sentinels];
	const set: SentinelSet = {
		name,
		master,
		replica,
		sentinels,
		password: options.password,
		sentinelPassword: options.sentinelPassword,
		quorum,
		async currentMaster() {
			for (const sentinel of sentinels) {
				if (!sentinel.running()) continue;
				const reply = (await redisCommand(sentinel, 'SENTINEL', 'get-master-addr-by-name', name).catch(() => null)) as string[] | null;
				if (reply) return `${reply[0]}:${reply[1]}`;
			}

			throw new Error('no sentinel answers');
		},
		async destroy() {
			await Promise.allSettled(all.map(async process => process.kill()));
			rmSync(dir, {recursive: true, force: true});
		},
	};
	try {
		await master.start();
		await replica.start();
		await waitFor(async () => /master_link_status:up/.test(String(await redisCommand(replica, 'INFO', 'replication'))), {timeoutMs: 20_000, message: 'replica linked to its master'});
		for (const sentinel of sentinels) await sentinel.start();
		// Every sentinel knows the replica and the two other sentinels: a failover can be authorised.
		await waitFor(
			async () => {
				const reply = (await redisCommand(sentinels[0]!, 'SENTINEL', 'ckquorum', name).catch(() => '')) as string;
				const fields = (await redisCommand(sentinels[0]!, 'SENTINEL', 'master', name)) as string[];
				const info = Object.fromEntries(fields.flatMap((value, index) => (index % 2 === 0 ? [[value, fields[index + 1]]] : [])));
				return /^OK/.test(reply) && info['num-slaves'] === '1' && info['num-other-sentinels'] === '2';
			},
			{timeoutMs: 30_000, intervalMs: 200, message: 'sentinels know the replica and each other'},
		);
		return set;
	} catch (error) {
		await set.destroy();
		throw error;
	}
}

export interface ClusterSet {
	nodes: RedisProcess[];
	password: string;
	/** CLUSTER NODES of the first running node, as [{endpoint, id, role, masterId, flags}]. */
	topology(): Promise<Array<{endpoint: string; id: string; role: 'master' | 'replica'; masterId: string | null; flags: string[]; slots: string[]}>>;
	/** CLUSTER INFO's cluster_state, asked of the first running node. */
	state(): Promise<string>;
	destroy(): Promise<void>;
}

/** Six nodes, three masters and three replicas, with a 2 s node timeout so a failover takes seconds. */
export async function redisCluster(options: {range: PortRange; password: string; maxmemory?: string}): Promise<ClusterSet> {
	const ports = await freePortsIn(options.range, 6, [10_000]);
	const dir = mkdtempSync(path.join(tmpdir(), 'va-top-cluster-'));
	const nodes = ports.map(port => {
		const own = path.join(dir, String(port));
		mkdirSync(own);
		return redisProcess({
			port,
			dir: own,
			password: options.password,
			config: [
				'save ""',
				'appendonly no',
				'cluster-enabled yes',
				`cluster-config-file nodes-${port}.conf`,
				'cluster-node-timeout 2000',
				`requirepass ${options.password}`,
				`masterauth ${options.password}`,
				`maxmemory ${options.maxmemory ?? '64mb'}`,
				// Filling a node must reach its limit, not evict its way under it.
				'maxmemory-policy noeviction',
				// A replica syncs at once (default: 5 s later); one that never synced refuses to fail over.
				'repl-diskless-sync-delay 0',
			],
		});
	});
	const first = async () => {
		const node = nodes.find(candidate => candidate.running());
		if (!node) throw new Error('no cluster node runs');
		return node;
	};

	const set: ClusterSet = {
		nodes,
		password: options.password,
		async topology() {
			const text = String(await redisCommand(await first(), 'CLUSTER', 'NODES'));
			return text
				.trim()
				.split('\n')
				.map(line => {
					const [id, address, flagText, masterId, , , , , ...slots] = line.split(' ');
					const flags = flagText!.split(',');
					return {
						endpoint: address!.split('@')[0]!,
						id: id!,
						role: flags.includes('master') ? 'master' : 'replica',
						masterId: masterId === '-' ? null : masterId!,
						flags,
						slots,
					} as const;
				});
		},
		async state() {
			const text = String(await redisCommand(await first(), 'CLUSTER', 'INFO'));
			return /cluster_state:(\w+)/.exec(text)?.[1] ?? 'unknown';
		},
		async destroy() {
			await Promise.allSettled(nodes.map(async node => node.kill()));
			rmSync(dir, {recursive: true, force: true});
		},
	};
	try {
		await Promise.all(nodes.map(async node => node.start()));
		// The password goes by REDISCLI_AUTH, never on the command line.
		await run('redis-cli', ['--cluster', 'create', ...nodes.map(node => node.endpoint), '--cluster-replicas', '1', '--cluster-yes'], {
			timeout: 60_000,
			env: {...process.env, REDISCLI_AUTH: options.password},
		});
		const linked = async (node: RedisProcess) => /master_link_status:up/.test(String(await redisCommand(node, 'INFO', 'replication')));
		await waitFor(
			async () => {
				if ((await set.state()) !== 'ok') return false;
				const replicas = (await set.topology()).filter(node => node.role === 'replica' && !node.flags.includes('fail'));
				if (replicas.length !== 3) return false;
				const states = await Promise.all(replicas.map(async replica => linked(nodes.find(node => node.endpoint === replica.endpoint)!)));
				return states.every(Boolean);
			},
			{timeoutMs: 30_000, intervalMs: 200, message: 'cluster ok with three replicas in sync'},
		);
		return set;
	} catch (error) {
		await set.destroy();
		throw error;
	}
}
