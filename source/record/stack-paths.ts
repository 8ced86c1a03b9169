// Where a stack's history lives: one folder per stack under the state directory, named by the project, the service
// and a hash of the endpoints it is read from (two stacks of the same name on other engines never share a store).
import {createHash} from 'node:crypto';
import {homedir} from 'node:os';
import path from 'node:path';
import type {StoreIdentity} from './store-format.js';

/** --history-dir, else $XDG_STATE_HOME/va-top (when absolute, as the XDG spec requires), else ~/.local/state/va-top. */
export function historyBaseDir(given: string | undefined, env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
	if (given !== undefined) return path.resolve(given);
	const state = env.XDG_STATE_HOME?.trim();
	const base = state !== undefined && path.isAbsolute(state) ? state : path.join(home, '.local', 'state');
	return path.join(base, 'va-top');
}

export interface StackPaths {
	dir: string;
	store: string;
	lock: string;
}

export function stackPaths(base: string, identity: StoreIdentity): StackPaths {
	const hash = createHash('sha256').update(JSON.stringify([identity.project, identity.service, ...identity.endpoints])).digest('hex').slice(0, 12);
	const dir = path.join(base, 'stacks', `${identity.project}__${identity.service}-${hash}`);
	return {dir, store: path.join(dir, 'history.vtr'), lock: path.join(dir, 'lock')};
}
