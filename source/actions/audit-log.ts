// The audit trail of actions: one JSON line per event, appended and fsynced before the call returns, so a line
// written before an action survives a crash during it.
//
// Contract (docs for operators):
// - Default path: $XDG_STATE_HOME/va-top/audit.log, else ~/.local/state/va-top/audit.log; --audit-log FILE changes it.
// - Directories va-top creates are 0700. The file is created 0600 and opened O_WRONLY|O_APPEND|O_CREAT|O_NOFOLLOW:
//   it is only ever appended to, never truncated or rewritten, and a symlink planted at its path is not followed.
// - A log that already exists and is readable or writable by group or others, or owned by another user, or is not a
//   regular file, is REFUSED, not repaired: va-top does not chmod it (what was exposed stays exposed, and someone chose
//   those bits). Every action is then refused with the reason until the owner fixes it (chmod 600 FILE).
// - It is opened on the first action, so a monitor that never acts (or runs --read-only) creates nothing.
// - Fields: time (ISO 8601 UTC), user, host (where va-top runs), action ('scale' | 'drain' | 'node'), instance (name,
//   or null when a scale touches several), instances (every instance created or removed, by container name; null
//   where not known yet: a scale-up's 'began'), from, to (instance counts, or null), result ('began' | 'ok' |
//   'refused' | 'failed' | 'aborted' | 'dry-run'), duration (milliseconds since 'began', null on 'began'), error (one
//   line or null), engine (the Docker engine acted on, by name, when va-top knows it: every Engine API and compose
//   action); Swarm adds node (the node acted on), availability {from, to} (a node's) and version (the service's or
//   node's version the change was made against), and action 'node' for a node's availability. Passwords never appear: every
//   error goes through the URL scrubber and the known secrets are masked.
import {closeSync, constants, fstatSync, fsyncSync, mkdirSync, openSync, writeSync} from 'node:fs';
import {hostname, homedir, userInfo} from 'node:os';
import path from 'node:path';
import type {ActionKind} from '../core/action-rules.js';
import {scrubSecrets} from '../core/redact.js';

export type AuditResult = 'began' | 'ok' | 'refused' | 'failed' | 'aborted' | 'dry-run';

export interface AuditRecord {
	time: string;
	user: string;
	host: string;
	action: ActionKind;
	instance: string | null;
	/** The instances the action created or removed (or is about to): a scale names them all. Null where not known yet. */
	instances: string[] | null;
	from: number | null;
	to: number | null;
	result: AuditResult;
	duration: number | null;
	error: string | null;
	/** The Docker engine(s) acted on, by name (`app2`, or `app1, app2` for a scale-down across hosts); absent when not known. */
	engine?: string;
	/** Swarm: the node acted on (the drained task's node, or the node whose availability changed). */
	node?: string;
	/** Swarm: a node's availability before and after (`active`, `drain`). */
	availability?: {from: string; to: string};
	/** Swarm: the service's version the change was made against (the precondition). */
	version?: number;
}

export type AuditEntry = Omit<AuditRecord, 'time' | 'user' | 'host' | 'instances'> & {instances?: string[] | null};

export interface AuditLog {
	readonly path: string;
	/** Appends one line and fsyncs it. Throws AuditLogError when the log cannot be used; nothing is written then. */
	write(entry: AuditEntry): void;
	close(): void;
}

export class AuditLogError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'AuditLogError';
	}
}

/** $XDG_STATE_HOME/va-top/audit.log when XDG_STATE_HOME is an absolute path (as the XDG spec requires), else ~/.local/state/va-top/audit.log. */
export function defaultAuditLogPath(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
	const state = env.XDG_STATE_HOME?.trim();
	const base = state !== undefined && path.isAbsolute(state) ? state : path.join(home, '.local', 'state');
	return path.join(base, 'va-top', 'audit.log');
}

