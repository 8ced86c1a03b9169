// One pipelined round trip per reading: TYPE of every key, and the length command its type calls for
// (LLEN, ZCARD, XLEN + XINFO GROUPS), chosen from the type seen last time. Pure: commands out, replies in.
// Only when a key's type differs from the guess (the first reading of a plain key, a key that changed type)
// is a second trip needed, for those keys alone.
import {printable, type QueueKind, type QueueSpec} from './spec.js';

export type LengthType = 'list' | 'zset' | 'stream';

export interface KeyDepth {
	key: string;
	/** TYPE's answer: list, zset, stream, none (absent: an empty queue in Redis), or another type (an error). */
	type: string;
	/** The jobs waiting in this key; null when it could not be read. */
	depth: number | null;
	/** Streams: entries in the stream (XLEN). */
	length?: number;
	/** Streams with consumer groups: the largest group lag (entries not yet delivered to that group). */
	lag?: number | null;
	error: string | null;
}

export interface QueueDepth {
	name: string;
	kind: QueueKind;
	/** The first key: what the JSON's `key` says (Celery's priority lists and BullMQ's other lists are in `keys`). */
	key: string;
	/** Sum over the keys; null when any of them could not be read (never a partial sum shown as the depth). */
	depth: number | null;
	keys: KeyDepth[];
	error: string | null;
	/** Jobs per second the depth grows (negative: drains), smoothed over the last readings; null until two readings. */
	ratePerSecond: number | null;
}

export interface QueuesSample {
	queues: QueueDepth[];
	at: number;
}

export type Command = [string, ...string[]];

/** One reply of ioredis's pipeline exec(): [error, result]. */
export type Reply = [Error | null, unknown];

interface Slot {
	key: string;
	guess: LengthType;
	/** Index of the TYPE reply; the length replies follow it. */
	at: number;
}

export interface Plan {
	commands: Command[];
	slots: Slot[];
}

/** What a key of a job system holds; a plain key is guessed a list until TYPE says otherwise. */
export function layoutType(kind: QueueKind, key: string): LengthType {
	return kind === 'bullmq' && key.endsWith(':prioritized') ? 'zset' : 'list';
}

const lengthTypes = new Set<string>(['list', 'zset', 'stream']);

function lengthCommands(key: string, type: LengthType): Command[] {
	switch (type) {
		case 'list':
			return [['llen', key]];
		case 'zset':
			return [['zcard', key]];
		case 'stream':
			return [['xlen', key], ['xinfo', 'groups', key]];
	}
}

/**
 * The commands for one reading of these keys. `known` holds the type each key had last time: keys seen as
 * absent or of a wrong type are guessed from the layout again.
 */
export function planReading(keys: ReadonlyArray<{key: string; kind: QueueKind}>, known: ReadonlyMap<string, string>): Plan {
	const commands: Command[] = [];
	const slots: Slot[] = [];
	for (const {key, kind} of keys) {
		const seen = known.get(key);
		const guess = seen !== undefined && lengthTypes.has(seen) ? (seen as LengthType) : layoutType(kind, key);
		slots.push({key, guess, at: commands.length});
		commands.push(['type', key], ...lengthCommands(key, guess));
	}

	return {commands, slots};
}

function integer(value: unknown): number | null {
	const number = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
	return Number.isInteger(number) && number >= 0 ? number : null;
}

/**
 * The largest lag over the stream's consumer groups (XINFO GROUPS, Redis 7: `lag` may be nil when Redis cannot
 * tell, e.g. after entries were deleted): undefined when there are no groups; null when a group's lag is unknown.
 */
export function groupsLag(reply: unknown): number | null | undefined {
	if (!Array.isArray(reply)) return null;
	if (reply.length === 0) return undefined;
	let worst = 0;
	for (const group of reply) {
		if (!Array.isArray(group)) return null;
		const at = group.indexOf('lag');
		// Before Redis 7 there is no lag field at all: not assessed, the XLEN stands instead.
		const lag = at === -1 ? null : integer(group[at + 1]);
		if (lag === null) return null;
		worst = Math.max(worst, lag);
	}

	return worst;
}

