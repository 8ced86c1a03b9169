#!/usr/bin/env node
// A small load generator of the project's own, for the access-log tests and the benchmark: GET requests to ONE
// loopback URL at a steady rate, bounded in count and in time, and it stops by itself. It refuses any host that is
// not on the loopback (127.0.0.0/8, ::1, localhost): this tool never sends traffic anywhere else.
//
// usage: node scripts/load.mjs --url http://127.0.0.1:18080/cgi-bin/app [--rate 50] [--seconds 10] [--max 100000]
//          [--concurrency 64] [--json]
//   --rate         requests started per second (spread evenly)
//   --seconds      stop starting requests after this long (at most 3600)
//   --max          never more requests than this in all (at most 10,000,000)
//   --concurrency  at most this many requests in flight (a slow server lowers the rate rather than piling up)
//   --json         print the summary as JSON: {sent, answered, failed, byStatus, seconds}
import http from 'node:http';

export function parseLoadArgs(argv) {
	const options = {url: undefined, rate: 50, seconds: 10, max: 100_000, concurrency: 64, json: false};
	for (let i = 0; i < argv.length; i++) {
		const flag = argv[i];
		const value = () => {
			const next = argv[++i];
			if (next === undefined) throw new Error(`${flag} needs a value`);
			return next;
		};
		const number = (min, max) => {
			const parsed = Number(value());
			if (!Number.isFinite(parsed) || parsed < min || parsed > max) throw new Error(`${flag}: expected a number from ${min} to ${max}`);
			return parsed;
		};
		if (flag === '--url') options.url = value();
		else if (flag === '--rate') options.rate = number(0.1, 100_000);
		else if (flag === '--seconds') options.seconds = number(0.1, 3600);
		else if (flag === '--max') options.max = number(1, 10_000_000);
		else if (flag === '--concurrency') options.concurrency = number(1, 1024);
		else if (flag === '--json') options.json = true;
		else throw new Error(`unknown argument ${flag}`);
	}

	if (options.url === undefined) throw new Error('--url is required');
	const url = new URL(options.url);
	if (url.protocol !== 'http:') throw new Error(`--url: only http:// (got ${url.protocol})`);
	if (!isLoopback(url.hostname)) throw new Error(`--url: ${url.hostname} is not a loopback address; this tool only loads 127.0.0.0/8, ::1 or localhost`);
	return {...options, url};
}

export function isLoopback(hostname) {
	const host = hostname.replace(/^\[|\]$/g, '');
	return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Runs the load; resolves with the summary once every request started has ended. */
export async function runLoad({url, rate, seconds, max, concurrency}) {
	const agent = new http.Agent({keepAlive: true, maxSockets: concurrency});
	const summary = {sent: 0, answered: 0, failed: 0, byStatus: {}, seconds: 0};
	const started = Date.now();
	const stopAt = started + seconds * 1000;
	const gapMs = 1000 / rate;
	let inFlight = 0;
	let next = started;
	const pending = new Set();

	function one() {
		inFlight++;
		summary.sent++;
		const done = new Promise((resolve) => {
			const request = http.get(url, {agent, timeout: 30_000}, (response) => {
				response.resume();
				response.on('end', () => {
					summary.answered++;
					summary.byStatus[response.statusCode] = (summary.byStatus[response.statusCode] ?? 0) + 1;
					resolve();
				});
				response.on('error', () => {
					summary.failed++;
					resolve();
				});
			});
			request.on('timeout', () => request.destroy(new Error('timeout')));
			request.on('error', () => {
				summary.failed++;
				resolve();
			});
		}).finally(() => {
			inFlight--;
			pending.delete(done);
		});
		pending.add(done);
	}

	while (Date.now() < stopAt && summary.sent < max) {
		const now = Date.now();
		// Catch up after a timer ran late, but never more than a second's worth at once.
		let due = Math.min(Math.floor((now - next) / gapMs) + 1, Math.ceil(rate));
		while (due-- > 0 && summary.sent < max && inFlight < concurrency) {
			one();
			next += gapMs;
		}

		if (next < now - 1000) next = now;
		await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.min(50, next - Date.now()))));
	}

	await Promise.all(pending);
	agent.destroy();
	summary.seconds = (Date.now() - started) / 1000;
	return summary;
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
	let options;
	try {
		options = parseLoadArgs(process.argv.slice(2));
	} catch (error) {
		process.stderr.write(`load: ${error.message}\n`);
		process.exit(64);
	}

	const summary = await runLoad(options);
	if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
	else process.stdout.write(`load: ${summary.sent} sent, ${summary.answered} answered, ${summary.failed} failed in ${summary.seconds.toFixed(1)}s ${JSON.stringify(summary.byStatus)}\n`);
}
