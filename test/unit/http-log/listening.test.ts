import {describe, expect, it} from 'vitest';
import {listeningSockets, socketInode} from '../../../source/sources/http-log/listening.js';

// /proc/net/tcp and tcp6 of a host with two app containers on the host network and nginx, as the kernel prints them.
const procNetTcp = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:46B5 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 91001 1 0000000000000000 100 0 0 10 0
   1: 00000000:46B6 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 91002 1 0000000000000000 100 0 0 10 0
   2: 0100007F:4650 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 91003 1 0000000000000000 100 0 0 10 0
   3: 0100007F:46B5 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 91004 1 0000000000000000 20 4 30 10 -1
  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:46B7 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 91005 1 0000000000000000 100 0 0 10 0
`;

describe('the ports a container listens on', () => {
	it('keeps the LISTEN sockets whose inode its processes hold, IPv4 and IPv6', () => {
		expect(listeningSockets(procNetTcp, new Set([91001, 91004]))).toEqual([{address: '127.0.0.1', port: 18101}]);
		expect(listeningSockets(procNetTcp, new Set([91002, 91005]))).toEqual([
			{address: '0.0.0.0', port: 18102},
			{address: '::', port: 18103},
		]);
	});

	it('finds nothing for inodes that are not listening sockets, or text that is not the table', () => {
		expect(listeningSockets(procNetTcp, new Set([91004, 1]))).toEqual([]);
		expect(listeningSockets('cat: /proc/net/tcp: No such file', new Set([1]))).toEqual([]);
	});

	it('reads the inode of a socket fd link and nothing else', () => {
		expect(socketInode('socket:[91001]')).toBe(91001);
		expect(socketInode('pipe:[5]')).toBeNull();
		expect(socketInode('/dev/null')).toBeNull();
	});
});
