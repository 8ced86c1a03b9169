import {describe, expect, it} from 'vitest';
import {countEstablished, looksLikeProcNetTcp, parseProcNetTcp} from '../../../source/core/proc-net-tcp.js';

// Read from a busybox instance (httpd on :8000, IPv6 dual-stack listener), then two lines set to ESTABLISHED (01).
const tcp4 = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:8A28 0100007F:1F40 06 00000000:00000000 03:00001002 00000000     0        0 0 3 00000000280fa7aa
   1: 0100007F:8D02 0100007F:1F40 01 00000000:00000000 00:00000000 00000000     0        0 5521 1 000000007937563c 20 4 30 10 -1
   2: 0100007F:1F40 0100007F:9C41 01 00000000:00000000 00:00000000 00000000     0        0 5522 1 000000007937563c 20 4 30 10 -1
   3: 0200000A:1F41 0100000A:D431 01 00000000:00000000 00:00000000 00000000     0        0 5523 1 000000007937563c 20 4 30 10 -1
`;
const tcp6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F40 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 136458 1 00000000af47417c 100 0 0 10 0
   1: 0000000000000000FFFF00000100007F:1F40 0000000000000000FFFF00000100007F:D68E 01 00000000:00000000 03:00000420 00000000     0        0 0 3 000000007a149239
   2: 0000000000000000FFFF00000100007F:1F40 0000000000000000FFFF00000100007F:81C6 06 00000000:00000000 03:00000C0B 00000000     0        0 0 3 00000000283d8817
   3: 00000000000000000000000001000000:1F40 00000000000000000000000001000000:B16A 01 00000000:00000000 03:00000814 00000000     0        0 0 3 0000000020b745c8
   4: B80D01200000000000000000010000FE:1F40 B80D01200000000000000000020000FE:B16B 01 00000000:00000000 03:00000814 00000000     0        0 0 3 0000000020b745c9
`;

describe('parseProcNetTcp', () => {
	it('decodes IPv4 addresses, ports and states as netstat shows them', () => {
		const sockets = parseProcNetTcp(tcp4);
		expect(sockets).toHaveLength(4);
		expect(sockets[0]).toEqual({family: 4, localAddress: '127.0.0.1', localPort: 35368, remoteAddress: '127.0.0.1', remotePort: 8000, state: 'TIME_WAIT'});
		expect(sockets[2]).toMatchObject({localPort: 8000, remotePort: 40001, state: 'ESTABLISHED'});
		expect(sockets[3]).toMatchObject({localAddress: '10.0.0.2', localPort: 8001, remoteAddress: '10.0.0.1'});
	});

	it('decodes IPv6, IPv4-mapped and compressed addresses', () => {
		const sockets = parseProcNetTcp(tcp6);
		expect(sockets[0]).toMatchObject({family: 6, localAddress: '::', localPort: 8000, state: 'LISTEN'});
		expect(sockets[1]).toMatchObject({localAddress: '::ffff:127.0.0.1', remoteAddress: '::ffff:127.0.0.1', remotePort: 54926});
		expect(sockets[3]).toMatchObject({localAddress: '::1', remoteAddress: '::1'});
		// Each 32-bit word is little-endian: B80D0120 is 2001:0db8.
		expect(sockets[4]).toMatchObject({localAddress: '2001:db8::fe00:1', remoteAddress: '2001:db8::fe00:2', localPort: 8000, remotePort: 45419});
	});

	it('skips headers, blank lines and anything not shaped like a socket line', () => {
		expect(parseProcNetTcp('')).toEqual([]);
		expect(parseProcNetTcp('cat: /proc/net/tcp6: No such file or directory\n   9: zz:1F40 0100007F:1F40 01\n')).toEqual([]);
		expect(parseProcNetTcp('   0: 0100007F:1F40 00000000000000000000000000000000:0000 01 x')).toEqual([]);
	});
});

describe('countEstablished', () => {
	it('counts only ESTABLISHED sockets whose local port is the app port, over both files', () => {
		// 2 in tcp4 has local 8000; 1, 3 and 4 in tcp6 have local 8000 and are established. TIME_WAIT and LISTEN are not counted,
		// nor the client end (local 36098 → 8000) of a connection made inside the instance.
		expect(countEstablished(tcp4 + tcp6, 8000)).toBe(4);
		expect(countEstablished(tcp4, 8000)).toBe(1);
		expect(countEstablished(tcp4, 8001)).toBe(1);
		expect(countEstablished(tcp6, 9000)).toBe(0);
	});

	it('recognises a read that worked but holds no socket', () => {
		const headerOnly = tcp4.split('\n')[0]!;
		expect(looksLikeProcNetTcp(headerOnly)).toBe(true);
		expect(countEstablished(headerOnly, 8000)).toBe(0);
		expect(looksLikeProcNetTcp('OCI runtime exec failed: exec: "cat": executable file not found')).toBe(false);
	});
});
