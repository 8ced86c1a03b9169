// Engine API helpers the actions need beyond listing: run a command inside a container and read its output, and
// read or replace one file through the archive endpoints (so editing nginx's config needs no shell in its image and
// works the same over unix://, tcp:// and ssh://).
import path from 'node:path';
import {PassThrough} from 'node:stream';
import type Dockerode from 'dockerode';

export interface ExecResult {
	exitCode: number | null;
	stdout: string;
	stderr: string;
}

/**
 * Runs `cmd` (argv, no shell) in the container, feeding it `stdin` when given; rejects only when the engine cannot
 * run it or it times out.
 */
export async function execIn(docker: Dockerode, id: string, cmd: readonly string[], timeoutMs = 15_000, stdin?: Buffer): Promise<ExecResult> {
	const container = docker.getContainer(id);
	const withInput = stdin !== undefined;
	const exec = await container.exec({Cmd: [...cmd], AttachStdout: true, AttachStderr: true, AttachStdin: withInput, Tty: false});
	const stream = (await exec.start({hijack: true, stdin: withInput})) as NodeJS.ReadWriteStream & {destroy?: () => void};
	if (withInput) {
		// Ending our side closes the command's stdin.
		stream.end(stdin);
	}

	const stdout = new PassThrough();
	const stderr = new PassThrough();
	const out: Buffer[] = [];
	const err: Buffer[] = [];
	stdout.on('data', (chunk: Buffer) => out.push(chunk));
	stderr.on('data', (chunk: Buffer) => err.push(chunk));
	docker.modem.demuxStream(stream, stdout, stderr);
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => {
			stream.destroy?.();
			reject(new Error(`\`${cmd.join(' ')}\` in ${id.slice(0, 12)} did not finish within ${Math.round(timeoutMs / 1000)} s`));
		}, timeoutMs);
		const done = () => {
			clearTimeout(timer);
			resolve();
		};

		stream.on('end', done);
		stream.on('close', done);
		stream.on('error', (error: Error) => {
			clearTimeout(timer);
			reject(error);
		});
	});
	// The exit code is set a moment after the stream ends.
	let exitCode: number | null = null;
	for (let attempt = 0; attempt < 20; attempt++) {
		const info = await exec.inspect();
		if (!info.Running) {
			exitCode = info.ExitCode ?? null;
			break;
		}

		await new Promise((resolve) => setTimeout(resolve, 25));
	}

	return {exitCode, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8')};
}

/** The last non-empty line of a command's output, for an error message. */
export function lastLine(text: string): string {
	const lines = text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
	return lines.at(-1) ?? '';
}

export interface ContainerFile {
	/** The path of the regular file read, after following symbolic links. */
	path: string;
	content: Buffer;
	mode: number;
	uid: number;
	gid: number;
}

interface TarEntry {
	name: string;
	type: string;
	mode: number;
	uid: number;
	gid: number;
	linkName: string;
	data: Buffer;
}

function octal(block: Buffer, start: number, length: number): number {
	const text = block.subarray(start, start + length).toString('ascii').replace(/\0.*$/s, '').trim();
	return text === '' ? 0 : Number.parseInt(text, 8);
}

function cString(block: Buffer, start: number, length: number): string {
	return block.subarray(start, start + length).toString('utf8').replace(/\0.*$/s, '');
}

function paxRecords(data: Buffer): Map<string, string> {
	const records = new Map<string, string>();
	let at = 0;
	while (at < data.length) {
		const space = data.indexOf(0x20, at);
		if (space === -1) break;
		const length = Number.parseInt(data.subarray(at, space).toString('ascii'), 10);
		if (!(length > 0)) break;
		const record = data.subarray(space + 1, at + length - 1).toString('utf8');
		const equals = record.indexOf('=');
		if (equals > 0) records.set(record.slice(0, equals), record.slice(equals + 1));
		at += length;
	}

	return records;
}

/** The entries of a tar stream as the engine sends them (ustar, with pax or GNU long-name records). */
export function readTar(tar: Buffer): TarEntry[] {
	const entries: TarEntry[] = [];
	let at = 0;
	let pending: {name?: string; linkName?: string; size?: number} = {};
	while (at + 512 <= tar.length) {
		const header = tar.subarray(at, at + 512);
		if (header.every((byte) => byte === 0)) break;
		const type = String.fromCharCode(header[156]!) || '0';
		let size = octal(header, 124, 12);
		if (type !== 'x' && type !== 'g' && pending.size !== undefined) size = pending.size;
		const data = tar.subarray(at + 512, at + 512 + size);
		at += 512 + Math.ceil(size / 512) * 512;
		if (type === 'x') {
			const records = paxRecords(data);
			pending = {name: records.get('path'), linkName: records.get('linkpath'), size: records.has('size') ? Number(records.get('size')) : undefined};
			continue;
		}

		if (type === 'g') continue;
		if (type === 'L') {
			pending.name = data.toString('utf8').replace(/\0.*$/s, '');
			continue;
		}

		if (type === 'K') {
			pending.linkName = data.toString('utf8').replace(/\0.*$/s, '');
			continue;
		}

		const prefix = cString(header, 345, 155);
		const baseName = cString(header, 0, 100);
		entries.push({
			name: pending.name ?? (prefix ? `${prefix}/${baseName}` : baseName),
			type: type === '\0' ? '0' : type,
			mode: octal(header, 100, 8),
			uid: octal(header, 108, 8),
			gid: octal(header, 116, 8),
			linkName: pending.linkName ?? cString(header, 157, 100),
			data: Buffer.from(data),
		});
		pending = {};
	}

	return entries;
}

