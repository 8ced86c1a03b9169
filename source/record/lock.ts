// One writer per stack: a lock file next to the store, created with O_EXCL. The autoscaler takes one of its own in
// the same folder (autoscale.lock): one autoscaler per stack, beside the recorder. It names its holder (pid, host, the
// process's start time), so a lock left by a process that died (kill -9, a crash, a reboot) is taken over, while
// one whose holder still runs makes this process a reader. The pid's start time tells a reused pid from the holder.
import {randomBytes} from 'node:crypto';
import {closeSync, constants, fsyncSync, openSync, readFileSync, statSync, unlinkSync, writeSync} from 'node:fs';
import {hostname} from 'node:os';

export interface LockHolder {
	pid: number;
	host: string;
	/** Field 22 of /proc/PID/stat (clock ticks since boot), null where there is no /proc. */
	startTime: string | null;
	/** What holds it: the headless recorder, a live monitor, or an autoscaler (headless or the live monitor's). */
	role: 'record' | 'live' | 'autoscale';
	since: string;
	nonce: string;
}

export interface StoreLock {
	readonly path: string;
	readonly holder: LockHolder;
	/** False once another process has taken the lock over (it judged this one dead): stop writing then. */
	stillOurs(): boolean;
	release(): void;
}

export type LockResult = {kind: 'held'; lock: StoreLock} | {kind: 'busy'; holder: LockHolder | null; reason: string};

/** A lock file that cannot be parsed is someone's being written, unless it is older than this. */
const unreadableGraceMs = 5000;

export function processStartTime(pid: number): string | null {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return fields[19] ?? null;
	} catch {
		return null;
	}
}

function readHolder(file: string): LockHolder | null {
	try {
		const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
		if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string' || typeof parsed.nonce !== 'string') return null;
		return {pid: parsed.pid, host: parsed.host, startTime: parsed.startTime ?? null, role: parsed.role === 'live' || parsed.role === 'autoscale' ? parsed.role : 'record', since: String(parsed.since ?? ''), nonce: parsed.nonce};
	} catch {
		return null;
	}
}

/** Whether the holder still runs; on another host va-top cannot tell, and assumes it does. */
export function holderAlive(holder: LockHolder, host = hostname()): boolean {
	if (holder.host !== host) return true;
	try {
		process.kill(holder.pid, 0);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
	}

	// The pid runs: the holder, unless the pid was reused by a process that started at another time.
	if (holder.startTime === null) return true;
	const now = processStartTime(holder.pid);
	return now === null || now === holder.startTime;
}

export function describeHolder(holder: LockHolder | null): string {
	if (holder === null) return 'another va-top';
	const what = holder.role === 'live' ? 'a live va-top' : holder.role === 'autoscale' ? 'a va-top autoscaler' : 'va-top --record';
	return `${what} (pid ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`})`;
}

export function acquireLock(file: string, role: LockHolder['role']): LockResult {
	const holder: LockHolder = {
		pid: process.pid,
		host: hostname(),
		startTime: processStartTime(process.pid),
		role,
		since: new Date().toISOString(),
		nonce: randomBytes(8).toString('hex'),
	};

	for (let attempt = 0; attempt < 3; attempt++) {
		let fd: number;
		try {
			fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
				return {kind: 'busy', holder: null, reason: `cannot create the lock ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`};
			}

			const current = readHolder(file);
			if (current === null) {
				let age = 0;
				try {
					age = Date.now() - statSync(file).mtimeMs;
				} catch {
					continue; // gone meanwhile: try again
				}

				if (age < unreadableGraceMs) return {kind: 'busy', holder: null, reason: 'another va-top is taking the lock'};
			} else if (holderAlive(current)) {
				return {kind: 'busy', holder: current, reason: `${describeHolder(current)} ${current.role === 'autoscale' ? 'autoscales' : 'records'} this stack`};
			}

			// Its holder is gone: remove the lock, unless it changed since we read it (someone else took it over).
			const again = readHolder(file);
			if (again?.nonce !== current?.nonce) continue;
			try {
				unlinkSync(file);
			} catch {
				// Removed by another process taking it over at the same moment: the O_EXCL create decides.
			}

			continue;
		}

		try {
			writeSync(fd, `${JSON.stringify(holder)}\n`);
			fsyncSync(fd);
		} catch (error) {
			closeSync(fd);
			try {
				unlinkSync(file);
			} catch {
				// Nothing more to do.
			}

			return {kind: 'busy', holder: null, reason: `cannot write the lock ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`};
		}

		closeSync(fd);
		let released = false;
		return {
			kind: 'held',
			lock: {
				path: file,
				holder,
				stillOurs: () => !released && readHolder(file)?.nonce === holder.nonce,
				release() {
					if (released) return;
					released = true;
					if (readHolder(file)?.nonce !== holder.nonce) return;
					try {
						unlinkSync(file);
					} catch {
						// Already gone.
					}
				},
			},
		};
	}

	return {kind: 'busy', holder: readHolder(file), reason: 'the lock changed hands while va-top tried to take it'};
}
