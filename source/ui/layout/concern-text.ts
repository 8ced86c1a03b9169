// Short words for concerns: the header's recommendation and the table's breach marks. Pure.
import type {Assessment, Concern, OverallLevel} from '../../core/assessment.js';
import {overallOf, runbookActions} from '../../core/rules.js';
import {formatValue} from '../../core/threshold-judge.js';
import {formatDuration, formatPercent} from './format.js';
import {levelSymbol, type DisplayLevel} from './symbols.js';

/** The workload's metric words; a source's concern brings its own (`label`). */
const metricWord: Record<string, string> = {
	cpu: 'cpu',
	memory: 'mem',
	state: 'state',
	reachability: 'source',
};

/** `6m12s → IMMEDIATE at 10m` for a sustained rule still under its duration, else ''. */
export function sustainText(concern: Concern): string {
	if (!concern.sustain) return '';
	return `${formatDuration(concern.sustain.heldSeconds)} → IMMEDIATE at ${formatDuration(concern.sustain.requiredSeconds)}`;
}

/**
 * `avg cpu 84% ▲ 6m12s → IMMEDIATE at 10m`, `web-2 mem 91% ▲▲`, `? postgres: connection refused…`. An instance is
 * named by its container name, as in the table, the events and the audit log. (`_project` is no longer used: names are
 * never shortened by a prefix, only by width.)
 */
export function concernShort(concern: Concern, _project = ''): string {
	const symbol = levelSymbol[concern.level];
	// A state concern without a number brings its own short words (`replica db-2:5432 not streaming`).
	if (concern.value === null && concern.label !== undefined) return `${concern.label} ${symbol}`;
	if (concern.metric === 'reachability') return `${symbol} ${concern.message}`;
	if (concern.metric === 'state') {
		const head = concern.message.split(':')[0] ?? '';
		return `${head} ${symbol}`;
	}

	const who = concern.scope === 'service' ? 'avg ' : concern.scope === 'instance' ? `${concern.subject} ` : '';
	const timer = sustainText(concern);
	const word = concern.label ?? metricWord[concern.metric] ?? concern.metric;
	const value = concern.unit === undefined || concern.unit === 'percent' ? formatPercent(concern.value) : concern.value === null ? '-' : formatValue(concern.value, concern.unit);
	return `${who}${word} ${value} ${symbol}${timer ? ` ${timer}` : ''}`;
}

export interface Recommendation {
	/** As --once decides it (overallOf): UNKNOWN whenever a source the verdict depends on cannot be read. */
	level: OverallLevel;
	/** `▲▲ IMMEDIATE: Scale application horizontally`, in the runbook's words. */
	text: string;
	/** The concerns behind it, worst first, short. */
	details: string[];
}

export function recommendation(assessment: Assessment, project = ''): Recommendation {
	const level = overallOf(assessment);
	const worst = assessment.concerns.find(concern => concern.level === level);
	const fallback = level === 'SOON' ? runbookActions.plan : level === 'UNKNOWN' ? 'Not assessed: a source cannot be read' : runbookActions.scaleOut;
	const action = level === 'OK' ? 'Current capacity is adequate' : (worst?.action ?? fallback);
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
