// The one shape every source has, real or simulated, so core and ui never care which it is.

export interface Collector<View> {
	/** Begin connecting and reading; never throws, failures become the view's status. */
	start(): void;
	/** Close every connection, stream and timer; resolves when nothing is left running. */
	stop(): Promise<void>;
	/** The latest view; cheap, safe to call at any time. */
	view(): View;
	/** Called after the view changed; may fire many times a second, consumers batch. Returns unsubscribe. */
	subscribe(listener: () => void): () => void;
}
