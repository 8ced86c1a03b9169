// The shared kit every collector uses: one status machine with one meaning per word, one backoff, bounded waits, a
// poller that never overlaps its readings.
import {describe, expect, it} from 'vitest';
import {healthOf, staleAfterMs} from '../../../source/core/source-model.js';
import {atMost, backoffDelay, createPoller, createReadingCell, withTimeout} from '../../../source/sources/kit/index.js';
import {describeError} from '../../../source/sources/describe-error.js';

describe('the status machine', () => {
	it('goes connecting → unreachable (never answered) → ok → reconnecting (sample kept) → ok', () => {
		let now = 1000;
		const cell = createReadingCell<{value: number; at: number}>('db:5432', () => now);
		const seen: string[] = [];
		cell.subscribe(() => seen.push(cell.view().status.kind));
		expect(cell.view()).toEqual({endpoint: 'db:5432', status: {kind: 'connecting', since: 1000}, sample: null});

		now = 2000;
		cell.fail('connection refused at db:5432');
		expect(cell.view().status).toEqual({kind: 'unreachable', reason: 'connection refused at db:5432', since: 2000});
		now = 3000;
		cell.fail('connection refused at db:5432');
		// The same failure again keeps its since: "unreachable for 2 s", not "for 0 s".
		expect(cell.view().status).toMatchObject({kind: 'unreachable', since: 2000});

		cell.ok({value: 7, at: 4000}, 4000);
		expect(cell.view()).toMatchObject({status: {kind: 'ok', at: 4000}, sample: {value: 7}});

		now = 5000;
		cell.fail('connection reset at db:5432');
		expect(cell.view()).toMatchObject({status: {kind: 'reconnecting', reason: 'connection reset at db:5432', since: 5000}, sample: {value: 7}});
		expect(cell.unchanged('connection reset at db:5432')).toBe(true);
		expect(cell.unchanged('timed out')).toBe(false);
		cell.connecting();
		expect(seen).toEqual(['unreachable', 'unreachable', 'ok', 'reconnecting', 'connecting']);
	});

	it('derives "stale" from the data age alone: older than three readings, never sooner than 3 s', () => {
		expect(staleAfterMs(1000)).toBe(3000);
		expect(staleAfterMs(5000)).toBe(15_000);
		expect(healthOf({kind: 'ok', at: 0}, 0, 3000, 1000)).toBe('ok');
		expect(healthOf({kind: 'ok', at: 0}, 0, 3001, 1000)).toBe('stale');
		expect(healthOf({kind: 'reconnecting', reason: 'x', since: 0}, 0, 99_999, 1000)).toBe('reconnecting');
	});
});

describe('backoff and bounded waits', () => {
	it('backs off 500 ms more per failed attempt, up to 5 s, and never gives up', () => {
		expect([0, 1, 2, 3, 10, 1000].map(attempt => backoffDelay(attempt))).toEqual([500, 500, 1000, 1500, 5000, 5000]);
	});

	it('a request that never answers fails as a timeout in words, and a wait is bounded', async () => {
		const never = new Promise<never>(() => {});
		const error = await withTimeout(never, 20, 'query').catch((caught: unknown) => caught);
		expect(describeError(error, '127.0.0.1:5432', 20)).toBe('timed out after 20ms at 127.0.0.1:5432');
		const started = Date.now();
		await atMost(never, 20);
		expect(Date.now() - started).toBeLessThan(2000);
	});
});

describe('the poller', () => {
	it('never starts a reading while the last one is in flight, and stop() waits for it', async () => {
		let inFlight = 0;
		let most = 0;
		let reads = 0;
		const poller = createPoller(5, async () => {
			inFlight++;
			most = Math.max(most, inFlight);
			reads++;
			await new Promise(resolve => setTimeout(resolve, 30));
			inFlight--;
		});
		poller.start();
		await new Promise(resolve => setTimeout(resolve, 100));
		await poller.stop();
		expect(most).toBe(1);
		expect(reads).toBeGreaterThan(1);
		expect(inFlight).toBe(0);
	});
});
