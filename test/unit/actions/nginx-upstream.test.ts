import {describe, expect, it} from 'vitest';
import {findServers, listUpstreamServers, retireServers, reviveServers, setServersDown, splitNginxDump} from '../../../source/core/nginx-upstream.js';

// The runbook's load balancer config, as a file (comments restored to their own lines).
const runbook = `upstream voiceassist_backend {
    least_conn;  # Use least connections algorithm
    server voiceassist-server-1:8000 max_fails=3 fail_timeout=30s;
    server voiceassist-server-2:8000 max_fails=3 fail_timeout=30s;
    server voiceassist-server-3:8000 max_fails=3 fail_timeout=30s;
    keepalive 32;
}
server {
    listen 80;
    # server voiceassist-server-3:8000;  a comment, not a server
    location / {
        proxy_pass http://voiceassist_backend;
        proxy_set_header Host $host;
    }
}
`;

describe('listUpstreamServers', () => {
	it('finds the servers of upstream blocks only, with host, port and parameters', () => {
		const servers = listUpstreamServers(runbook);
		expect(servers.map((server) => [server.upstream, server.address, server.host, server.port, server.down, server.line])).toEqual([
			['voiceassist_backend', 'voiceassist-server-1:8000', 'voiceassist-server-1', 8000, false, 3],
			['voiceassist_backend', 'voiceassist-server-2:8000', 'voiceassist-server-2', 8000, false, 4],
			['voiceassist_backend', 'voiceassist-server-3:8000', 'voiceassist-server-3', 8000, false, 5],
		]);
	});

	it('ignores `server` blocks and directives outside upstream, quoted text and comments', () => {
		const text = `http { server { listen 80; server_name "server a:8000;"; }
upstream b { server [::1]:8000 weight=2 down; server unix:/tmp/s.sock; server app backup; } }`;
		const servers = listUpstreamServers(text);
		expect(servers.map((server) => [server.upstream, server.host, server.port, server.down, server.backup])).toEqual([
			['b', '::1', 8000, true, false],
			['b', null, null, false, false],
			['b', 'app', 80, false, true],
		]);
	});
});

describe('setServersDown', () => {
	it('marks the one server down and changes nothing else, then takes it back byte for byte', () => {
		const down = setServersDown(runbook, ['voiceassist-server-3'], 8000, true);
		expect(down.changed).toHaveLength(1);
		expect(down.text).toContain('server voiceassist-server-3:8000 max_fails=3 fail_timeout=30s down;');
		expect(down.text.replace(' down;', ';')).toBe(runbook);
		expect(down.leftWithoutLive).toEqual([]);
		const back = setServersDown(down.text, ['voiceassist-server-3'], 8000, false);
		expect(back.text).toBe(runbook);
		expect(back.changed).toHaveLength(1);
	});

	it('matches any of the names given, in any case, and only on the app port', () => {
		expect(findServers(runbook, ['VoiceAssist-Server-2', 'other'], 8000)).toHaveLength(1);
		expect(findServers(runbook, ['voiceassist-server-2'], 8001)).toHaveLength(0);
		expect(findServers('upstream u { server app-1; }', ['app-1'], 80)).toHaveLength(1);
		expect(findServers('upstream u { server [::1]:8000; }', ['[::1]'], 8000)).toHaveLength(1);
	});

	it('leaves a server that was already down as it is, and says so', () => {
		const text = 'upstream u { server a:8000 down; server b:8000; }';
		const edit = setServersDown(text, ['a'], 8000, true);
		expect(edit.matched).toHaveLength(1);
		expect(edit.changed).toHaveLength(0);
		expect(edit.text).toBe(text);
	});

	it('restores only the servers it is told to', () => {
		const text = 'upstream u { server a:8000 down; server a:8000 weight=1 down; }';
		const edit = setServersDown(text, ['a'], 8000, false, [{upstream: 'u', address: 'a:8000'}]);
		expect(edit.text).toBe('upstream u { server a:8000; server a:8000 weight=1; }');
		const none = setServersDown(text, ['a'], 8000, false, [{upstream: 'other', address: 'a:8000'}]);
		expect(none.text).toBe(text);
	});

	it('reports an upstream that would be left with no live server', () => {
		const text = 'upstream u {\n\tserver a:8000;\n\tserver b:8000 backup;\n}\nupstream v { server c:8000; }';
		expect(setServersDown(text, ['a'], 8000, true).leftWithoutLive).toEqual(['u']);
		expect(setServersDown(text, ['c'], 8000, true).leftWithoutLive).toEqual(['v']);
		expect(setServersDown(text, ['zzz'], 8000, true)).toMatchObject({leftWithoutLive: [], matched: []});
	});

	it('keeps tabs and CRLF lines intact around the edit', () => {
		const text = 'upstream u {\r\n\tserver a:8000\tweight=2 ;\r\n\tserver b:8000;\r\n}\r\n';
		const down = setServersDown(text, ['a'], 8000, true);
		expect(down.text).toBe('upstream u {\r\n\tserver a:8000\tweight=2 down ;\r\n\tserver b:8000;\r\n}\r\n');
		expect(setServersDown(down.text, ['a'], 8000, false).text).toBe(text);
	});
});

