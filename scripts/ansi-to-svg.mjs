#!/usr/bin/env node
// Renders a terminal capture (`tmux capture-pane -p -e`: text with SGR escapes) to an SVG, for media/.
// Plain Node ESM, no dependencies, so screenshots can be made again on any machine with Node and tmux.
//
// usage: node scripts/ansi-to-svg.mjs --cols N --rows N [--title TEXT] [--text OUT.txt] [--strict] IN.ans OUT.svg
//   IN.ans   the capture ('-' reads stdin)
//   --text   also writes the screen as plain text (one line per row, trailing spaces trimmed), for tests
//   --strict exit 1 when a row holds more cells than --cols (the screen overflowed the pane)
//
// Every cell is placed on an exact grid (each glyph gets its own x), so columns stay aligned whatever font the
// viewer substitutes. Colours: SGR 16, 256 and truecolor, bold, dim, italic, underline, strike, inverse, hidden.
// tmux carries SGR state from one row to the next (it emits only changes), so this parser does too.
import {readFileSync, writeFileSync} from 'node:fs';

const fontSize = 14;
// DejaVu Sans Mono's advance is 0.602 em; a cell a hair narrower lets box-drawing lines overlap instead of gap.
const cellWidth = 8.4;
const cellHeight = 17;
// Baseline inside a cell: DejaVu Sans Mono's ascent (0.928 em) plus half of the spare height.
const baseline = (cellHeight - 1.164 * fontSize) / 2 + 0.928 * fontSize;
const padding = 12;

const defaultFg = '#d4d7dd';
const defaultBg = '#16191f';
// A dark theme's 16 colours (0-7 normal, 8-15 bright).
const palette16 = [
	'#2a2e36', '#e5534b', '#8ccf6b', '#e3b341', '#539bf5', '#c678dd', '#4fc1d0', '#c8ccd4',
	'#6b7280', '#ff6b63', '#a6e37f', '#f5cd5b', '#74b4ff', '#dc94f0', '#70d8e6', '#ffffff',
];

function color256(index) {
	if (index < 16) return palette16[index];
	if (index < 232) {
		const n = index - 16;
		const level = value => (value === 0 ? 0 : 55 + value * 40);
		return rgb(level(Math.floor(n / 36)), level(Math.floor(n / 6) % 6), level(n % 6));
	}
	const gray = 8 + (index - 232) * 10;
	return rgb(gray, gray, gray);
}

function rgb(r, g, b) {
	return `#${[r, g, b].map(value => Math.max(0, Math.min(255, value)).toString(16).padStart(2, '0')).join('')}`;
}

function mix(a, b, weight) {
	const parse = hex => [1, 3, 5].map(i => Number.parseInt(hex.slice(i, i + 2), 16));
	const [x, y] = [parse(a), parse(b)];
	return rgb(...x.map((value, i) => Math.round(value * weight + y[i] * (1 - weight))));
}

const plainStyle = () => ({fg: null, bg: null, bold: false, dim: false, italic: false, underline: false, strike: false, inverse: false, hidden: false});

/** Applies one SGR sequence's parameters (already split on ';', sub-parameters on ':') to the style. */
function applySgr(style, params) {
	const codes = params.length === 0 ? [['0']] : params.map(param => param.split(':'));
	for (let i = 0; i < codes.length; i++) {
		const [head, ...sub] = codes[i];
		const code = head === '' ? 0 : Number(head);
		// 38/48/58 take a colour: either as sub-parameters (38:2::r:g:b, 38:5:n) or as the following parameters.
		if (code === 38 || code === 48 || code === 58) {
			let args = sub.length > 0 ? sub : codes.slice(i + 1).map(([value]) => value);
			let used = 0;
			let value = null;
			if (args[0] === '5') {
				value = color256(Number(args[1]) & 255);
				used = 2;
			} else if (args[0] === '2') {
				// The colon form may carry a colour-space id: 38:2::r:g:b or 38:2:id:r:g:b.
				if (sub.length > 0 && args.length >= 5) args = [args[0], ...args.slice(2)];
				value = rgb(Number(args[1]) || 0, Number(args[2]) || 0, Number(args[3]) || 0);
				used = 4;
			}
			if (sub.length === 0) i += used;
			if (code === 38) style.fg = value;
			else if (code === 48) style.bg = value;
			continue;
		}
		if (code === 0) Object.assign(style, plainStyle());
		else if (code === 1) style.bold = true;
		else if (code === 2) style.dim = true;
		else if (code === 3) style.italic = true;
		else if (code === 4 || code === 21) style.underline = sub[0] !== '0';
		else if (code === 7) style.inverse = true;
		else if (code === 8) style.hidden = true;
		else if (code === 9) style.strike = true;
		else if (code === 22) style.bold = style.dim = false;
		else if (code === 23) style.italic = false;
		else if (code === 24) style.underline = false;
		else if (code === 27) style.inverse = false;
		else if (code === 28) style.hidden = false;
		else if (code === 29) style.strike = false;
		else if (code >= 30 && code <= 37) style.fg = palette16[code - 30];
		else if (code === 39) style.fg = null;
		else if (code >= 40 && code <= 47) style.bg = palette16[code - 40];
		else if (code === 49) style.bg = null;
		else if (code >= 90 && code <= 97) style.fg = palette16[code - 90 + 8];
		else if (code >= 100 && code <= 107) style.bg = palette16[code - 100 + 8];
		// Blink (5, 6, 25), fonts (10-20), overline (53, 55) and the rest: no look in a still picture.
	}
}

