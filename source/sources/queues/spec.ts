// `--queue SPEC` → the Redis keys that hold the queue's waiting jobs. Pure.
// The layouts are the job systems' own, public ones (see /work/shared/notes/trigger-sources.md):
//   celery   NAME, plus kombu's priority sub-lists NAME\x06\x163, \x06\x166, \x06\x169 (priority 0 is NAME itself)
//   rq       rq:queue:NAME
//   sidekiq  queue:NAME
//   bullmq   bull:NAME:wait + bull:NAME:paused (lists) + bull:NAME:prioritized (sorted set)
// Anything else is one Redis key, read by its type (list, sorted set or stream).

export const queueKinds = ['celery', 'rq', 'sidekiq', 'bullmq'] as const;

export type QueueKind = (typeof queueKinds)[number] | 'key';

export interface QueueSpec {
	/** The queue's name as shown: NAME for a job system, the key itself for a plain key. */
	name: string;
	kind: QueueKind;
	/** Every key whose length adds to the depth. */
	keys: string[];
	/** What the spec was, as given. */
	spec: string;
}

/** kombu's default priority steps [0, 3, 6, 9] and separator '\x06\x16'; step 0 lives in the list NAME itself. */
const celeryPrioritySuffixes = ['\u0006\u00163', '\u0006\u00166', '\u0006\u00169'];

export class QueueSpecError extends Error {
	override readonly name = 'QueueSpecError';
}

/** What a spec must look like, for error lines and --help. */
export const queueSpecExpectation = 'a Redis key, or NAME:KIND with KIND one of celery, rq, sidekiq, bullmq (KEY:key for a key that ends so)';

export function keysFor(name: string, kind: QueueKind): string[] {
	switch (kind) {
		case 'celery':
			return [name, ...celeryPrioritySuffixes.map(suffix => `${name}${suffix}`)];
		case 'rq':
			return [`rq:queue:${name}`];
		case 'sidekiq':
			return [`queue:${name}`];
		case 'bullmq':
			return [`bull:${name}:wait`, `bull:${name}:paused`, `bull:${name}:prioritized`];
		case 'key':
			return [name];
	}
}

/**
 * `celery:celery` (Celery's default queue), `emails:bullmq`, `rq:queue:default` (a key), `jobs:rq:key` (the key
 * `jobs:rq`, spelled out because it ends like a kind). Only a known kind after the last colon makes it NAME:KIND,
 * so plain keys with colons in them stay keys.
 */
export function parseQueueSpec(spec: string): QueueSpec {
	const text = spec.trim();
	if (text === '') throw new QueueSpecError(`empty queue, expected ${queueSpecExpectation}`);
	if (/[\u0000-\u001f\u007f]/.test(text)) throw new QueueSpecError(`"${printable(text)}" has control characters, expected ${queueSpecExpectation}`);
	const at = text.lastIndexOf(':');
	const suffix = at === -1 ? '' : text.slice(at + 1);
	const kind = (queueKinds as readonly string[]).includes(suffix) || suffix === 'key' ? (suffix as QueueKind) : undefined;
	if (kind === undefined) return {name: text, kind: 'key', keys: keysFor(text, 'key'), spec};
	const name = text.slice(0, at);
	if (name === '') throw new QueueSpecError(`"${text}" has no queue name before ":${kind}", expected NAME:${kind}`);
	return {name, kind, keys: keysFor(name, kind), spec};
}

/** Two specs that read the same keys would count the same jobs twice. */
export function checkDistinct(specs: readonly QueueSpec[]): void {
	const owner = new Map<string, QueueSpec>();
	for (const spec of specs) {
		for (const key of spec.keys) {
			const earlier = owner.get(key);
			if (earlier) throw new QueueSpecError(`"${spec.spec}" and "${earlier.spec}" both read the key ${printable(key)}, expected each queue once`);
			owner.set(key, spec);
		}
	}
}

/** Celery's priority lists end in \x06\x16N: shown with escapes, never as raw control bytes. */
export function printable(key: string): string {
	return key.replace(/[\u0000-\u001f\u007f]/g, char => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
