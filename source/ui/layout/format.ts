// Short, fixed-width-friendly text for table cells and headers. Pure: no I/O, no React.
import {formatDuration} from '../../core/rules.js';

export {formatDuration};

/** '84%', '5.3%' under 10 so an idle instance is not shown as 0%, '-' when there is no number. */
export function formatPercent(value: number | null | undefined): string {
	if (value === null || value === undefined || !Number.isFinite(value)) return '-';
	if (value < 10) return `${(Math.round(value * 10) / 10).toFixed(1)}%`;
	return `${Math.round(value)}%`;
}

const byteUnits = ['B', 'K', 'M', 'G', 'T', 'P'];

/**
 * Binary units in one style everywhere, at most four characters: 12K, 987M, 1.0G, 9.5G, 10G. A value of 1000 or
 * more of a unit is shown in the next one (1010M is 1.0G), so `1010M/2.0G` and `1012K/64M` cannot stand side by side.
 */
export function formatBytes(bytes: number | null | undefined): string {
	if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '-';
	let value = bytes;
	let unit = 0;
	while (unit < byteUnits.length - 1 && value >= 1000) {
		value /= 1024;
		unit++;
	}

	if (unit === 0) return `${Math.round(value)}B`;
	// One decimal under 10; a value that rounds to 10.0 is shown as 10.
	const text = value < 9.95 ? value.toFixed(1) : String(Math.round(value));
	// 999.6M rounds to 1000M: that is 1.0G.
	if (text === '1000' && unit < byteUnits.length - 1) return `1.0${byteUnits[unit + 1]}`;
	return `${text}${byteUnits[unit]}`;
}

/** Milliseconds as an age: '0s', '12s', '3m05s'. */
export function formatAge(ms: number): string {
	return formatDuration(Math.max(0, ms) / 1000);
}

/** Local wall-clock time of an event, HH:MM:SS. */
export function formatClock(epochMs: number): string {
	const date = new Date(epochMs);
	const two = (n: number) => String(n).padStart(2, '0');
	return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

/**
 * Display width of text as drawn here. Every glyph the UI emits (ASCII, box drawing, ▲ ▁..█ ┄ …) takes one cell,
 * so counting code points is exact for our own text; names come from Docker and are ASCII.
 */
export function textWidth(text: string): number {
	let width = 0;
	for (const _ of text) width++;
	return width;
}

/** Cuts text to width, ending in '…' when something was cut. */
export function truncate(text: string, width: number): string {
	if (width <= 0) return '';
	const chars = Array.from(text);
	if (chars.length <= width) return text;
	if (width === 1) return '…';
	return chars.slice(0, width - 1).join('') + '…';
}

/** Exactly width cells: truncated, then padded on the right (or left with align 'right'). */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
	const cut = truncate(text, width);
	const pad = ' '.repeat(Math.max(0, width - textWidth(cut)));
	return align === 'left' ? cut + pad : pad + cut;
}

/** Word-wraps text to lines of at most width cells; a word longer than a line is cut across lines. */
export function wrapText(text: string, width: number): string[] {
	if (width <= 0) return [];
	const lines: string[] = [];
	let line = '';
	for (const word of text.split(/\s+/).filter(Boolean)) {
		let rest = word;
		while (textWidth(rest) > width) {
			if (line !== '') {
				lines.push(line);
				line = '';
			}

			const chars = Array.from(rest);
			lines.push(chars.slice(0, width).join(''));
			rest = chars.slice(width).join('');
		}

		if (rest === '') continue;
		if (line === '') line = rest;
		else if (textWidth(line) + 1 + textWidth(rest) <= width) line += ` ${rest}`;
		else {
			lines.push(line);
			line = rest;
		}
	}

	if (line !== '') lines.push(line);
	return lines;
}