/** Terminal column width of a code point: 0 for combining marks, 2 for East Asian wide and emoji, else 1. */
export function cellWidthOf(cp) {
	if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x20d0 && cp <= 0x20ff) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
	const wide = [
		[0x1100, 0x115f], [0x2e80, 0x303e], [0x3041, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xa000, 0xa4cf],
		[0xac00, 0xd7a3], [0xf900, 0xfaff], [0xfe30, 0xfe4f], [0xff00, 0xff60], [0xffe0, 0xffe6], [0x1f300, 0x1f64f],
		[0x1f900, 0x1f9ff], [0x20000, 0x3fffd],
	];
	return wide.some(([from, to]) => cp >= from && cp <= to) ? 2 : 1;
}

/**
 * Parses a capture into rows of cells: {ch, width, style} (a wide glyph's second cell is {pad: true}).
 * Returns {grid, overflows}: overflows lists rows (1-based) whose text ran past `cols`.
 */
export function parseCapture(input, cols, rows) {
	const lines = input.replace(/\r\n/g, '\n').split('\n');
	if (lines.length > 0 && lines.at(-1) === '') lines.pop();
	const style = plainStyle();
	const grid = [];
	const overflows = [];
	for (let r = 0; r < rows; r++) {
		const line = lines[r] ?? '';
		// Cells never written keep the default look (tmux trims trailing default cells).
		const row = Array.from({length: cols}, () => ({ch: ' ', width: 1, style: plainStyle()}));
		let col = 0;
		let overflowed = false;
		const chars = Array.from(line);
		for (let i = 0; i < chars.length; i++) {
			const ch = chars[i];
			if (ch === '\u001b') {
				const next = chars[i + 1];
				if (next === '[') {
					let j = i + 2;
					while (j < chars.length && !/[\u0040-\u007e]/.test(chars[j])) j++;
					const body = chars.slice(i + 2, j).join('');
					if (chars[j] === 'm' && /^[0-9;:]*$/.test(body)) applySgr(style, body === '' ? [] : body.split(';'));
					i = j;
				} else if (next === ']' || next === 'P' || next === '_') {
					// OSC / DCS / APC: up to BEL or ST (ESC \).
					let j = i + 2;
					while (j < chars.length && chars[j] !== '\u0007' && !(chars[j] === '\u001b' && chars[j + 1] === '\\')) j++;
					i = chars[j] === '\u001b' ? j + 1 : j;
				} else {
					i += 1;
				}
				continue;
			}
			const cp = ch.codePointAt(0);
			if (ch === '\t') {
				col = Math.min(cols, (Math.floor(col / 8) + 1) * 8);
				continue;
			}
			if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) continue;
			const width = cellWidthOf(cp);
			if (width === 0) {
				// A combining mark joins the glyph before it.
				const previous = row[col - 1];
				if (previous && !previous.pad) previous.ch += ch;
				continue;
			}
			if (col + width > cols) {
				overflowed = true;
				continue;
			}
			row[col] = {ch, width, style: {...style}};
			if (width === 2) row[col + 1] = {ch: '', width: 0, pad: true, style: {...style}};
			col += width;
		}
		if (overflowed) overflows.push(r + 1);
		grid.push(row);
	}
	return {grid, overflows, extraRows: Math.max(0, lines.length - rows)};
}

/** Fill colours of a cell after inverse, dim and hidden. */
function look(style) {
	let fg = style.fg ?? defaultFg;
	let bg = style.bg;
	if (style.inverse) [fg, bg] = [bg ?? defaultBg, fg];
	if (style.dim) fg = mix(fg, bg ?? defaultBg, 0.6);
	return {fg: style.hidden ? null : fg, bg};
}

