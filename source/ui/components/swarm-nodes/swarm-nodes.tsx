// A Swarm service's nodes, below its tasks: one line each when there is room (hostname, address, role, ready/down,
// active/drain, its tasks, whether va-top reads its engine), else one line with them all. A node line is selected
// like a task (↑ ↓), and D drains it (or makes a drained one active again).
import type {SwarmNodeView} from '../../../core/types.js';
import {fit} from '../../layout/format.js';
import {levelSymbol, tone} from '../../layout/symbols.js';
import {fitLine, styledLine, type Span, type StyledLine} from '../../layout/styled-text.js';

export interface SwarmNodesProps {
	nodes: readonly SwarmNodeView[];
	/** The selection (a task's id, or a node line's: nodeSelectionId). */
	selectedId: string | null;
	width: number;
	height: number;
	color: boolean;
}

/** The selection id of a node's line. */
export function nodeSelectionId(node: Pick<SwarmNodeView, 'id'>): string {
	return `node:${node.id}`;
}

/** Lines for the node block out of `table` lines: a heading and a line per node when the tasks keep 5 lines, else 1. */
export function nodeBlockHeight(nodes: number, table: number): number {
	if (nodes === 0 || table < 4) return 0;
	return table - (nodes + 1) >= 5 ? nodes + 1 : 1;
}

function trouble(node: SwarmNodeView): boolean {
	return node.state !== 'ready' || (!node.reachable && node.tasks > 0);
}

function engineText(node: SwarmNodeView): string {
	if (node.reachable) return 'engine ok';
	if (node.reason !== null) return `not assessed: ${node.reason}`;
	return node.engine === null ? 'engine not known yet' : 'engine not read yet';
}

function nodeLine(node: SwarmNodeView, selected: boolean, width: number, color: boolean): StyledLine {
	const role = node.role === 'manager' ? (node.leader ? 'leader' : 'manager') : 'worker';
	const bad = trouble(node);
	const drained = node.availability !== 'active';
	const spans: Span[] = [
		{text: `${selected ? '▸ ' : '  '}${fit(node.hostname, Math.min(24, Math.max(10, node.hostname.length)))}`, style: {inverse: selected && color, bold: selected}},
		{text: ` ${fit(node.address, 15)} ${fit(role, 7)} `, style: {dim: color}},
		{text: fit(node.state === 'ready' ? 'ready' : `${node.state} ${levelSymbol.UNKNOWN}`, 8), style: {color: tone(color, node.state === 'ready' ? undefined : 'red')}},
		{text: ` ${fit(node.availability, 6)}`, style: {bold: drained, color: tone(color, drained ? 'yellow' : undefined)}},
		{text: ` ${String(node.tasks).padStart(3)} task${node.tasks === 1 ? ' ' : 's'} `},
		{text: engineText(node), style: {color: tone(color, bad ? 'yellow' : undefined), dim: !bad && color}},
	];
	return fitLine(styledLine(spans), width);
}

/** All nodes on one line, from the selected one's neighbourhood when they do not fit. */
function compactLine(nodes: readonly SwarmNodeView[], selectedId: string | null, width: number, color: boolean): StyledLine {
	const spans: Span[] = [{text: 'NODES', style: {bold: true}}];
	const at = Math.max(0, nodes.findIndex((node) => nodeSelectionId(node) === selectedId));
	const start = width < 40 ? at : Math.max(0, Math.min(at, nodes.length - 1) - 1);
	if (start > 0) spans.push({text: ' …'});
	for (const node of nodes.slice(start)) {
		const selected = nodeSelectionId(node) === selectedId;
		const state = `${node.state === 'ready' ? '' : `${node.state} `}${node.availability === 'active' ? '' : node.availability}`.trim();
		spans.push({text: ' '}, {text: `${selected ? '▸' : ''}${node.hostname}${state === '' ? '' : ` ${state}`} ${node.tasks}${trouble(node) ? ` ${levelSymbol.UNKNOWN}` : ''}`, style: {inverse: selected && color, bold: selected, color: tone(color, trouble(node) ? 'yellow' : drainedColor(node))}});
	}

	return fitLine(styledLine(spans), width);
}

function drainedColor(node: SwarmNodeView): 'yellow' | undefined {
	return node.availability === 'active' ? undefined : 'yellow';
}

export function swarmNodeLines({nodes, selectedId, width, height, color}: SwarmNodesProps): StyledLine[] {
	if (height <= 0 || nodes.length === 0) return [];
	if (height === 1) return [compactLine(nodes, selectedId, width, color)];
	const heading = fitLine(styledLine(`  NODE (D drains / activates the selected one)`, {bold: true}), width);
	const lines = [heading];
	const rows = height - 1;
	const selected = nodes.findIndex((node) => nodeSelectionId(node) === selectedId);
	const start = selected < rows ? 0 : selected - rows + 1;
	for (const node of nodes.slice(start, start + rows)) lines.push(nodeLine(node, nodeSelectionId(node) === selectedId, width, color));
	return lines;
}
