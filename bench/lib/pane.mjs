// A program in a real tmux pane of a fixed size, on the benchmark's own tmux server (its own socket,
// so nobody else's sessions are touched and the server's load is ours alone).
import {execFile, execFileSync} from 'node:child_process';
import {statSync, writeFileSync} from 'node:fs';

// One tmux server per engine (useTmuxSocket), so a soak on one engine and a run on the other do not meet.
let tmuxSocket = 'va-top-bench';

export function useTmuxSocket(name) {
	tmuxSocket = name;
}

function tmuxSync(args) {
	return execFileSync('tmux', ['-L', tmuxSocket, ...args], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
}

function tmux(args) {
	return new Promise((resolve, reject) => {
		execFile('tmux', ['-L', tmuxSocket, ...args], {encoding: 'utf8', maxBuffer: 4 * 1024 * 1024}, (error, stdout) => {
			if (error) reject(error);
			else resolve(stdout);
		});
	});
}

function shellQuote(word) {
	return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

export class Pane {
	/**
	 * Starts argv in a new detached session of width x height. The pane's process is the program itself
	 * (exec), so its pid is the program's. Output is copied to outputFile from the first byte.
	 */
	constructor({name, argv, env = {}, width = 120, height = 40, outputFile, cwd}) {
		this.name = name;
		this.outputFile = outputFile;
		writeFileSync(outputFile, '');
		const envArgs = Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
		// The program starts only once pipe-pane is in place: it waits for a tmux wait-for signal, then execs.
		const command = `tmux -L ${tmuxSocket} wait-for ${name}-go; exec ${argv.map(shellQuote).join(' ')}`;
		tmuxSync(['new-session', '-d', '-s', name, '-x', String(width), '-y', String(height), ...(cwd ? ['-c', cwd] : []), ...envArgs, command]);
		// Keep the pane's last screen if the program dies, to report what it said.
		tmuxSync(['set-option', '-t', name, 'remain-on-exit', 'on']);
		tmuxSync(['pipe-pane', '-o', '-t', name, `cat >> ${shellQuote(outputFile)}`]);
		this.size = tmuxSync(['display-message', '-p', '-t', name, '#{pane_width}x#{pane_height}']).trim();
		this.pid = Number(tmuxSync(['display-message', '-p', '-t', name, '#{pane_pid}']).trim());
	}

	/** Lets the program start; returns the launch time (ms, performance.now()). */
	go() {
		const launched = performance.now();
		tmuxSync(['wait-for', '-S', `${this.name}-go`]);
		return launched;
	}

	/** The pane's text as shown (no escape sequences), one string per row. */
	async capture() {
		return (await tmux(['capture-pane', '-p', '-t', this.name])).split('\n');
	}

	async sendKeys(...keys) {
		await tmux(['send-keys', '-t', this.name, ...keys]);
	}

	/** Bytes the program has written to the terminal so far. */
	bytesWritten() {
		try {
			return statSync(this.outputFile).size;
		} catch {
			return 0;
		}
	}

	dead() {
		try {
			return tmuxSync(['display-message', '-p', '-t', this.name, '#{pane_dead}']).trim() === '1';
		} catch {
			return true;
		}
	}

	kill() {
		try {
			tmuxSync(['kill-session', '-t', this.name]);
		} catch {
			// already gone
		}
	}
}

/** Stops the benchmark's own tmux server (only ours: it has its own socket). */
export function killBenchTmuxServer() {
	try {
		tmuxSync(['kill-server']);
	} catch {
		// not running
	}
}
