// Reading a captured screen: which bench instances it shows, and which of them with numbers.

/** A reading after the name: 0.0, 12.50%, 3% (docker stats, va-top); glances shows its CPU as a bare 0.0. */
const anyReading = /(?:^|\s)\d+(?:\.\d+)?%|(?:^|\s)\d+\.\d+(?:\s|$)/;

/**
 * Instance numbers shown on each row (bench-N-app-K as a whole word), and whether the text after the name
 * has the tool's readings (`complete`: a RegExp; by default any number).
 */
export function instanceRows(lines, project, complete = anyReading) {
	const pattern = new RegExp(`(?:^|[^\\w-])${project.replaceAll('-', '\\-')}-app-(\\d+)(?![\\d])`, 'g');
	const rows = [];
	for (const line of lines) {
		for (const match of line.matchAll(pattern)) {
			const after = line.slice(match.index + match[0].length);
			rows.push({number: Number(match[1]), hasNumbers: complete.test(after)});
		}
	}
	return rows;
}

/** Summary of a screen: how many distinct instances it shows, and how many of them with numbers. */
export function screenSummary(lines, project, complete) {
	const shown = new Map();
	for (const row of instanceRows(lines, project, complete)) shown.set(row.number, (shown.get(row.number) ?? false) || row.hasNumbers);
	let withNumbers = 0;
	for (const has of shown.values()) if (has) withNumbers++;
	return {visible: shown.size, withNumbers};
}

/**
 * The first full frame from a timeline of {t, visible, withNumbers}: the first whose every shown instance
 * has numbers and that shows as many instances as the tool ever showed (all of them when they fit; as many
 * as its screen holds when they do not).
 */
export function firstFullFrame(timeline) {
	const most = Math.max(0, ...timeline.map(entry => entry.visible));
	if (most === 0) return null;
	const first = timeline.find(entry => entry.visible === most && entry.withNumbers === most);
	return first ? {ms: first.t, visible: most} : null;
}
