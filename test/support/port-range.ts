// Free loopback ports inside a range this project owns, for servers a test starts and stops itself. The ranges
// are split by job (see the constants) so a server left behind by a crashed file never collides with another's.
import net from 'node:net';

export interface PortRange {
	from: number;
	to: number;
}

/** Test-owned PostgreSQL clusters: 15400-15499. */
export const pgTestPorts = {
	replication: {from: 15400, to: 15429},
	faults: {from: 15430, to: 15459},
	bench: {from: 15460, to: 15479},
	cli: {from: 15480, to: 15499},
} as const satisfies Record<string, PortRange>;

/** Test-owned Redis Sentinel sets (their master, replica and sentinels): 16600-16799. */
export const sentinelTestPorts = {
	integration: {from: 16600, to: 16649},
	faults: {from: 16650, to: 16699},
	bench: {from: 16700, to: 16749},
	cli: {from: 16750, to: 16799},
} as const satisfies Record<string, PortRange>;

/** Test-owned Redis Clusters: 17100-17199 (each node's bus is port + 10000). */
export const clusterTestPorts = {
	integration: {from: 17100, to: 17124},
	faults: {from: 17125, to: 17149},
	bench: {from: 17150, to: 17174},
	cli: {from: 17175, to: 17199},
} as const satisfies Record<string, PortRange>;

/** True when nothing listens on 127.0.0.1:port (we could bind it). */
export async function portFree(port: number): Promise<boolean> {
	return new Promise(resolve => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => {
			server.close(() => resolve(true));
		});
	});
}

/**
 * `count` ports of the range that are free now, lowest first. With `alsoFree` (e.g. 10000 for a Redis Cluster's bus)
 * port + offset must be free too. Throws naming the range when there are not enough.
 */
export async function freePortsIn(range: PortRange, count: number, alsoFree: number[] = []): Promise<number[]> {
	const found: number[] = [];
	for (let port = range.from; port <= range.to && found.length < count; port++) {
		if (!(await portFree(port))) continue;
		let extrasFree = true;
		for (const offset of alsoFree) {
			if (!(await portFree(port + offset))) extrasFree = false;
		}

		if (extrasFree) found.push(port);
	}

	if (found.length < count) {
		throw new Error(`only ${found.length} of ${count} free ports in ${range.from}-${range.to}: a server of an earlier run may be left over`);
	}

	return found;
}
