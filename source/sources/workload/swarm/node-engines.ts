// Which engine reads a Swarm node's tasks: the operator's --node-host for it, else the manager's own engine for the
// manager's node, else a Docker context named like the node, else the manager's URL with the node's address (how an
// operator reaches every host from the bastion: the same ssh user, or the same TLS). None of these: the node's tasks
// show the manager's state and no numbers, and the reason says what to give.
import type {DockerEngineSpec} from '../../../config/docker-engines.js';
import {derivedNodeHost, nodeHostFor, type NodeHostSpec} from '../../../config/node-hosts.js';
import {redactUrl} from '../../../core/redact.js';
import type {SwarmNode} from '../../../core/swarm.js';

export type NodeEngineChoice =
	/** The manager's own engine (the manager's node). */
	| {kind: 'manager'}
	/** Its own engine; `how` says where the URL came from (for the header and messages). */
	| {kind: 'spec'; spec: DockerEngineSpec; how: string}
	| {kind: 'none'; reason: string};

export interface NodeEngineContext {
	manager: DockerEngineSpec;
	/** The node the manager's engine runs on. */
	selfNodeId: string | null;
	nodeHosts: readonly NodeHostSpec[];
	/** A Docker context named `name` in the store, or null. */
	contextFor(name: string): DockerEngineSpec | null;
}

export function chooseNodeEngine(node: SwarmNode, context: NodeEngineContext): NodeEngineChoice {
	const given = nodeHostFor(context.nodeHosts, node);
	if (given !== undefined) return {kind: 'spec', spec: {name: node.hostname, host: given.host, from: `${given.from} ${given.node}`}, how: '--node-host'};
	if (node.id === context.selfNodeId) return {kind: 'manager'};
	const named = context.contextFor(node.hostname);
	if (named !== null) return {kind: 'spec', spec: {...named, name: node.hostname}, how: `context ${named.context ?? node.hostname}`};
	const derived = derivedNodeHost(context.manager.host, node.address);
	if (derived !== null) {
		// The manager's TLS (its context's files, or the TLS variables) goes with the URL.
		const {context: managerContext, tls} = context.manager;
		return {
			kind: 'spec',
			spec: {name: node.hostname, host: derived, from: `the manager's URL with ${node.hostname}'s address`, ...(managerContext === undefined ? {} : {context: managerContext}), ...(tls === undefined ? {} : {tls})},
			how: "the manager's URL",
		};
	}

	const example = node.address === '' ? 'ssh://USER@ADDRESS' : `ssh://USER@${node.address}`;
	return {
		kind: 'none',
		reason: `no way to reach ${node.hostname}'s engine (the manager is ${redactUrl(context.manager.host)}): give --node-host ${node.hostname}=${example} or a context named ${node.hostname}`,
	};
}

/** Two choices read the same engine the same way (a node's reader is kept while its choice stays). */
export function choiceKey(choice: NodeEngineChoice): string {
	switch (choice.kind) {
		case 'manager':
			return 'manager';
		case 'spec':
			return `${choice.spec.host} ${choice.spec.context ?? ''}`;
		case 'none':
			return `none ${choice.reason}`;
	}
}
