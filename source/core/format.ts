// Numbers as words for messages and the one-shot report. Pure. (The screen's compact cells: ui/layout/format.ts.)

/** 6m12s, 45s, 1h02m: short enough for a table cell. */
export function formatDuration(seconds: number): string {
	const s = Math.max(0, Math.floor(seconds));
	if (s < 60) return `${s}s`;
	if (s < 3600) {
		const rest = s % 60;
		return rest === 0 ? `${Math.floor(s / 60)}m` : `${Math.floor(s / 60)}m${String(rest).padStart(2, '0')}s`;
	}

	return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A whole percent: `84%`. */
export function formatPercent(value: number): string {
	return `${Math.round(value)}%`;
}

/** The report's sizes: `512MiB`, `1.5GiB`, `980B`. */
export function formatBytes(bytes: number): string {
	const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
	let value = bytes;
	let unit = 0;
	while (Math.abs(value) >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}

	return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)}${units[unit]}`;
}

/** How the screen formats values, handed to a source's chart titles and summaries so every number looks alike. */
export interface ValueFormat {
	/** `84%`, `5.3%`. */
	percent(value: number): string;
	/** `512M`, `1.5G`. */
	bytes(value: number): string;
	/** `1.2s`, `250ms` from milliseconds. */
	time(ms: number): string;
	/** `1,204` or `1.2k`. */
	count(value: number): string;
}
