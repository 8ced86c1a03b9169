// The benchmark's data tier (bundled by bench/lib/tier.mjs): a PostgreSQL primary with two streaming replicas, a Redis
// Sentinel set (master, replica, three sentinels), a six-node Redis Cluster and the Qdrant STAND-IN (no Qdrant can be
// installed here), all on the benchmark's own ports, for va-top to watch while it is measured.
import {pgReplicaSet} from './pg-replication.js';
import {clusterTestPorts, pgTestPorts, sentinelTestPorts} from './port-range.js';
import {startQdrantStandIn} from './qdrant-stand-in.js';
import {redisCluster, sentinelSet} from './redis-topology.js';

export interface BenchTier {
	/** postgres:// of the primary (the pg_monitor role). */
	pgUrl: string;
	replicas: string[];
	sentinels: string[];
	masterName: string;
	clusterSeed: string;
	qdrantUrl: string;
	redisPassword: string;
	sentinelPassword: string;
	stop(): Promise<void>;
}

export async function startBenchTier(): Promise<BenchTier> {
	const password = 'bench-Tier-Secret-1';
	const [pg, sentinels, cluster, qdrant] = await Promise.all([
		pgReplicaSet({range: pgTestPorts.bench, replicas: 2, password}),
		sentinelSet({range: sentinelTestPorts.bench, password, sentinelPassword: password}),
		redisCluster({range: clusterTestPorts.bench, password}),
		startQdrantStandIn(),
	]);
	return {
		pgUrl: pg.primary.monitorUrl,
		replicas: pg.replicas.map(node => node.endpoint),
		sentinels: sentinels.sentinels.map(node => node.endpoint),
		masterName: sentinels.name,
		clusterSeed: cluster.nodes[0]!.endpoint,
		qdrantUrl: qdrant.url,
		redisPassword: password,
		sentinelPassword: password,
		async stop() {
			await Promise.allSettled([pg.destroy(), sentinels.destroy(), cluster.destroy(), qdrant.close()]);
		},
	};
}
