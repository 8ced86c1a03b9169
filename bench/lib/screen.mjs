// Reading a captured screen: which bench instances it shows, and which of them with numbers.

/** A reading after the name: 0.0, 12.50%, 3% (docker stats, va-top); glances shows its CPU as a bare 0.0. */
const anyReading = /(?:^|\s)\d+(?:\.\d+)?%|(?:^|\s)\d+\.\d+(?:\s|$)/;

/**
 * Instance numbers shown on each row (bench-N-app-K or app-K as a whole word), and whether the text after the name
 * has the tool's readings (`complete`: a RegExp; by default any number).
 */
export function instanceRows(lines, project, complete = anyReading) {
	// va-top shows the short name (app-7) since its project is in the header; the others the container's name.
	const pattern = new RegExp(`(?:^|[^\\w-])(?:${project.replaceAll('-', '\\-')}-)?app-(\\d+)(?![\\d])`, 'g');
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

/** A capture where every instance shown has its readings. */
export const complete = entry => entry.visible > 0 && entry.withNumbers === entry.visible;

/**
 * The first full frame from a timeline of {t, visible, withNumbers}: the first capture where every instance
 * shown has readings and as many are shown as on the settled screen (the most frequent count in the last
 * second: all N when they fit, else the rows its screen holds; docker stats' scrolled output varies by a row
 * or two from one redraw to the next).
 */
export function firstFullFrame(timeline) {
	if (timeline.length === 0) return null;
	const last = timeline[timeline.length - 1].t;
	const counts = new Map();
	for (const entry of timeline) if (entry.t >= last - 1000 && complete(entry)) counts.set(entry.visible, (counts.get(entry.visible) ?? 0) + 1);
	if (counts.size === 0) return null;
	const [target] = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
	const first = timeline.find(entry => complete(entry) && entry.visible >= target);
	return first ? {ms: first.t, visible: target} : null;
}
