// The subscribers of one collector. A consumer's bug never stops the readings or the other listeners.

export interface Listeners {
	subscribe(listener: () => void): () => void;
	notify(): void;
}

export function createListeners(): Listeners {
	const listeners = new Set<() => void>();
	return {
		subscribe(listener) {
			listeners.add(listener);
			return () => {
				listeners.delete(listener);
			};
		},
		notify() {
			// A copy: a listener may unsubscribe itself while we call the others.
			for (const listener of [...listeners]) {
				try {
					listener();
				} catch {
					// Swallowed on purpose: see the header.
				}
			}
		},
	};
}
