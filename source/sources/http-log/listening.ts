// The TCP ports a container's own processes listen on: the sockets in LISTEN in /proc/net/tcp{,6} whose inode is
// one of the `socket:[inode]` links in the processes' /proc/PID/fd. On the host network every container sees the
// host's whole socket table, so the inode is what tells whose socket it is. Pure: texts in, sockets out.
import {parseProcNetTcp} from '../../core/proc-net-tcp.js';
import type {ListeningSocket} from './instance-map.js';

/** LISTEN sockets of /proc/net/tcp and tcp6 text whose inode is in `inodes`. */
export function listeningSockets(procNetTcp: string, inodes: ReadonlySet<number>): ListeningSocket[] {
	const out: ListeningSocket[] = [];
	for (const line of procNetTcp.split('\n')) {
		const inode = Number(line.trim().split(/\s+/)[9]);
		if (!inodes.has(inode)) continue;
		const socket = parseProcNetTcp(line)[0];
		if (socket?.state === 'LISTEN') out.push({address: socket.localAddress, port: socket.localPort});
	}

	return out;
}

/** The inode of an fd link's target, `socket:[12345]` → 12345; null for anything else. */
export function socketInode(link: string): number | null {
	const match = /^socket:\[(\d+)\]$/.exec(link);
	return match ? Number(match[1]) : null;
}
