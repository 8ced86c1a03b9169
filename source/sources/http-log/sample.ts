// What the access-log source reads, as the rest of va-top sees it.
import type {HttpFigures} from './summary.js';

export interface HttpSample extends HttpFigures {
	/** Epoch ms of the reading (the window ends here). */
	at: number;
	/** What is read: `docker:PROJECT/SERVICE` or `file:PATH`. */
	source: string;
	/**
	 * false when the default nginx service is not in the project: there is nothing to read and nothing is judged
	 * (the report says so; it is not an error, as not every stack has nginx). A service or file asked for by flag
	 * that is missing is an unreachable source instead.
	 */
	found: boolean;
	/** Lines read in the window that are neither va-top's JSON format nor combined. */
	notUnderstood: number;
	/** The format of the last line understood; null before any. */
	format: 'json' | 'combined' | null;
	/** The window's backlog has been read (--once reports only then). */
	backfilled: boolean;
}
