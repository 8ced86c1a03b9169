// Short words for concerns: the header's recommendation and the table's breach marks. Pure.
import type {Assessment, Concern, ConcernMetric} from '../../core/assessment.js';
import {runbookActions} from '../../core/rules.js';
import {formatDuration, formatPercent, shortName} from './format.js';
import {levelSymbol, type DisplayLevel} from './symbols.js';

const metricWord: Record<ConcernMetric, string> = {
	cpu: 'cpu',
	memory: 'mem',
	connections: 'db conn',
	'redis-memory': 'redis mem',
	state: 'state',
	reachability: 'source',
};

/**
 * `6m12s → IMMEDIATE at 10m` for a sustained rule still under its duration, `12m04s` past it, with
 * `(since before va-top started)` when its clock came from the recorded history; else ''.
 */
export function sustainText(concern: Concern): string {
	const sustain = concern.sustain;
	if (!sustain) return '';
	const before = sustain.beforeStart ? ' (since before va-top started)' : '';
	if (sustain.heldSeconds >= sustain.requiredSeconds) return `${formatDuration(sustain.heldSeconds)}${before}`;
	return `${formatDuration(sustain.heldSeconds)} → IMMEDIATE at ${formatDuration(sustain.requiredSeconds)}${before}`;
}

/**
 * `avg cpu 84% ▲ 6m12s → IMMEDIATE at 10m`, `web-2 mem 91% ▲▲`, `? postgres: connection refused…`. With the project,
 * an instance is named without its `${project}-` prefix, as in the table (the header names the project).
 */
export function concernShort(concern: Concern, project = ''): string {
	const symbol = levelSymbol[concern.level];
	if (concern.metric === 'reachability') return `${symbol} ${concern.message}`;
	if (concern.metric === 'state') {
		const head = concern.message.split(':')[0] ?? '';
		return `${concern.scope === 'instance' ? head.replace(concern.subject, shortName(concern.subject, project)) : head} ${symbol}`;
	}

	const who = concern.scope === 'service' ? 'avg ' : concern.scope === 'instance' ? `${shortName(concern.subject, project)} ` : '';
	const timer = sustainText(concern);
	return `${who}${metricWord[concern.metric]} ${formatPercent(concern.value)} ${symbol}${timer ? ` ${timer}` : ''}`;
}

export interface Recommendation {
	level: 'OK' | 'SOON' | 'IMMEDIATE';
	/** `▲▲ IMMEDIATE: Scale application horizontally`, in the runbook's words. */
	text: string;
	/** The concerns behind it, worst first, short. */
	details: string[];
}

export function recommendation(assessment: Assessment, project = ''): Recommendation {
	const level = assessment.level;
	const worst = assessment.concerns.find(concern => concern.level === level);
	const action = level === 'OK' ? 'Current capacity is adequate' : (worst?.action ?? (level === 'SOON' ? runbookActions.plan : runbookActions.scaleOut));
	const details = assessment.concerns.map(concern => concernShort(concern, project));
	return {level, text: `${levelSymbol[level]} ${level}: ${action}`, details};
}

export interface BreachMark {
	level: DisplayLevel;
	/** Two cells: '▲ ', '▲▲', '? ' or '  '. */
	mark: string;
	/** Timer text for a sustained rule, '' otherwise. */
	timer: string;
}

const noMark: BreachMark = {level: 'OK', mark: '  ', timer: ''};

/**
 * The mark for one instance value. Instance concerns come first; when the whole service is over (the rules then
 * report the service, not each instance) an instance over the same threshold carries the service's level.
 */
export function instanceMark(assessment: Assessment | undefined, name: string, metric: 'cpu' | 'memory', value: number | null): BreachMark {
	if (!assessment || value === null) return noMark;
	const own = assessment.concerns.find(c => c.scope === 'instance' && c.subject === name && c.metric === metric);
	const concern = own ?? assessment.concerns.find(c => c.scope === 'service' && c.metric === metric && c.threshold !== null && value > c.threshold);
	if (!concern || concern.level === 'UNKNOWN') return noMark;
	return {level: concern.level, mark: levelSymbol[concern.level].padEnd(2, ' '), timer: sustainText(concern)};
}
