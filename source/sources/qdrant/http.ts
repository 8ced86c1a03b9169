// GET requests to Qdrant's REST API over node:http(s) (not fetch: the bundle keeps undici unloaded), on a keep-alive
// agent, each bounded by the timeout, with the API key in the `api-key` header. The key never leaves this module:
// errors are worded by status, never by echoing the request.
import http from 'node:http';
import https from 'node:https';
import {protectLargeIntegers} from './parse.js';

export interface QdrantHttpOptions {
	/** http(s)://HOST:PORT, without a trailing path. */
	url: string;
	apiKey?: string;
	timeoutMs: number;
}

export interface HttpAnswer {
	status: number;
	body: string;
}

export interface QdrantHttp {
	get(path: string): Promise<HttpAnswer>;
	/** GET and decode the JSON body, or throw a worded error. `exactIntegers`: large integers kept exact, as strings. */
	json(path: string, exactIntegers?: boolean): Promise<unknown>;
	close(): void;
}

/** The error for a non-2xx answer: the status and Qdrant's own one-line reason, never the request. */
export class QdrantHttpError extends Error {
	constructor(
		readonly status: number,
		readonly path: string,
		reason: string,
	) {
		super(`${path}: HTTP ${status}${reason ? ` (${reason})` : ''}`);
		this.name = 'QdrantHttpError';
	}
}

const maxBodyBytes = 4 * 1024 * 1024;

function reasonOf(status: number, body: string): string {
	if (status === 401 || status === 403) {
		// Qdrant answers a missing or wrong key in plain text: "Must provide an API key…", "Invalid API key or JWT".
		return `api key refused: ${body.split('\n', 1)[0]!.slice(0, 120) || 'unauthorized'}; set QDRANT_API_KEY`;
	}

	try {
		const error = (JSON.parse(body) as {status?: {error?: unknown}}).status?.error;
		if (typeof error === 'string') return error.split('\n', 1)[0]!.slice(0, 160);
	} catch {
		// Not JSON: the first line will do.
	}

	return body.split('\n', 1)[0]!.slice(0, 120);
}

export function createQdrantHttp(options: QdrantHttpOptions): QdrantHttp {
	const base = new URL(options.url);
	const secure = base.protocol === 'https:';
	const agent = secure ? new https.Agent({keepAlive: true, maxSockets: 4}) : new http.Agent({keepAlive: true, maxSockets: 4});
	const request = secure ? https.request : http.request;
	const prefix = base.pathname.replace(/\/$/, '');

	async function get(path: string): Promise<HttpAnswer> {
		return new Promise((resolve, reject) => {
			const headers: Record<string, string> = {accept: 'application/json, text/plain'};
			if (options.apiKey) headers['api-key'] = options.apiKey;
			const req = request(
				{host: base.hostname.replace(/^\[|\]$/g, ''), port: base.port || (secure ? 443 : 80), path: `${prefix}${path}`, method: 'GET', headers, agent, timeout: options.timeoutMs},
				response => {
					const chunks: Buffer[] = [];
					let size = 0;
					response.on('data', (chunk: Buffer) => {
						size += chunk.length;
						if (size > maxBodyBytes) {
							req.destroy(new Error(`${path}: answer larger than ${maxBodyBytes / 1024 / 1024} MB`));
							return;
						}

						chunks.push(chunk);
					});
					response.on('end', () => resolve({status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8')}));
					response.on('error', reject);
				},
			);
			// A server that accepts and never answers: the socket's idle timeout ends the request.
			req.on('timeout', () => req.destroy(Object.assign(new Error('ETIMEDOUT'), {code: 'ETIMEDOUT'})));
			req.on('error', reject);
			// The whole request is bounded too: a server that trickles bytes never resets the idle timer for long.
			const deadline = setTimeout(() => req.destroy(Object.assign(new Error('ETIMEDOUT'), {code: 'ETIMEDOUT'})), options.timeoutMs);
			req.on('close', () => clearTimeout(deadline));
			req.end();
		});
	}

	return {
		get,
		async json(path, exactIntegers = false) {
			const answer = await get(path);
			if (answer.status < 200 || answer.status >= 300) throw new QdrantHttpError(answer.status, path, reasonOf(answer.status, answer.body));
			let body: unknown;
			try {
				// Only /cluster carries 64-bit ids; the scan costs more than the parse, so it is done where needed.
				body = JSON.parse(exactIntegers ? protectLargeIntegers(answer.body) : answer.body);
			} catch {
				throw new Error(`${path}: the answer is not JSON`);
			}

			return body;
		},
		close() {
			agent.destroy();
		},
	};
}