export interface AuditLogOptions {
	/** undefined: defaultAuditLogPath(env). */
	path?: string;
	env?: NodeJS.ProcessEnv;
	now?: () => number;
	user?: string;
	host?: string;
	/** Strings to mask wherever they appear (database and Redis passwords, tokens). */
	secrets?: readonly string[];
}

function currentUser(env: NodeJS.ProcessEnv): string {
	try {
		return userInfo().username;
	} catch {
		return env.USER ?? env.LOGNAME ?? String(process.getuid?.() ?? 'unknown');
	}
}

function oneLine(text: string): string {
	return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

export function openAuditLog(options: AuditLogOptions = {}): AuditLog {
	const env = options.env ?? process.env;
	const file = path.resolve(options.path ?? defaultAuditLogPath(env));
	const now = options.now ?? Date.now;
	const user = options.user ?? currentUser(env);
	const host = options.host ?? hostname();
	const secrets = options.secrets ?? [];
	let fd: number | undefined;

	function open(): number {
		if (fd !== undefined) return fd;
		const directory = path.dirname(file);
		try {
			mkdirSync(directory, {recursive: true, mode: 0o700});
		} catch (error) {
			throw new AuditLogError(`audit log ${file}: cannot create ${directory} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
		}

		let opened: number;
		try {
			opened = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code;
			const why = code === 'ELOOP' ? 'it is a symbolic link, which va-top does not follow' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (code ?? String(error));
			throw new AuditLogError(`audit log ${file}: cannot open (${why})`);
		}

		// Checked on the open descriptor, so nothing can swap the file between the check and the writes.
		const stat = fstatSync(opened);
		const uid = process.getuid?.();
		let problem: string | undefined;
		if (!stat.isFile()) problem = 'it is not a regular file';
		else if (uid !== undefined && stat.uid !== uid) problem = `it belongs to uid ${stat.uid}, not to this user (uid ${uid})`;
		else if ((stat.mode & 0o077) !== 0) {
			const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
			problem = `it is open to group or others (mode ${mode}); fix it with: chmod 600 ${file}`;
		}

		if (problem !== undefined) {
			closeSync(opened);
			throw new AuditLogError(`audit log ${file}: refusing to write, ${problem}`);
		}

		if (stat.size === 0) {
			// A new file: make its directory entry durable too.
			try {
				const directoryFd = openSync(directory, constants.O_RDONLY);
				try {
					fsyncSync(directoryFd);
				} finally {
					closeSync(directoryFd);
				}
			} catch {
				// Some filesystems refuse fsync on a directory; the file's own fsync still holds.
			}
		}

		fd = opened;
		return opened;
	}

	return {
		path: file,
		write(entry) {
			const record: AuditRecord = {
				time: new Date(now()).toISOString(),
				user,
				host,
				action: entry.action,
				instance: entry.instance,
				instances: entry.instances ?? (entry.instance === null ? null : [entry.instance]),
				from: entry.from,
				to: entry.to,
				result: entry.result,
				duration: entry.duration === null ? null : Math.max(0, Math.round(entry.duration)),
				error: entry.error === null ? null : oneLine(scrubSecrets(entry.error, secrets)),
				...(entry.engine === undefined ? {} : {engine: entry.engine}),
				...(entry.node === undefined ? {} : {node: entry.node}),
				...(entry.availability === undefined ? {} : {availability: entry.availability}),
				...(entry.version === undefined ? {} : {version: entry.version}),
			};
			const line = `${JSON.stringify(record)}\n`;
			const target = open();
			try {
				const buffer = Buffer.from(line, 'utf8');
				let written = 0;
				while (written < buffer.length) written += writeSync(target, buffer, written, buffer.length - written);
				fsyncSync(target);
			} catch (error) {
				throw new AuditLogError(`audit log ${file}: write failed (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
			}
		},
		close() {
			if (fd === undefined) return;
			closeSync(fd);
			fd = undefined;
		},
	};
}
