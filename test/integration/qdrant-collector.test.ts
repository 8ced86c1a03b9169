// The Qdrant source against a STAND-IN, not a real Qdrant: no Qdrant server can be installed on this project's
// machines (neither Debian nor the npm registry ships one), so test/support/qdrant-stand-in.ts, a small HTTP server
// of the project's own, answers with bodies written from Qdrant's published OpenAPI schema (test/fixtures/qdrant).
// What is real here: the HTTP client, its timeouts and keep-alive, the status machine, the parsing and the rules.
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {emptyClock, createJudge} from '../../source/core/threshold-judge.js';
import {defaultThresholds} from '../../source/core/thresholds.js';
import type {SourceReading} from '../../source/core/source-model.js';
import type {Collector} from '../../source/sources/collector.js';
import {createKit} from '../../source/sources/kit/index.js';
import {createQdrantCollector} from '../../source/sources/qdrant/collector.js';
import type {QdrantSample} from '../../source/sources/qdrant/parse.js';
import {qdrantSummary} from '../../source/sources/qdrant/report.js';
import {qdrantConcerns} from '../../source/sources/qdrant/rules.js';
import {startQdrantStandIn, type QdrantStandIn} from '../support/qdrant-stand-in.js';
import {waitFor} from '../support/services.js';

const apiKey = 'qdrant-Key-Secret-5m';

function concernsOf(sample: QdrantSample) {
	const judge = createJudge(emptyClock, sample.at, {hysteresis: 5, oneShot: false});
	return qdrantConcerns(sample, {judge, thresholds: defaultThresholds, oneShot: false, project: 'p', service: 's', now: sample.at});
}

