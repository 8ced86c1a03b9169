// Durations for messages and table cells. Pure.

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