const escapeXml = text => text.replace(/[&<>"']/g, ch => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;'})[ch]);
const fixed = value => Number(value.toFixed(2)).toString();

export function renderSvg(grid, {title = 'terminal'} = {}) {
	const rows = grid.length;
	const cols = grid[0]?.length ?? 0;
	const width = cols * cellWidth + 2 * padding;
	const height = rows * cellHeight + 2 * padding;
	const x = col => fixed(padding + col * cellWidth);
	const out = [];
	out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${fixed(width)}" height="${fixed(height)}" viewBox="0 0 ${fixed(width)} ${fixed(height)}" role="img" aria-label="${escapeXml(title)}">`);
	out.push(`<title>${escapeXml(title)}</title>`);
	out.push(`<style>text{font-family:'DejaVu Sans Mono','Menlo','Consolas','Liberation Mono',monospace;font-size:${fontSize}px;white-space:pre}.b{font-weight:bold}.i{font-style:italic}</style>`);
	out.push(`<rect width="100%" height="100%" rx="6" fill="${defaultBg}"/>`);

	const backgrounds = [];
	const texts = [];
	const lines = [];
	grid.forEach((row, r) => {
		const top = padding + r * cellHeight;
		// Backgrounds: one rect per run of cells of the same non-default colour.
		for (let c = 0; c < cols; ) {
			const {bg} = look(row[c].style);
			let end = c + 1;
			while (end < cols && look(row[end].style).bg === bg) end++;
			if (bg) backgrounds.push(`<rect x="${x(c)}" y="${top}" width="${fixed((end - c) * cellWidth)}" height="${cellHeight}" fill="${bg}"/>`);
			c = end;
		}
		// Glyphs: one <text> per run of the same look, every glyph with its own x. Spaces are left out (the
		// positions say where each glyph goes), and so are glyphs that need a <text> of their own: wide ones,
		// ones with combining marks and ones outside the BMP (SVG viewers differ on how they count those).
		let run = null;
		const flush = () => {
			if (!run) return;
			const classes = [run.style.bold ? 'b' : '', run.style.italic ? 'i' : ''].filter(Boolean).join(' ');
			texts.push(`<text x="${run.xs.join(' ')}" y="${fixed(top + baseline)}" fill="${run.fg}"${classes ? ` class="${classes}"` : ''}>${escapeXml(run.text)}</text>`);
			run = null;
		};
		for (let c = 0; c < cols; c++) {
			const cell = row[c];
			if (cell.pad) continue;
			const {fg} = look(cell.style);
			if (cell.style.underline || cell.style.strike) {
				const span = cell.width * cellWidth;
				if (cell.style.underline) lines.push(`<rect x="${x(c)}" y="${fixed(top + baseline + 2)}" width="${fixed(span)}" height="1" fill="${fg ?? defaultFg}"/>`);
				if (cell.style.strike) lines.push(`<rect x="${x(c)}" y="${fixed(top + cellHeight / 2)}" width="${fixed(span)}" height="1" fill="${fg ?? defaultFg}"/>`);
			}
			if (cell.ch === ' ' || fg === null) {
				flush();
				continue;
			}
			const alone = cell.width !== 1 || Array.from(cell.ch).length !== 1 || cell.ch.codePointAt(0) > 0xffff;
			const key = `${fg}|${cell.style.bold}|${cell.style.italic}`;
			if (alone || !run || run.key !== key) flush();
			if (alone) {
				texts.push(`<text x="${x(c)}" y="${fixed(top + baseline)}" fill="${fg}"${cell.style.bold ? ' class="b"' : ''}>${escapeXml(cell.ch)}</text>`);
				continue;
			}
			run ??= {key, fg, style: cell.style, xs: [], text: ''};
			run.xs.push(x(c));
			run.text += cell.ch;
		}
		flush();
	});
	out.push(`<g shape-rendering="crispEdges">${backgrounds.join('')}</g>`);
	out.push(...texts);
	if (lines.length > 0) out.push(`<g shape-rendering="crispEdges">${lines.join('')}</g>`);
	out.push('</svg>');
	return `${out.join('\n')}\n`;
}

/** The screen as plain text: one line per row, wide glyphs once, trailing spaces trimmed. */
export function renderText(grid) {
	return `${grid.map(row => row.filter(cell => !cell.pad).map(cell => cell.ch).join('').trimEnd()).join('\n')}\n`;
}

function main(argv) {
	const options = {cols: 0, rows: 0, title: 'terminal', text: null, strict: false, files: []};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const value = () => {
			if (argv[i + 1] === undefined) throw new Error(`${arg} needs a value`);
			return argv[++i];
		};
		if (arg === '--cols') options.cols = Number(value());
		else if (arg === '--rows') options.rows = Number(value());
		else if (arg === '--title') options.title = value();
		else if (arg === '--text') options.text = value();
		else if (arg === '--strict') options.strict = true;
		else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
		else options.files.push(arg);
	}
	if (!(Number.isInteger(options.cols) && options.cols > 0 && Number.isInteger(options.rows) && options.rows > 0)) throw new Error('--cols and --rows must be positive integers');
	if (options.files.length !== 2) throw new Error('expected IN.ans OUT.svg');
	const [input, output] = options.files;
	const capture = readFileSync(input === '-' ? 0 : input, 'utf8');
	const {grid, overflows, extraRows} = parseCapture(capture, options.cols, options.rows);
	writeFileSync(output, renderSvg(grid, {title: options.title}));
	if (options.text) writeFileSync(options.text, renderText(grid));
	const problems = [];
	if (overflows.length > 0) problems.push(`row(s) ${overflows.join(', ')} wider than ${options.cols} columns (cut)`);
	if (extraRows > 0) problems.push(`${extraRows} row(s) beyond ${options.rows} (cut)`);
	for (const problem of problems) process.stderr.write(`ansi-to-svg: ${output}: ${problem}\n`);
	return options.strict && problems.length > 0 ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/ansi-to-svg.mjs')) {
	try {
		process.exitCode = main(process.argv.slice(2));
	} catch (error) {
		process.stderr.write(`ansi-to-svg: ${error.message}\n`);
		process.exitCode = 2;
	}
}
