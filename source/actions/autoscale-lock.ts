// One autoscaler per stack: a lock file in the stack's own folder under the state directory, beside the recorder's
// history and lock, taken with the recorder's lock code (source/record/lock.ts: O_EXCL, its holder named, a dead
// holder's lock taken over). The headless autoscaler takes it at start; the live monitor when autoscaling is turned
// on, and gives it back when it is turned off.
import {mkdirSync} from 'node:fs';
import path from 'node:path';
import type {Options} from '../config/options.js';
import {acquireLock, type StoreLock} from '../record/lock.js';
import {storePaths} from '../record/open-history.js';

export type AutoscaleLockResult = {kind: 'held'; lock: StoreLock} | {kind: 'busy'; reason: string};

export type LockOptions = Pick<Options, 'project' | 'service' | 'dockerHost' | 'historyDir'>;

/** `autoscale.lock` in the stack's folder (record/stack-paths.ts), the one its history and the recorder's lock are in. */
export function autoscaleLockPath(options: LockOptions, env: NodeJS.ProcessEnv = process.env): string {
	return path.join(storePaths(options, env).dir, 'autoscale.lock');
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
