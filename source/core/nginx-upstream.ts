// Finds `server HOST:PORT ...;` lines inside nginx `upstream NAME { }` blocks and adds or removes their `down`
// parameter, changing nothing else in the text (comments, spacing, other servers stay byte for byte).
// A small tokenizer, not a regex, so comments, quoted strings and other blocks cannot be mistaken for servers.

export interface UpstreamServer {
	upstream: string;
	/** The address as written, e.g. `voiceassist-server-1:8000`. */
	address: string;
	/** Lower-cased host, brackets removed for IPv6; null for unix: sockets. */
	host: string | null;
	/** 80 when the address gives none, as nginx reads it. */
	port: number | null;
	down: boolean;
	backup: boolean;
	/** 1-based line of the `server` word, for messages. */
	line: number;
	/** Offsets into the text: the `server` word, the `down` parameter when there is one, and the terminating `;`. */
	start: number;
	downAt: {start: number; end: number} | null;
	semicolonAt: number;
	lastTokenEnd: number;
}

interface Token {
	text: string;
	start: number;
	end: number;
	line: number;
}

type Piece = {kind: 'word'; token: Token} | {kind: 'open' | 'close' | 'semicolon'; at: number};

function tokenize(text: string): Piece[] {
	const pieces: Piece[] = [];
	let line = 1;
	let i = 0;
	while (i < text.length) {
		const char = text[i]!;
		if (char === '\n') {
			line++;
			i++;
		} else if (/\s/.test(char)) {
			i++;
		} else if (char === '#') {
			while (i < text.length && text[i] !== '\n') i++;
		} else if (char === '{' || char === '}' || char === ';') {
			pieces.push({kind: char === '{' ? 'open' : char === '}' ? 'close' : 'semicolon', at: i});
			i++;
		} else {
			const start = i;
			const startLine = line;
			let value = '';
			while (i < text.length) {
				const c = text[i]!;
				if (c === '"' || c === "'") {
					// A quoted part of a word: up to the matching quote, backslash escapes kept.
					i++;
					while (i < text.length && text[i] !== c) {
						if (text[i] === '\\') i++;
						if (text[i] === '\n') line++;
						value += text[i] ?? '';
						i++;
					}

					i++;
				} else if (/\s/.test(c) || c === '{' || c === '}' || c === ';' || (c === '#' && value === '')) {
					break;
				} else {
					if (c === '\\') i++;
					value += text[i] ?? '';
					i++;
				}
			}

			pieces.push({kind: 'word', token: {text: value, start, end: i, line: startLine}});
		}
	}

	return pieces;
}

function parseAddress(address: string): {host: string | null; port: number | null} {
	if (address.startsWith('unix:')) return {host: null, port: null};
	const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(address);
	if (bracketed) return {host: bracketed[1]!.toLowerCase(), port: bracketed[2] === undefined ? 80 : Number(bracketed[2])};
	const match = /^([^:]+)(?::(\d+))?$/.exec(address);
	if (!match) return {host: address.toLowerCase(), port: null};
	return {host: match[1]!.toLowerCase(), port: match[2] === undefined ? 80 : Number(match[2])};
}

/** Every `server` of every upstream block, in text order. */
export function listUpstreamServers(text: string): UpstreamServer[] {
	const pieces = tokenize(text);
	const servers: UpstreamServer[] = [];
	// Each open block: its name when it is an upstream block.
	const blocks: Array<string | null> = [];
	let statement: Token[] = [];
	for (const piece of pieces) {
		if (piece.kind === 'word') {
			statement.push(piece.token);
			continue;
		}

		if (piece.kind === 'open') {
			const isUpstream = statement.length === 2 && statement[0]!.text === 'upstream';
			blocks.push(isUpstream ? statement[1]!.text : null);
			statement = [];
			continue;
		}

		if (piece.kind === 'close') {
			blocks.pop();
			statement = [];
			continue;
		}

		// A semicolon ends a directive.
		const upstream = blocks.at(-1);
		if (upstream != null && statement.length >= 2 && statement[0]!.text === 'server') {
			const address = statement[1]!.text;
			const params = statement.slice(2);
			const downToken = params.find((token) => token.text === 'down');
			servers.push({
				upstream,
				address,
				...parseAddress(address),
				down: downToken !== undefined,
				backup: params.some((token) => token.text === 'backup'),
				line: statement[0]!.line,
				start: statement[0]!.start,
				downAt: downToken === undefined ? null : {start: downToken.start, end: downToken.end},
				semicolonAt: piece.at,
				lastTokenEnd: statement.at(-1)!.end,
			});
		}

		statement = [];
	}

	return servers;
}

/** The servers whose host is one of `hosts` (any case) and whose port is `port`. */
export function findServers(text: string, hosts: readonly string[], port: number): UpstreamServer[] {
	const wanted = new Set(hosts.map((host) => host.toLowerCase().replace(/^\[(.*)\]$/, '$1')));
	return listUpstreamServers(text).filter((server) => server.host !== null && wanted.has(server.host) && server.port === port);
}