export interface Interpretation {
	depths: Map<string, KeyDepth>;
	/** Every key's type as TYPE said: the next plan's guesses. */
	types: Map<string, string>;
	/** Keys whose type was not the guess: their lengths need a second trip. */
	retry: string[];
}

/** Reads a pipeline's replies back against its plan. `describe` turns a command error into a short reason. */
export function interpretReplies(plan: Plan, replies: readonly Reply[], describe: (error: Error) => string): Interpretation {
	const depths = new Map<string, KeyDepth>();
	const types = new Map<string, string>();
	const retry: string[] = [];
	for (const slot of plan.slots) {
		const [typeError, typeReply] = replies[slot.at] ?? [new Error('no reply'), null];
		if (typeError !== null || typeof typeReply !== 'string') {
			depths.set(slot.key, {key: slot.key, type: 'unknown', depth: null, error: typeError ? describe(typeError) : 'no TYPE reply'});
			continue;
		}

		const type = typeReply;
		types.set(slot.key, type);
		if (type === 'none') {
			depths.set(slot.key, {key: slot.key, type, depth: 0, error: null});
			continue;
		}

		if (!lengthTypes.has(type)) {
			depths.set(slot.key, {key: slot.key, type, depth: null, error: `${printable(slot.key)} is a ${type}, expected a list, sorted set or stream`});
			continue;
		}

		if (type !== slot.guess) {
			retry.push(slot.key);
			continue;
		}

		const [lengthError, lengthReply] = replies[slot.at + 1] ?? [new Error('no reply'), null];
		const length = lengthError === null ? integer(lengthReply) : null;
		if (length === null) {
			depths.set(slot.key, {key: slot.key, type, depth: null, error: lengthError ? describe(lengthError) : `no length for ${printable(slot.key)}`});
			continue;
		}

		if (type !== 'stream') {
			depths.set(slot.key, {key: slot.key, type, depth: length, error: null});
			continue;
		}

		const [groupsError, groupsReply] = replies[slot.at + 2] ?? [new Error('no reply'), null];
		const lag = groupsError === null ? groupsLag(groupsReply) : null;
		// Without consumer groups every entry waits; with them, the slowest group's lag is what waits. A lag Redis
		// cannot tell falls back to the whole stream: an upper bound, never a silent zero.
		const depth = lag === undefined || lag === null ? length : lag;
		depths.set(slot.key, {key: slot.key, type, depth, length, lag: lag ?? null, error: null});
	}

	return {depths, types, retry};
}

/** The queues' depths from their keys' depths: a queue with one unreadable key has no depth, and says why. */
export function queueDepths(specs: readonly QueueSpec[], depths: ReadonlyMap<string, KeyDepth>): QueueDepth[] {
	return specs.map(spec => {
		const keys = spec.keys.map(key => depths.get(key) ?? {key, type: 'unknown', depth: null, error: 'not read'});
		const failed = keys.find(key => key.error !== null);
		const depth = failed ? null : keys.reduce((sum, key) => sum + (key.depth ?? 0), 0);
		return {name: spec.name, kind: spec.kind, key: spec.keys[0]!, depth, keys, error: failed?.error ?? null, ratePerSecond: null};
	});
}

/** Weight of the newest slope in the smoothed rate: about the last five readings count. */
const rateWeight = 0.3;

/**
 * The trend of each queue: the depth's slope since the previous reading, smoothed. A queue without a depth now or
 * then keeps no rate (null): the trend restarts from the next two readings.
 */
export function withRates(previous: QueuesSample | null, next: QueuesSample): QueuesSample {
	if (previous === null) return next;
	const seconds = (next.at - previous.at) / 1000;
	if (!(seconds > 0)) return next;
	const before = new Map(previous.queues.map(queue => [queue.name, queue]));
	return {
		...next,
		queues: next.queues.map(queue => {
			const old = before.get(queue.name);
			if (old === undefined || old.depth === null || queue.depth === null) return queue;
			const slope = (queue.depth - old.depth) / seconds;
			const rate = old.ratePerSecond === null ? slope : old.ratePerSecond * (1 - rateWeight) + slope * rateWeight;
			return {...queue, ratePerSecond: rate};
		}),
	};
}
