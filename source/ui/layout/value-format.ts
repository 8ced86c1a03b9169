// The screen's number style, handed to the sources' chart titles and summaries so every value looks alike.
import type {ValueFormat} from '../../core/format.js';
import {formatBytes, formatPercent} from './format.js';

export const valueFormat: ValueFormat = {
	percent: value => formatPercent(value),
	bytes: value => formatBytes(value),
	time: ms => (ms >= 1000 ? `${Number((ms / 1000).toFixed(ms >= 10_000 ? 0 : 1))}s` : `${Math.round(ms)}ms`),
	count: value => (Math.abs(value) >= 10_000 ? `${Number((value / 1000).toFixed(1))}k` : String(Math.round(value))),
};
