// Screen lines as plain data: runs of text with a style, fitted to a width, turned into one string with SGR codes.
// Every view builds its lines here and the screen draws them itself: Ink's own output pass (a grid of cell objects,
// an ANSI tokenizer and string-width over every cell of every frame) cost ~10 ms a frame at 120x40, most of va-top's
// CPU at 1 frame a second. Pure: no I/O, no React.
import {textWidth} from './format.js';
import type {ColorName} from './symbols.js';

export interface TextStyle {
	/** Already resolved for monochrome: callers pass tone(color, name). */
	color?: ColorName;
	bold?: boolean;
	dim?: boolean;
	inverse?: boolean;
}

export interface Span {
	text: string;
	style?: TextStyle;
}

/** One screen line: its runs, and a style over the whole of it (as an outer <Text> had). */
export interface StyledLine {
	spans: readonly Span[];
	style?: TextStyle;
}

export const blankLine: StyledLine = {spans: []};

export function styledLine(content: string | readonly Span[], style?: TextStyle): StyledLine {
	return {spans: typeof content === 'string' ? [{text: content}] : content, style};
}

/** The line's text without styles. */
export function plainText(line: StyledLine): string {
	let text = '';
	for (const span of line.spans) text += span.text;
	return text;
}

export function lineWidth(line: StyledLine): number {
	let width = 0;
	for (const span of line.spans) width += textWidth(span.text);
	return width;
}

/**
 * At most `width` cells: a longer line is cut to width - 1 and ends in '…', the ellipsis in the line's own style
 * only (Ink's wrap="truncate" did the same).
 */
export function fitLine(line: StyledLine, width: number): StyledLine {
	if (width <= 0) return blankLine;
	if (lineWidth(line) <= width) return line;
	const room = cutAt(line, width - 1);
	const spans: Span[] = [];
	let used = 0;
	for (const span of line.spans) {
		if (used >= room) break;
		const chars = Array.from(span.text);
		const take = Math.min(chars.length, room - used);
		spans.push(take === chars.length ? span : {text: chars.slice(0, take).join(''), style: span.style});
		used += take;
	}

	spans.push({text: '…'});
	return {spans, style: line.style};
}

/** How far a cut may move back to a word's start: a long word (a URL) is still cut inside. */
const wordBackUp = 16;

/**
 * Where to cut a too-long line so that `room` cells are kept at most: at `room`, or, when that falls inside a word,
 * just after the space before it. A word cut at its end reads as another word: `api_27` cut to `api_2…` names
 * another instance, `10m` cut to `1…` another time.
 */
function cutAt(line: StyledLine, room: number): number {
	const chars = Array.from(plainText(line));
	if (room <= 0 || room >= chars.length) return room;
	if (chars[room] === ' ' || chars[room - 1] === ' ') return room;
	for (let index = room - 1; index > 0 && index >= room - wordBackUp; index--) {
		if (chars[index - 1] === ' ') return index;
	}

	return room;
}

/** Exactly `width` cells: fitted, then padded with unstyled spaces. */
export function padLine(line: StyledLine, width: number): StyledLine {
	const fitted = fitLine(line, width);
	const missing = width - lineWidth(fitted);
	return missing > 0 ? {spans: [...fitted.spans, {text: ' '.repeat(missing)}], style: fitted.style} : fitted;
}

/**
 * Lines side by side (columns of a row of charts): each part padded to its width, the line styles moved onto
 * their spans. Rows a part lacks are blank.
 */
export function besideEachOther(parts: ReadonlyArray<readonly StyledLine[]>, widths: readonly number[], height: number): StyledLine[] {
	const out: StyledLine[] = [];
	for (let row = 0; row < height; row++) {
		const spans: Span[] = [];
		parts.forEach((lines, index) => {
			const width = widths[index] ?? 0;
			const fitted = fitLine(lines[row] ?? blankLine, width);
			for (const span of fitted.spans) spans.push(fitted.style ? {text: span.text, style: mergeStyle(fitted.style, span.style)} : span);
			// The padding is outside the line: a bold title does not run on into the next chart's.
			const missing = width - lineWidth(fitted);
			if (missing > 0) spans.push({text: ' '.repeat(missing)});
		});
		out.push({spans});
	}

	return out;
}

