// Reads /proc/net/tcp and /proc/net/tcp6 (as `cat` prints them inside an instance) into sockets, and counts the
// established connections an instance serves on its app port: what the runbook's
// `netstat -an | grep :8000 | grep ESTABLISHED` means, without needing netstat in the image.

export type TcpState =
	| 'ESTABLISHED'
	| 'SYN_SENT'
	| 'SYN_RECV'
	| 'FIN_WAIT1'
	| 'FIN_WAIT2'
	| 'TIME_WAIT'
	| 'CLOSE'
	| 'CLOSE_WAIT'
	| 'LAST_ACK'
	| 'LISTEN'
	| 'CLOSING'
	| 'NEW_SYN_RECV'
	| 'UNKNOWN';

// include/net/tcp_states.h
const states: Record<number, TcpState> = {
	0x01: 'ESTABLISHED',
	0x02: 'SYN_SENT',
	0x03: 'SYN_RECV',
	0x04: 'FIN_WAIT1',
	0x05: 'FIN_WAIT2',
	0x06: 'TIME_WAIT',
	0x07: 'CLOSE',
	0x08: 'CLOSE_WAIT',
	0x09: 'LAST_ACK',
	0x0a: 'LISTEN',
	0x0b: 'CLOSING',
	0x0c: 'NEW_SYN_RECV',
};

export interface TcpSocket {
	family: 4 | 6;
	localAddress: string;
	localPort: number;
	remoteAddress: string;
	remotePort: number;
	state: TcpState;
}

/**
 * Every socket line of one or more /proc/net/tcp{,6} files (concatenated is fine: header lines are skipped).
 * Lines that do not have the kernel's shape are skipped too, so a stray message in the output cannot count.
 */
export function parseProcNetTcp(text: string): TcpSocket[] {
	const sockets: TcpSocket[] = [];
	for (const line of text.split('\n')) {
		const fields = line.trim().split(/\s+/);
		if (fields.length < 4 || !/^\d+:$/.test(fields[0]!)) continue;
		const local = parseEndpoint(fields[1]!);
		const remote = parseEndpoint(fields[2]!);
		if (!/^[0-9A-Fa-f]{2}$/.test(fields[3]!) || local === undefined || remote === undefined || local.family !== remote.family) continue;
		sockets.push({
			family: local.family,
			localAddress: local.address,
			localPort: local.port,
			remoteAddress: remote.address,
			remotePort: remote.port,
			state: states[Number.parseInt(fields[3]!, 16)] ?? 'UNKNOWN',
		});
	}

	return sockets;
}

/**
 * Established connections whose local port is `port`: the ones the instance serves there. A client inside the
 * instance talking to its own port shows twice in /proc (both ends); only the serving end is counted.
 */
export function countEstablished(text: string, port: number): number {
	return parseProcNetTcp(text).filter((socket) => socket.state === 'ESTABLISHED' && socket.localPort === port).length;
}

/** True when the text holds at least one /proc/net/tcp header, i.e. the read worked even with no sockets. */
export function looksLikeProcNetTcp(text: string): boolean {
	return /^\s*sl\s+local_address\s+rem_address\s+st\b/m.test(text);
}

function parseEndpoint(field: string): {family: 4 | 6; address: string; port: number} | undefined {
	const match = /^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/.exec(field);
	if (!match) return undefined;
	const hex = match[1]!;
	const port = Number.parseInt(match[2]!, 16);
	if (hex.length === 8) return {family: 4, address: ipv4(hex), port};
	return {family: 6, address: ipv6(hex), port};
}

// The kernel prints each 32-bit word in host byte order; every platform Docker runs on here is little-endian.
function wordBytes(hex: string): number[] {
	const bytes = [0, 2, 4, 6].map((at) => Number.parseInt(hex.slice(at, at + 2), 16));
	return bytes.reverse();
}

function ipv4(hex: string): string {
	return wordBytes(hex).join('.');
}

function ipv6(hex: string): string {
	const bytes: number[] = [];
	for (let word = 0; word < 4; word++) bytes.push(...wordBytes(hex.slice(word * 8, word * 8 + 8)));
	// An IPv4 client of a dual-stack listener: ::ffff:a.b.c.d, as netstat shows it.
	if (bytes.slice(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
		return `::ffff:${bytes.slice(12).join('.')}`;
	}

	const groups: string[] = [];
	for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
	return compressIpv6(groups);
}

/** RFC 5952: the longest run of two or more zero groups becomes "::". */
function compressIpv6(groups: string[]): string {
	let bestStart = -1;
	let bestLength = 0;
	for (let i = 0; i < groups.length; ) {
		if (groups[i] !== '0') {
			i++;
			continue;
		}

		let end = i;
		while (end < groups.length && groups[end] === '0') end++;
		if (end - i > bestLength) {
			bestStart = i;
			bestLength = end - i;
		}

		i = end;
	}

	if (bestLength < 2) return groups.join(':');
	return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}`;
}
