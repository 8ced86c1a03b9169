// Where a Swarm node's engine is reached, for its tasks' CPU and memory (only the engine of the node a task runs on
// can read them): --node-host NODE=URL (repeatable, or comma-separated), else a Docker context named like the node,
// else the manager's own URL with the node's address (ssh://ops@manager → ssh://ops@NODE_ADDR, same user and port;
// tcp://manager:2376 → tcp://NODE_ADDR:2376 with the same TLS). A unix:// manager gives no way to reach other nodes.
import {redactUrl} from '../core/redact.js';
import {validateDockerHost} from './urls.js';
import {UsageError} from './usage-error.js';

export interface NodeHostSpec {
	/** The node as the operator names it: its hostname or its ID (a prefix of 12 or more characters will do). */
	node: string;
	/** unix://, tcp:// or ssh:// (validated). */
	host: string;
	from: string;
}

const example = 'e.g. --node-host worker1=ssh://ops@10.0.0.12';

/** --node-host values (flag or config file), each NODE=URL or a comma-separated list of them. */
export function parseNodeHosts(input: {values: readonly string[]; from: string} | undefined): NodeHostSpec[] {
	if (input === undefined) return [];
	const specs: NodeHostSpec[] = [];
	for (const value of input.values) {
		for (const raw of value.split(',')) {
			const item = raw.trim();
			if (item === '') throw new UsageError(`${input.from}: an empty item in "${redactUrl(value)}", expected NODE=URL items separated by commas (${example})`);
			const match = /^([^=]*)=(.*)$/.exec(item);
			const node = match?.[1]?.trim() ?? '';
			const url = match?.[2]?.trim() ?? '';
			if (match === null || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(node) || url === '') {
				throw new UsageError(`${input.from}: "${redactUrl(item)}" is not NODE=URL, expected a node's hostname or ID, "=", and the URL of its Docker engine (${example})`);
			}

			const host = validateDockerHost(url, `${input.from} ${node}`);
			const twice = specs.find((spec) => spec.node === node);
			if (twice !== undefined) throw new UsageError(`${input.from}: node "${node}" is given twice, expected one URL per node`);
			specs.push({node, host, from: input.from});
		}
	}

	return specs;
}

/** The --node-host entry for a node, by hostname or ID (or an ID prefix of 12 or more characters). */
export function nodeHostFor(specs: readonly NodeHostSpec[], node: {id: string; hostname: string}): NodeHostSpec | undefined {
	return specs.find((spec) => spec.node === node.hostname || spec.node === node.id || (spec.node.length >= 12 && node.id.startsWith(spec.node)));
}

/**
 * The node's engine by the manager's own URL with the node's address: the same scheme, user and port (an operator
 * who reaches the manager as ssh://ops@mgr reaches the workers as ops too). null for unix:// (a socket names one
 * machine) or a node without an address.
 */
export function derivedNodeHost(managerHost: string, address: string): string | null {
	if (address === '' || address === '0.0.0.0' || address === '::') return null;
	let url: URL;
	try {
		url = new URL(managerHost);
	} catch {
		return null;
	}

	if (url.protocol !== 'ssh:' && url.protocol !== 'tcp:') return null;
	const host = address.includes(':') ? `[${address}]` : address;
	const user = url.username === '' ? '' : `${url.username}@`;
	const port = url.port === '' ? '' : `:${url.port}`;
	return `${url.protocol}//${user}${host}${port}`;
}
