// One autoscaler per stack: a lock file in the stack's own folder under the state directory, beside the recorder's
// history and lock, taken with the recorder's lock code (source/record/lock.ts: O_EXCL, its holder named, a dead
// holder's lock taken over). The headless autoscaler takes it at start; the live monitor when autoscaling is turned
// on, and gives it back when it is turned off.
import {createHash} from 'node:crypto';
import {mkdirSync} from 'node:fs';
import {homedir} from 'node:os';
import path from 'node:path';
import type {Options} from '../config/options.js';
import {redactUrl} from '../core/redact.js';
import {acquireLock, type StoreLock} from '../record/lock.js';

export type AutoscaleLockResult = {kind: 'held'; lock: StoreLock} | {kind: 'busy'; reason: string};

export type LockOptions = Pick<Options, 'project' | 'service' | 'dockerHost'>;

/**
 * The stack's folder, as the recorder names it (source/record/stack-paths.ts on its branch: `stacks/PROJECT__SERVICE-`
 * and a hash of the project, the service and the Docker endpoint), under $XDG_STATE_HOME/va-top or
 * ~/.local/state/va-top. Two stacks of the same name on other engines never share a lock.
 */
export function stackDir(options: LockOptions, env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
	const state = env.XDG_STATE_HOME?.trim();
	const base = path.join(state !== undefined && path.isAbsolute(state) ? state : path.join(home, '.local', 'state'), 'va-top');
	const endpoint = redactUrl(options.dockerHost ?? 'unix:///var/run/docker.sock');
	const hash = createHash('sha256').update(JSON.stringify([options.project, options.service, endpoint])).digest('hex').slice(0, 12);
	return path.join(base, 'stacks', `${options.project}__${options.service}-${hash}`);
}

export function autoscaleLockPath(options: LockOptions, env: NodeJS.ProcessEnv = process.env): string {
	return path.join(stackDir(options, env), 'autoscale.lock');
}

export function claimAutoscaleLock(options: LockOptions, env: NodeJS.ProcessEnv = process.env): AutoscaleLockResult {
	const file = autoscaleLockPath(options, env);
	try {
		mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
	} catch (error) {
		return {kind: 'busy', reason: `cannot create ${path.dirname(file)} (${(error as NodeJS.ErrnoException).code ?? String(error)})`};
	}

	const result = acquireLock(file, 'autoscale');
	return result.kind === 'held' ? result : {kind: 'busy', reason: `${result.reason} (lock ${file})`};
}
