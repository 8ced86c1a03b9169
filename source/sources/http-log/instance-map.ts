// Which app instance answered: $upstream_addr (IP:port as nginx resolved it) → the instance's container. Pure: the
// facts about each container (its addresses, the sockets its processes listen on) are gathered elsewhere.
// - Containers on Compose networks (production): each has its own IP on the network, from inspect; the IP alone
//   names the container, whatever the port.
// - Containers on the host network (this machine's tests, some single-host setups): they share the host's
//   addresses and differ by port, so the port names the container: the one whose processes listen on it.
import {compareText} from '../../core/compare.js';

export interface ListeningSocket {
	/** The local address as /proc/net/tcp shows it: 0.0.0.0 or :: for every address. */
	address: string;
	port: number;
}

export interface InstanceEndpoints {
	id: string;
	name: string;
	/** Its IPs on its networks (empty on the host network). */
	ips: string[];
	/** TCP sockets in LISTEN that its own processes hold (read for host-network containers only). */
	listening: ListeningSocket[];
}

/** host and port of "10.0.0.3:8000", "[fd00::3]:8000"; null for "unix:/path" or an upstream block's name. */
export function splitHostPort(address: string): {host: string; port: number} | null {
	const bracketed = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(address);
	if (bracketed) return {host: bracketed[1]!.toLowerCase(), port: Number(bracketed[2])};
	const plain = /^([^:\s]+):(\d{1,5})$/.exec(address);
	if (plain) return {host: plain[1]!.toLowerCase(), port: Number(plain[2])};
	return null;
}

const wildcard = new Set(['0.0.0.0', '::']);

function isLoopback(host: string): boolean {
	return host.startsWith('127.') || host === '::1' || host === 'localhost' || host.startsWith('::ffff:127.');
}

/**
 * The id of the instance behind one upstream address, or null when none (or more than one) matches. An IP that is
 * a container's own network address wins; else the one container listening on that port, on that address or on
 * every address (a loopback upstream also matches a socket bound to another loopback address of the same port
 * only when it is the wildcard, as the kernel would route it).
 */
export function matchAddress(address: string, endpoints: readonly InstanceEndpoints[]): string | null {
	const parsed = splitHostPort(address);
	if (parsed === null) return null;
	const byIp = endpoints.filter((instance) => instance.ips.some((ip) => ip.toLowerCase() === parsed.host));
	if (byIp.length === 1) return byIp[0]!.id;
	if (byIp.length > 1) return null;
	const byPort = endpoints.filter((instance) =>
		instance.listening.some(
			(socket) =>
				socket.port === parsed.port &&
				(wildcard.has(socket.address) || socket.address === parsed.host || (isLoopback(parsed.host) && socket.address === `::ffff:${parsed.host}`)),
		),
	);
	return byPort.length === 1 ? byPort[0]!.id : null;
}

export interface AddressFigures {
	requests: number;
	errors: number;
}

export interface InstanceRow<F extends AddressFigures> {
	/** The container's name, or the address itself when no instance of the service has it. */
	name: string;
	/** The instance's id; null for an address no instance matched. */
	id: string | null;
	addresses: string[];
	figures: F[];
}

/**
 * Groups the window's per-address figures by instance, for the instances the workload lists (in its order), then
 * the addresses no instance matched (named by the address). Every listed instance gets a row, with no figures when
 * nginx sent it nothing in the window: with upstream addresses in the log that is a real zero.
 */
export function groupByInstance<F extends AddressFigures>(
	byAddress: ReadonlyMap<string, F>,
	endpoints: readonly InstanceEndpoints[],
	instances: ReadonlyArray<{id: string; name: string}>,
): Array<InstanceRow<F>> {
	const rows = new Map<string, InstanceRow<F>>();
	for (const instance of instances) rows.set(instance.id, {name: instance.name, id: instance.id, addresses: [], figures: []});
	const unmatched: Array<InstanceRow<F>> = [];
	for (const [address, figures] of byAddress) {
		const id = matchAddress(address, endpoints);
		const row = id === null ? undefined : rows.get(id);
		if (row === undefined) {
			unmatched.push({name: address, id: null, addresses: [address], figures: [figures]});
			continue;
		}

		row.addresses.push(address);
		row.figures.push(figures);
	}

	unmatched.sort((a, b) => compareText(a.name, b.name));
	return [...rows.values(), ...unmatched];
}
