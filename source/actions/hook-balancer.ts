// Any balancer other than the built-in nginx: --lb-remove-cmd / --lb-restore-cmd run by `sh -c`.
//
// Contract (documented in --help and the README): the instance's NAME and ADDRESS are passed as the positional
// arguments $1 and $2 of the shell, never pasted into the command text, so a container name can never become shell
// code. Where the command writes {name} or {address}, that is replaced by "$1" or "$2" (a placeholder quoted on
// its own, "{name}" or '{name}', is taken the same way); a command with no placeholder gets ` "$1" "$2"` appended, i.e. the two arguments go to
// its last simple command. The same values are in the environment as VA_TOP_INSTANCE and VA_TOP_ADDRESS.
// Exit status 0 is success; anything else, or running longer than the timeout, is a failure shown with the
// command's last line of stderr (or stdout).
import {execFile} from 'node:child_process';
import {scrubSecrets} from '../core/redact.js';
import type {Balancer, BackendInstance} from './backend.js';
import {lastLine} from './docker-io.js';

export interface HookCommands {
	remove: string;
	restore: string;
}

export const hookTimeoutMs = 30_000;

/** The script `sh -c` runs: the command with the placeholders or the positional arguments added. */
export function hookScript(command: string): string {
	if (!/\{name\}|\{address\}/.test(command)) return `${command} "$1" "$2"`;
	// A placeholder someone quoted anyway ("{name}" or '{name}') becomes "$1" too, not a literal '"$1"'.
	return command.replace(/(["']?)\{(name|address)\}\1/g, (_match, _quote, which: string) => (which === 'name' ? '"$1"' : '"$2"'));
}

export interface HookRun {
	stdout: string;
	stderr: string;
}

/** Runs one hook for an instance. Rejects with `FLAG exited N: last line` or a timeout message. */
export function runHook(
	flag: '--lb-remove-cmd' | '--lb-restore-cmd',
	command: string,
	instance: Pick<BackendInstance, 'name' | 'address'>,
	options: {timeoutMs?: number; secrets?: readonly string[]; env?: NodeJS.ProcessEnv} = {},
): Promise<HookRun> {
	const timeoutMs = options.timeoutMs ?? hookTimeoutMs;
	const secrets = options.secrets ?? [];
	return new Promise((resolve, reject) => {
		execFile(
			'sh',
			['-c', hookScript(command), 'va-top-hook', instance.name, instance.address],
			{
				timeout: timeoutMs,
				killSignal: 'SIGKILL',
				maxBuffer: 1024 * 1024,
				env: {...(options.env ?? process.env), VA_TOP_INSTANCE: instance.name, VA_TOP_ADDRESS: instance.address},
			},
			(error, stdout, stderr) => {
				if (!error) {
					resolve({stdout, stderr});
					return;
				}

				const detail = scrubSecrets(lastLine(stderr) || lastLine(stdout), secrets);
				const failure = error as NodeJS.ErrnoException & {killed?: boolean; code?: number | string; signal?: string | null};
				if (failure.killed === true || failure.signal === 'SIGKILL') {
					reject(new Error(`${flag} did not finish within ${timeoutMs >= 1000 ? Math.round(timeoutMs / 1000) : (timeoutMs / 1000).toFixed(1)} s and was killed${detail ? `: ${detail}` : ''}`));
				} else if (typeof failure.code === 'number') {
					reject(new Error(`${flag} exited ${failure.code}${detail ? `: ${detail}` : ''}`));
				} else {
					reject(new Error(`${flag} could not run: ${failure.message}`));
				}
			},
		);
	});
}

export function createHookBalancer(hooks: HookCommands, options: {timeoutMs?: number; secrets?: readonly string[]} = {}): Balancer {
	return {
		description: '--lb-remove-cmd / --lb-restore-cmd hooks',
		async remove(instance) {
			await runHook('--lb-remove-cmd', hooks.remove, instance, options);
			return {
				description: `--lb-remove-cmd ran for ${instance.name} (${instance.address})`,
				async restore() {
					await runHook('--lb-restore-cmd', hooks.restore, instance, options);
					return `--lb-restore-cmd ran for ${instance.name} (${instance.address})`;
				},
			};
		},
	};
}