/** A tar holding one regular file, for PUT /containers/{id}/archive. */
export function writeTar(name: string, content: Buffer, options: {mode: number; uid: number; gid: number; mtime?: number}): Buffer {
	if (Buffer.byteLength(name) > 100) throw new Error(`file name too long for the archive: ${name}`);
	const header = Buffer.alloc(512, 0);
	const put = (text: string, start: number, length: number) => header.write(text, start, length, 'utf8');
	const number = (value: number, start: number, length: number) => put(`${value.toString(8).padStart(length - 1, '0')}\0`, start, length);
	put(name, 0, 100);
	number(options.mode & 0o7777, 100, 8);
	number(options.uid, 108, 8);
	number(options.gid, 116, 8);
	number(content.length, 124, 12);
	number(Math.floor((options.mtime ?? Date.now()) / 1000), 136, 12);
	header.fill(0x20, 148, 156);
	put('0', 156, 1);
	put('ustar\0', 257, 6);
	put('00', 263, 2);
	let sum = 0;
	for (const byte of header) sum += byte;
	put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
	const padding = Buffer.alloc((512 - (content.length % 512)) % 512, 0);
	return Buffer.concat([header, content, padding, Buffer.alloc(1024, 0)]);
}

async function streamToBuffer(stream: NodeJS.ReadableStream): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
	return Buffer.concat(chunks);
}

/** Reads one file of the container, following symbolic links (as nginx does when it includes one). */
export async function readContainerFile(docker: Dockerode, id: string, file: string): Promise<ContainerFile> {
	let current = file;
	for (let hop = 0; hop < 8; hop++) {
		const stream = await docker.getContainer(id).getArchive({path: current});
		const entries = readTar(await streamToBuffer(stream));
		const entry = entries[0];
		if (entry === undefined) throw new Error(`${current}: the engine sent an empty archive`);
		if (entry.type === '2') {
			current = path.posix.resolve(path.posix.dirname(current), entry.linkName);
			continue;
		}

		if (entry.type !== '0' && entry.type !== '7') throw new Error(`${current} is not a regular file`);
		return {path: current, content: entry.data, mode: entry.mode, uid: entry.uid, gid: entry.gid};
	}

	throw new Error(`${file}: too many symbolic links`);
}

/**
 * Replaces one file of the container with `content`, keeping the mode and owner it had. Through the archive endpoint
 * first; a file bind-mounted on its own (as the runbook mounts nginx.conf) cannot be replaced that way (the engine
 * cannot unlink a mount point), so then it is rewritten in place by `sh -c 'cat > FILE'` in the container.
 */
export async function writeContainerFile(docker: Dockerode, id: string, file: ContainerFile, content: Buffer): Promise<void> {
	const tar = writeTar(path.posix.basename(file.path), content, {mode: file.mode, uid: file.uid, gid: file.gid});
	try {
		await docker.getContainer(id).putArchive(tar, {path: path.posix.dirname(file.path)});
		return;
	} catch (archiveError) {
		let result: ExecResult;
		try {
			result = await execIn(docker, id, ['sh', '-c', 'cat > "$1"', 'va-top', file.path], 15_000, content);
		} catch {
			throw new Error(engineMessage(archiveError));
		}

		if (result.exitCode !== 0) {
			const why = lastLine(result.stderr) || lastLine(result.stdout) || engineMessage(archiveError);
			const hint = /read-only/i.test(why) ? ' (mounted read-only: edit it where it is mounted from, or use --lb-remove-cmd/--lb-restore-cmd)' : '';
			throw new Error(`${why}${hint}`);
		}
	}
}

/** The engine's own message for an API error (dockerode wraps it in "(HTTP code N) ..."). */
export function engineMessage(error: unknown): string {
	const json = (error as {json?: {message?: unknown}} | null)?.json;
	if (json && typeof json.message === 'string') return json.message.trim();
	const message = error instanceof Error ? error.message : String(error);
	return message.replace(/^\(HTTP code \d+\)\s*[a-z ,]*-\s*/i, '').split('\n', 1)[0]!.trim();
}

export function httpStatus(error: unknown): number | undefined {
	const code = (error as {statusCode?: unknown} | null)?.statusCode;
	return typeof code === 'number' ? code : undefined;
}
