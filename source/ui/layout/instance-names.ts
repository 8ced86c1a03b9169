// One display name per instance: its container name, as the events, the dialogs and the audit log say it. Where the
// width is too small it is shortened one way everywhere: the start gives way (`…voiceassist-server-12`), because
// replicas differ at the end; and never into a form another instance could have (`api_2…` for api_27).
import {textWidth} from './format.js';

const separators = new Set(['-', '_', '.']);

/**
 * The name in at most `width` cells: whole when it fits, else `…` and its end. The cut moves forward to just after a
 * separator when one is near (`…voiceassist-server-1`, not `…t-voiceassist-server-1`).
 */
export function shortenName(name: string, width: number): string {
	if (width <= 0) return '';
	const chars = Array.from(name);
	if (chars.length <= width) return name;
	if (width === 1) return '…';
	let tail = chars.slice(chars.length - (width - 1));
	// A separator in the first third of the kept part: start after it, the rest reads as whole words.
	const limit = Math.floor(tail.length / 3);
	for (let index = 0; index < limit; index++) {
		if (separators.has(tail[index]!) && tail.length - index - 1 >= 3) {
			tail = tail.slice(index + 1);
			break;
		}
	}

	return `…${tail.join('')}`;
}

/** Head and tail around `…`, `head` characters of the start kept. */
function middle(name: string, width: number, head: number): string {
	const chars = Array.from(name);
	if (chars.length <= width) return name;
	const tail = width - 1 - head;
	return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - tail).join('')}`;
}

/**
 * The names of a set of instances, each in at most `width` cells, no two alike: shortenName's form, and where two
 * would be the same, as much of their starts as tells them apart (`a…server-1`, `b…server-1`).
 */
export function shortenNames(names: readonly string[], width: number): string[] {
	const short = names.map(name => shortenName(name, width));
	const seen = new Map<string, number[]>();
	short.forEach((text, index) => {
		const list = seen.get(text);
		if (list === undefined) seen.set(text, [index]);
		else list.push(index);
	});
	for (const indexes of seen.values()) {
		if (indexes.length < 2) continue;
		for (let head = 1; head < width - 1; head++) {
			const forms = indexes.map(index => middle(names[index]!, width, head));
			if (new Set(forms).size === forms.length) {
				indexes.forEach((index, position) => {
					short[index] = forms[position]!;
				});
				break;
			}
		}
	}

	return short;
}

/** The widest of the names, in cells. */
export function widestName(names: readonly string[]): number {
	let widest = 0;
	for (const name of names) widest = Math.max(widest, textWidth(name));
	return widest;
}

/**
 * The shortened names of one set at one width, kept while both stay the same (the table asks every frame, and the
 * names of a service change only when it scales).
 */
export class ShortNames {
	private names: readonly string[] = [];
	private width = -1;
	private short: string[] = [];

	of(names: readonly string[], width: number): readonly string[] {
		if (width !== this.width || names.length !== this.names.length || names.some((name, index) => name !== this.names[index])) {
			this.names = names.slice();
			this.width = width;
			this.short = shortenNames(names, width);
		}

		return this.short;
	}
}
