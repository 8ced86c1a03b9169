// Orders for names (containers, hosts, services, peers) without ICU: String.prototype.localeCompare loads the
// collator, which maps ~2.7 MB more of the node binary into a headless recorder's memory; names here are ASCII.

/** Code-unit order: `a` before `b` when it sorts first. */
export function compareText(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

/** As compareText, but runs of digits compare as numbers: `node-2` before `node-10`, `:7002` before `:7010`. */
export function compareNatural(a: string, b: string): number {
	const left = a.match(/\d+|\D+/g) ?? [];
	const right = b.match(/\d+|\D+/g) ?? [];
	for (let i = 0; i < Math.min(left.length, right.length); i++) {
		const x = left[i]!;
		const y = right[i]!;
		if (x === y) continue;
		const digits = /^\d/.test(x) && /^\d/.test(y);
		const order = digits ? Number(x) - Number(y) || compareText(x, y) : compareText(x, y);
		if (order !== 0) return order;
	}

	return left.length - right.length;
}
