// nginx's upstream variables are lists, not values: "," separates the servers tried for one request (a retry after
// proxy_next_upstream), " : " separates server groups (an internal redirect, X-Accel-Redirect or error_page, sent
// the request to another upstream block). "-" stands for "no value" at a position, e.g. a server that never
// answered has a time of "-". Parsers commonly read only the first or the last item, or fail on the ":" form
// (netdata go.d PR 711, prometheus-nginxlog-exporter PR 267): this reads every attempt in order.

/** One server tried for one request: where, what it answered, how long it took. */
export interface UpstreamAttempt {
	/** As nginx logged it: "10.0.0.3:8000", "127.0.0.1:18101", "unix:/run/app.sock", or an upstream block's name. */
	address: string;
	/** The upstream's status; null for "-" (no answer: connect error, timeout). */
	status: number | null;
	/** The upstream's response time in ms; null for "-". */
	responseTimeMs: number | null;
}

/** Splits one upstream variable into its items: groups by " : ", then servers by ", ". "-" items become null. */
export function splitUpstreamList(value: string | null | undefined): Array<string | null> {
	if (value === null || value === undefined) return [];
	const text = value.trim();
	if (text === '' || text === '-') return [];
	const items: Array<string | null> = [];
	// A group separator is ":" with blanks around it; a bare ":" is part of an address (host:port, unix:/path).
	for (const group of text.split(/\s+:\s+/)) {
		for (const raw of group.split(',')) {
			const item = raw.trim();
			items.push(item === '' || item === '-' ? null : item);
		}
	}

	return items;
}

/**
 * The attempts of one request from $upstream_addr, $upstream_status and $upstream_response_time. The lists line up
 * by position; a shorter status or time list (a variable missing from the log_format) leaves those fields null.
 * An address of "-" or nothing means nginx used no upstream (a static file, a `return`): no attempts.
 */
export function parseUpstreams(address: string | null | undefined, status?: string | null, responseTime?: string | null): UpstreamAttempt[] {
	const addresses = splitUpstreamList(address);
	const statuses = splitUpstreamList(status);
	const times = splitUpstreamList(responseTime);
	const attempts: UpstreamAttempt[] = [];
	for (const [index, item] of addresses.entries()) {
		if (item === null) continue;
		attempts.push({address: item, status: parseStatus(statuses[index] ?? null), responseTimeMs: parseSeconds(times[index] ?? null)});
	}

	return attempts;
}

/** "0.123" (seconds, ms resolution) → 123 ms; anything that is not a non-negative number → null. */
export function parseSeconds(text: string | null): number | null {
	if (text === null || !/^\d+(?:\.\d+)?$/.test(text)) return null;
	return Number(text) * 1000;
}

function parseStatus(text: string | null): number | null {
	if (text === null || !/^\d{3}$/.test(text)) return null;
	return Number(text);
}
