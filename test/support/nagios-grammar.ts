// The monitoring-plugins development guidelines' output grammar ("Plugin Output", "Performance data"), to check
// `va-top --once --format nagios` against: a first line with the status and optional perfdata, long text lines, and
// more perfdata after a '|' on a later line. Throws (vitest expect) where the output breaks it.
import {expect} from 'vitest';

// The monitoring-plugins development guidelines, "Plugin Output" and "Performance data".
const label = String.raw`(?:'[^'=]+'|[^'=\s|]+)`;
const number = String.raw`-?\d+(?:\.\d+)?`;
const range = String.raw`@?(?:~|${number})?(?::(?:${number})?)?`;
const uom = '(?:s|ms|us|%|B|KB|MB|TB|c)?';
const perfItem = String.raw`${label}=${number}${uom}(?:;(?:${range})?(?:;(?:${range})?(?:;(?:${number})?(?:;(?:${number})?)?)?)?)?`;
const perfList = String.raw`${perfItem}(?: ${perfItem})*`;
const firstLine = new RegExp(String.raw`^VA-TOP (OK|WARNING|CRITICAL|UNKNOWN) - [^|]+?(?: \| (${perfList}))?$`);

/** Checks the whole output against the guidelines; returns the status word and every perfdata item. */
export function parseNagios(text: string): {status: string; perf: string[]; long: string[]} {
	expect(text.endsWith('\n')).toBe(true);
	const lines = text.slice(0, -1).split('\n');
	const head = firstLine.exec(lines[0]!);
	expect(head, `first line: ${lines[0]}`).not.toBeNull();
	const perf = head![2] ? head![2].split(' ') : [];
	const long: string[] = [];
	let inPerf = false;
	for (const line of lines.slice(1)) {
		if (inPerf) {
			expect(line, 'a perfdata line').toMatch(new RegExp(`^${perfList}$`));
			perf.push(...line.split(' '));
			continue;
		}

		const at = line.indexOf('|');
		if (at === -1) {
			long.push(line);
			continue;
		}

		long.push(line.slice(0, at).trimEnd());
		const rest = line.slice(at + 1).trim();
		expect(rest).toMatch(new RegExp(`^${perfList}$`));
		perf.push(...rest.split(' '));
		inPerf = true;
	}

	return {status: head![1]!, perf, long};
}