/** Exactly `height` lines: cut, or filled with blank ones. */
export function toHeight(lines: readonly StyledLine[], height: number): StyledLine[] {
	const out = lines.slice(0, Math.max(0, height));
	while (out.length < height) out.push(blankLine);
	return out;
}

function mergeStyle(outer: TextStyle | undefined, inner: TextStyle | undefined): TextStyle | undefined {
	if (!outer) return inner;
	if (!inner) return outer;
	return {
		color: inner.color ?? outer.color,
		bold: Boolean(outer.bold || inner.bold),
		dim: Boolean(outer.dim || inner.dim),
		inverse: Boolean(outer.inverse || inner.inverse),
	};
}

// The codes chalk writes for Ink's named colours and modifiers, so a frame looks as it did under Ink.
const colorCode: Record<ColorName, number> = {red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, white: 37, gray: 90};

function open(style: TextStyle): string {
	let codes = '';
	if (style.bold) codes += '\u001B[1m';
	if (style.dim) codes += '\u001B[2m';
	if (style.inverse) codes += '\u001B[7m';
	if (style.color) codes += `\u001B[${colorCode[style.color]}m`;
	return codes;
}

function close(style: TextStyle): string {
	let codes = '';
	if (style.color) codes += '\u001B[39m';
	if (style.inverse) codes += '\u001B[27m';
	if (style.bold || style.dim) codes += '\u001B[22m';
	return codes;
}

function sameStyle(a: TextStyle | undefined, b: TextStyle | undefined): boolean {
	if (a === b) return true;
	return (a?.color ?? null) === (b?.color ?? null) && Boolean(a?.bold) === Boolean(b?.bold) && Boolean(a?.dim) === Boolean(b?.dim) && Boolean(a?.inverse) === Boolean(b?.inverse);
}

function hasStyle(style: TextStyle | undefined): style is TextStyle {
	return style !== undefined && (style.color !== undefined || Boolean(style.bold) || Boolean(style.dim) || Boolean(style.inverse));
}

/**
 * The line as the terminal gets it: fitted to `width`, trailing plain spaces dropped (the screen writer erases to
 * the end of a short line), and SGR codes only when `sgr` (a terminal that takes them; monochrome still has bold).
 */
export function renderLine(line: StyledLine, width: number, sgr: boolean): string {
	const fitted = fitLine(line, width);
	if (!sgr) return plainText(fitted).trimEnd();
	let out = '';
	let run = '';
	let runStyle: TextStyle | undefined;
	const flush = () => {
		if (run === '') return;
		out += hasStyle(runStyle) ? open(runStyle) + run + close(runStyle) : run;
		run = '';
	};

	for (const span of fitted.spans) {
		if (span.text === '') continue;
		const style = mergeStyle(fitted.style, span.style);
		if (!sameStyle(style, runStyle)) {
			flush();
			runStyle = style;
		}

		run += span.text;
	}

	// Spaces at the end of a plain run are not drawn: a styled one (inverse video) keeps them.
	if (!hasStyle(runStyle)) run = run.trimEnd();
	flush();
	return out;
}

/** Whether the terminal takes SGR codes at all, decided as chalk does (Ink's colours came from it). */
export function sgrSupported(stream: {isTTY?: boolean}, env: NodeJS.ProcessEnv = process.env): boolean {
	const force = env['FORCE_COLOR'];
	if (force !== undefined) return force !== '0' && force !== 'false';
	return Boolean(stream.isTTY) && env['TERM'] !== 'dumb';
}