describe('splitNginxDump', () => {
	it('splits `nginx -T` output into its files', () => {
		const dump = '# configuration file /etc/nginx/nginx.conf:\nhttp {\n\tinclude conf.d/*.conf;\n}\n\n# configuration file /etc/nginx/conf.d/app.conf:\nupstream u { server a:8000; }\n\n';
		const files = splitNginxDump(dump);
		expect([...files.keys()]).toEqual(['/etc/nginx/nginx.conf', '/etc/nginx/conf.d/app.conf']);
		expect(files.get('/etc/nginx/conf.d/app.conf')).toBe('upstream u { server a:8000; }\n');
		expect(files.get('/etc/nginx/nginx.conf')).toBe('http {\n\tinclude conf.d/*.conf;\n}\n');
	});
});

describe('retireServers and reviveServers', () => {
	it('comments out a removed instance, which nginx then ignores, and brings it back for a new one of the same name', () => {
		const down = setServersDown(runbook, ['voiceassist-server-3'], 8000, true).text;
		const retired = retireServers(down, ['voiceassist-server-3'], 8000, 'removed 2025-11-27T12:00:00Z');
		expect(retired.retired).toHaveLength(1);
		expect(retired.text).toContain('    # va-top retired (removed 2025-11-27T12:00:00Z): server voiceassist-server-3:8000 max_fails=3 fail_timeout=30s down;\n    keepalive 32;');
		expect(listUpstreamServers(retired.text).map((server) => server.address)).toEqual(['voiceassist-server-1:8000', 'voiceassist-server-2:8000']);
		const revived = reviveServers(retired.text, ['voiceassist-server-3', 'other'], 8000);
		expect(revived.revived).toEqual(['voiceassist-server-3:8000']);
		expect(revived.text).toBe(runbook);
	});

	it('revives only the names and port asked for, and only what va-top retired', () => {
		const text = 'upstream u {\n\t# va-top retired (x): server a:8000 down;\n\t# server b:8000;\n\t# va-top retired (y): server a:9000 down;\n}';
		expect(reviveServers(text, ['b'], 8000).revived).toEqual([]);
		expect(reviveServers(text, ['a'], 8000).text).toBe('upstream u {\n\tserver a:8000;\n\t# server b:8000;\n\t# va-top retired (y): server a:9000 down;\n}');
	});

	it('puts a server spread over lines on one commented line', () => {
		const text = 'upstream u {\n\tserver a:8000\n\t\tweight=2 down;\n\tserver b:8000;\n}';
		const retired = retireServers(text, ['a'], 8000, 'gone (now)');
		// Parentheses in the note would end the marker early: they become blanks.
		expect(retired.text).toBe('upstream u {\n\t# va-top retired (gone  now ): server a:8000 weight=2 down;\n\tserver b:8000;\n}');
	});
});