describe('Qdrant source against the Qdrant stand-in (no real Qdrant can be installed here)', () => {
	let standIn: QdrantStandIn;
	const collectors: Array<Collector<SourceReading<QdrantSample>>> = [];

	function collector(options: {key?: string; timeoutMs?: number} = {}) {
		const kit = createKit({intervalMs: 200, timeoutMs: options.timeoutMs ?? 1000});
		const created = createQdrantCollector({url: standIn.url, apiKey: 'key' in options ? options.key : apiKey}, `127.0.0.1:${standIn.port}`, kit);
		collectors.push(created);
		return created;
	}

	/** The next good sample read after `after` (epoch ms). */
	async function sampleAfter(source: Collector<SourceReading<QdrantSample>>, after: number): Promise<QdrantSample> {
		return waitFor(() => {
			const view = source.view();
			return view.status.kind === 'ok' && view.sample !== null && view.sample.at > after ? view.sample : undefined;
		}, {timeoutMs: 5000, intervalMs: 25, message: 'a reading'});
	}

	beforeAll(async () => {
		standIn = await startQdrantStandIn({state: {apiKey}});
	});

	afterEach(async () => {
		await Promise.all(collectors.splice(0).map(async source => source.stop()));
		Object.assign(standIn.state, {delayMs: 0, failing500: false, metrics: true});
		standIn.state.failing.clear();
		for (const collection of standIn.state.collections.values()) collection.status = 'green';
	});

	afterAll(async () => {
		await standIn?.close();
	});

	it('reads the peers and every collection with the api-key header, and never shows the key', async () => {
		const source = collector();
		source.start();
		const sample = await sampleAfter(source, 0);
		expect(sample.cluster.peers.map(peer => peer.id)).toEqual(standIn.state.peers.map(peer => peer.id).sort());
		expect(sample.cluster.peers.filter(peer => peer.self).map(peer => peer.id)).toEqual([standIn.state.peers[0]!.id]);
		expect(sample.collections.map(collection => [collection.name, collection.status, collection.points])).toEqual([
			['transcripts', 'green', 120_000],
			['voice-embeddings', 'green', 48_210],
		]);
		expect(sample.metrics).toEqual({collectionsTotal: 2, peersTotal: 3, pendingOperations: 0, version: '1.15.1'});
		expect(qdrantSummary(sample)).toBe('3 peers green');
		expect(concernsOf(sample)).toEqual([]);
		expect(standIn.requests.filter(request => request.path === '/cluster').every(request => request.apiKey === apiKey)).toBe(true);
		expect(JSON.stringify(source.view())).not.toContain(apiKey);
	});

	it('makes a red collection IMMEDIATE and a yellow one SOON, naming each', async () => {
		const source = collector();
		source.start();
		await sampleAfter(source, 0);
		standIn.state.collections.get('transcripts')!.status = 'red';
		standIn.state.collections.get('transcripts')!.optimizerError = 'Service internal error: No space left on device';
		standIn.state.collections.get('voice-embeddings')!.status = 'yellow';
		const changedAt = Date.now();
		const concerns = concernsOf(await sampleAfter(source, changedAt));
		expect(concerns.map(concern => [concern.level, concern.subject, concern.message.split(':')[0]])).toEqual([
			['IMMEDIATE', 'transcripts', 'qdrant collection transcripts is red (Service internal error'],
			['SOON', 'voice-embeddings', 'qdrant collection voice-embeddings is yellow (optimizing)'],
		]);
		delete standIn.state.collections.get('transcripts')!.optimizerError;
	});

	it('says a peer is down when the answering peer keeps failing to send to it', async () => {
		const source = collector();
		source.start();
		await sampleAfter(source, 0);
		const lost = standIn.state.peers[2]!;
		standIn.state.failing.set(lost.uri, {count: 17, error: 'Failed to connect to http://qdrant-2.qdrant-headless:6335/: transport error'});
		const sample = await sampleAfter(source, Date.now());
		const [concern] = concernsOf(sample);
		expect(concern).toMatchObject({level: 'IMMEDIATE', key: `qdrant.peer:${lost.id}`});
		expect(concern!.message).toContain(`qdrant peer ${lost.id} (${lost.uri}) is down: 17 failed sends in a row from peer ${standIn.state.peers[0]!.id}`);
		expect(qdrantSummary(sample)).toBe('3 peers (1 down) green');
	});

	it('says the key was refused, without the key, when it is wrong', async () => {
		const source = collector({key: 'not-the-key-4q'});
		source.start();
		const status = await waitFor(() => (source.view().status.kind === 'unreachable' ? source.view().status : undefined), {timeoutMs: 5000, message: 'unreachable'});
		expect(status).toMatchObject({kind: 'unreachable', reason: '/cluster: HTTP 401 (api key refused: Invalid API key or JWT; set QDRANT_API_KEY)'});
		expect(JSON.stringify(source.view())).not.toContain('not-the-key-4q');
	});

	it('keeps the last sample while the stand-in is gone, then reads again once it is back', async () => {
		const source = collector();
		source.start();
		await sampleAfter(source, 0);
		await standIn.close();
		try {
			const status = await waitFor(() => (source.view().status.kind === 'reconnecting' ? source.view().status : undefined), {timeoutMs: 5000, message: 'reconnecting'});
			expect(status).toMatchObject({reason: `connection refused at 127.0.0.1:${standIn.port}`});
			expect(source.view().sample).not.toBeNull();
		} finally {
			await standIn.reopen();
		}

		await sampleAfter(source, Date.now());
	});

	it('times a slow stand-in out at the timeout, and stops without waiting for it', async () => {
		const source = collector({timeoutMs: 500});
		standIn.state.delayMs = 1500;
		source.start();
		const status = await waitFor(() => (source.view().status.kind === 'unreachable' ? source.view().status : undefined), {timeoutMs: 5000, message: 'unreachable'});
		expect(status).toMatchObject({reason: `timed out after 500ms at 127.0.0.1:${standIn.port}`});
		const stopping = Date.now();
		await source.stop();
		// Bounded by the timeout, not by the stand-in's 1.5 s.
		expect(Date.now() - stopping).toBeLessThan(1400);
	});

	it('reads /metrics once per 30 s and keeps its figures in the samples read in between', async () => {
		const before = standIn.requests.filter(request => request.path === '/metrics').length;
		const source = collector();
		source.start();
		const first = await sampleAfter(source, 0);
		const second = await sampleAfter(source, first.at);
		const third = await sampleAfter(source, second.at);
		for (const sample of [first, second, third]) expect(sample.metrics).toEqual({collectionsTotal: 2, peersTotal: 3, pendingOperations: 0, version: '1.15.1'});
		expect(standIn.requests.filter(request => request.path === '/metrics').length - before).toBe(1);
	});

	it('does without /metrics where it is off, and does not ask again for a minute', async () => {
		standIn.state.metrics = false;
		const before = standIn.requests.filter(request => request.path === '/metrics').length;
		const source = collector();
		source.start();
		const first = await sampleAfter(source, 0);
		await sampleAfter(source, first.at);
		const sample = await sampleAfter(source, Date.now());
		expect(sample.metrics).toBeNull();
		expect(sample.collections).toHaveLength(2);
		expect(standIn.requests.filter(request => request.path === '/metrics').length - before).toBe(1);
	});
});
