// Puts Ink's frames on the alternate screen, rewriting only the lines that changed, at absolute positions.
//
// Why not Ink's own incrementalRendering: in Ink 6.8.0 it moves the cursor up one line too few when the frame is
// shorter than the terminal (every update lands one row lower and leaves the old line behind), and a frame as tall
// as the terminal takes the clear-the-screen path on every update, which flickers in tmux. So Ink runs in its
// documented debug mode, where each render writes the whole frame as one string, and this writer diffs it against
// what is on screen. Absolute positions (the frame always starts at the top-left of the alternate screen) make a
// resize or a lost write impossible to drift from.
import {markFrameWritten} from './frame-profile.js';
import {EventEmitter} from 'node:events';

export interface TerminalOutput {
	write(chunk: string): unknown;
	columns?: number;
	rows?: number;
	isTTY?: boolean;
	on(event: 'resize', listener: () => void): unknown;
	off(event: 'resize', listener: () => void): unknown;
}

export const hideCursor = '\u001B[?25l';
export const clearScreen = '\u001B[H\u001B[2J';
const eraseLineEnd = '\u001B[K';
const sgr = /\u001B\[[\d;]*m/g;
const sgrSticky = /\u001B\[[\d;]*m/y;

function moveTo(row: number): string {
	return `\u001B[${row + 1};1H`;
}

/** Cells a line takes: SGR codes take none, every glyph the UI draws takes one. */
export function visibleWidth(line: string): number {
	let width = 0;
	for (const _ of line.replace(sgr, '')) width++;
	return width;
}

/**
 * The line cut to `columns` cells, colour codes kept and reset after a cut. The views already fit their lines;
 * this guards the moment after a resize, when one frame may still have the old layout: a wrapped line would
 * scroll the alternate screen and leave debris.
 */
export function clipLine(line: string, columns: number): string {
	// No more UTF-16 units than cells: it fits, whatever it holds.
	if (line.length <= columns || visibleWidth(line) <= columns) return line;
	let out = '';
	let cells = 0;
	let index = 0;
	while (index < line.length && cells < columns) {
		sgrSticky.lastIndex = index;
		const code = sgrSticky.exec(line);
		if (code !== null) {
			out += code[0];
			index += code[0].length;
			continue;
		}

		const char = String.fromCodePoint(line.codePointAt(index)!);
		out += char;
		index += char.length;
		cells++;
	}

	return `${out}\u001B[0m`;
}

/**
 * The bytes that turn `previous` (null: unknown, repaint all) into `next` on a `columns` x `rows` screen.
 * At most rows - 1 lines are drawn. Erase-to-end only after a line shorter than the screen: after a full-width line
 * the cursor sits in the pending-wrap cell, and erasing there would remove the last character.
 */
export function frameUpdate(previous: readonly string[] | null, next: readonly string[], columns: number, rows: number): string {
	return clippedUpdate(previous, clipFrame(next, columns, rows), columns, rows);
}

/** The lines that can be shown: at most rows - 1, each cut to the width (or taken from `clipped` where unchanged). */
function clipFrame(next: readonly string[], columns: number, rows: number, previous?: readonly string[], clipped?: readonly string[]): string[] {
	const out = next.slice(0, Math.max(0, rows - 1));
	for (let i = 0; i < out.length; i++) {
		const line = out[i]!;
		out[i] = previous !== undefined && clipped !== undefined && previous[i] === line && i < clipped.length ? clipped[i]! : clipLine(line, columns);
	}

	return out;
}

function clippedUpdate(previous: readonly string[] | null, lines: readonly string[], columns: number, rows: number): string {
	const limit = Math.max(0, rows - 1);
	const parts: string[] = previous === null ? [clearScreen] : [];
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i]!;
		if (previous !== null && previous[i] === line) continue;
		parts.push(moveTo(i), line);
		if (visibleWidth(line) < columns) parts.push(eraseLineEnd);
	}

	if (previous !== null) {
		for (let i = lines.length; i < Math.min(previous.length, limit); i++) parts.push(moveTo(i), eraseLineEnd);
	}

	return parts.join('');
}

export interface ScreenWriterOptions {
	/** Most frames written per second; a burst (keys, resize) shows its first and last frame. */
	maxFps: number;
}

/**
 * A stdout for Ink: reports the real terminal's size, forwards its resize, and turns each frame Ink writes into
 * a minimal update of the real terminal.
 */
export class ScreenWriter extends EventEmitter {
	readonly isTTY = true;
	readonly writable = true;
	private shown: string[] | null = null;
	/** The last frame as given, before clipping. */
	private raw: readonly string[] | null = null;
	private pending: readonly string[] | undefined;
	private timer: NodeJS.Timeout | undefined;
	private lastWrite = Number.NEGATIVE_INFINITY;
	private closed = false;
	private readonly minGapMs: number;

	constructor(
		private readonly output: TerminalOutput,
		options: ScreenWriterOptions,
	) {
		super();
		this.minGapMs = options.maxFps > 0 ? 1000 / options.maxFps : 0;
		this.output.on('resize', this.onResize);
		this.output.write(hideCursor);
	}

	get columns(): number {
		return this.output.columns || 80;
	}

	get rows(): number {
		return this.output.rows || 24;
	}

	/** Ink's write: a whole frame in debug mode; anything else it writes here (an empty erase) carries no frame. */
	write = (chunk: string | Uint8Array): boolean => {
		const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
		if (text !== '') this.draw(text.split('\n'));
		return true;
	};

	/** A whole frame, one string per line (the screen's own lines, or Ink's frame split). */
	draw(lines: readonly string[]): void {
		if (this.closed) return;
		this.pending = lines;
		const wait = this.lastWrite + this.minGapMs - Date.now();
		if (wait <= 0) {
			this.flush();
		} else {
			this.timer ??= setTimeout(() => {
				this.timer = undefined;
				this.flush();
			}, wait);
		}
	}

	/** Writes the newest pending frame now. */
	flush(): void {
		if (this.timer) {
			clearTimeout(this.timer);
			this.timer = undefined;
		}

		const lines = this.pending;
		this.pending = undefined;
		if (lines === undefined || this.closed) return;
		// A line the same as last frame's (the screen hands over the same strings) keeps its clipped form.
		const raw = this.raw;
		const clipped = this.shown === null || raw === null ? clipFrame(lines, this.columns, this.rows) : clipFrame(lines, this.columns, this.rows, raw, this.shown);
		this.raw = lines;
		const update = clippedUpdate(this.shown, clipped, this.columns, this.rows);
		this.shown = clipped;
		this.lastWrite = Date.now();
		if (update !== '') this.output.write(update);
		markFrameWritten(update.length);
	}

	/** Stops writing: the last frame is flushed first so it is what the alternate screen held. */
	close(): void {
		if (this.closed) return;
		this.flush();
		this.closed = true;
		this.output.off('resize', this.onResize);
	}

	private readonly onResize = () => {
		// Whatever the terminal did to the old frame (reflow, clipping), repaint the next one in full.
		this.shown = null;
		this.raw = null;
		this.emit('resize');
	};
}