export interface UpstreamEdit {
	text: string;
	/** Servers that matched. */
	matched: UpstreamServer[];
	/** Matched servers whose `down` was added (or removed); the others already were as asked. */
	changed: UpstreamServer[];
	/** Upstream blocks that would be left with no server that is neither down nor backup. */
	leftWithoutLive: string[];
}

/**
 * Marks the matching servers `down` (down=true) or takes the parameter away (down=false). Only servers listed in
 * `only` (by upstream and address) are touched when it is given, so a restore undoes exactly what was done.
 */
export function setServersDown(
	text: string,
	hosts: readonly string[],
	port: number,
	down: boolean,
	only?: ReadonlyArray<{upstream: string; address: string}>,
): UpstreamEdit {
	const all = listUpstreamServers(text);
	const matched = findServers(text, hosts, port).filter(
		(server) => only === undefined || only.some((pick) => pick.upstream === server.upstream && pick.address === server.address),
	);
	const changed = matched.filter((server) => server.down !== down);
	// Apply from the end so earlier offsets stay valid.
	let next = text;
	for (const server of [...changed].sort((a, b) => b.semicolonAt - a.semicolonAt)) {
		if (down) {
			next = `${next.slice(0, server.lastTokenEnd)} down${next.slice(server.lastTokenEnd)}`;
		} else if (server.downAt) {
			// Take the parameter and the blanks before it, keeping everything else as it was.
			let start = server.downAt.start;
			while (start > 0 && (next[start - 1] === ' ' || next[start - 1] === '\t')) start--;
			next = next.slice(0, start) + next.slice(server.downAt.end);
		}
	}

	const changedKeys = new Set(changed.map((server) => server.semicolonAt));
	const upstreams = [...new Set(all.map((server) => server.upstream))];
	const leftWithoutLive = upstreams.filter((name) => {
		const members = all.filter((server) => server.upstream === name);
		const liveAfter = members.filter((server) => {
			const isDown = changedKeys.has(server.semicolonAt) ? down : server.down;
			return !isDown && !server.backup;
		});
		return liveAfter.length === 0 && members.some((server) => changedKeys.has(server.semicolonAt));
	});
	return {text: next, matched, changed, leftWithoutLive};
}

/**
 * Splits `nginx -T` output into its files: nginx prints `# configuration file PATH:` before each one.
 * The text after a header is the file as nginx read it.
 */
export function splitNginxDump(dump: string): Map<string, string> {
	const files = new Map<string, string>();
	const header = /^# configuration file (.+):\r?$/gm;
	const marks: Array<{path: string; start: number; headerStart: number}> = [];
	for (let match = header.exec(dump); match !== null; match = header.exec(dump)) {
		marks.push({path: match[1]!, start: match.index + match[0].length + 1, headerStart: match.index});
	}

	marks.forEach((mark, index) => {
		const end = index + 1 < marks.length ? marks[index + 1]!.headerStart : dump.length;
		// nginx adds an empty line after each file.
		files.set(mark.path, dump.slice(mark.start, end).replace(/\n$/, ''));
	});
	return files;
}

/** The comment a retired server line becomes: nginx ignores it, va-top can bring it back. */
export const retiredMarker = '# va-top retired';

/**
 * Comments out the matching servers (those in `only`) as `# va-top retired (NOTE): server ...;`, for an instance
 * that is gone: nginx resolves every upstream name, even of `down` servers, when it loads its configuration, so a
 * line naming a removed container would make the next `nginx -t` or reload fail.
 */
export function retireServers(
	text: string,
	hosts: readonly string[],
	port: number,
	note: string,
	only?: ReadonlyArray<{upstream: string; address: string}>,
): {text: string; retired: UpstreamServer[]} {
	const retired = findServers(text, hosts, port).filter(
		(server) => only === undefined || only.some((pick) => pick.upstream === server.upstream && pick.address === server.address),
	);
	let next = text;
	for (const server of [...retired].sort((a, b) => b.start - a.start)) {
		const statement = next.slice(server.start, server.semicolonAt + 1).replace(/\s*[\r\n]+\s*/g, ' ');
		next = `${next.slice(0, server.start)}${retiredMarker} (${note.replace(/[()\r\n]/g, ' ')}): ${statement}${next.slice(server.semicolonAt + 1)}`;
	}

	return {text: next, retired};
}

/**
 * Brings back the servers va-top retired for one of `hosts` on `port`, without their `down`: a new instance that
 * took the name of a removed one gets its traffic again.
 */
export function reviveServers(text: string, hosts: readonly string[], port: number): {text: string; revived: string[]} {
	const wanted = new Set(hosts.map((host) => host.toLowerCase()));
	const revived: string[] = [];
	const pattern = /# va-top retired \([^)]*\): (server\s+(\S+?)(\s[^;\n]*)?;)/g;
	const next = text.replace(pattern, (whole, statement: string, address: string) => {
		const port80 = /^\[/.test(address) ? address : address.includes(':') ? address : `${address}:80`;
		const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(port80);
		if (!match || !wanted.has(match[1]!.toLowerCase()) || Number(match[2]) !== port) return whole;
		revived.push(address);
		return statement.replace(/\s+down(?=[\s;])/, '');
	});
	return {text: next, revived};
}
