// One line under the header: what the autoscale policy would do now and why, whether autoscaling is on or off
// ("autoscale: would scale up 3 → 4 in 40 s (avg CPU 76 % > 70 % for 20 s of 60 s)"), a countdown before an act,
// or the question that turns it on.
import type {AutoscaleUi} from '../../contexts/autoscale-context.js';
import {tone, type ColorName} from '../../layout/symbols.js';
import {fitLine, styledLine, type Span, type StyledLine} from '../../layout/styled-text.js';

function colorOf(ui: AutoscaleUi): ColorName | undefined {
	const {view} = ui;
	if (view.countdown !== null || view.acting !== null) return 'yellow';
	switch (view.decision?.kind) {
		case 'blocked':
			return 'red';
		case 'up':
		case 'down':
			return 'cyan';
		default:
			return undefined;
	}
}

export function autoscaleLine(ui: AutoscaleUi | undefined, width: number, color: boolean): StyledLine {
	if (ui === undefined) return styledLine('');
	const on = `AUTOSCALE ON${ui.view.dryRun ? ' · DRY RUN' : ''}`;
	const label: Span = ui.view.enabled
		? {text: color ? ` ${on} ` : `[${on}]`, style: {inverse: color, bold: true, color: tone(color, 'cyan')}}
		: {text: ui.view.readOnly ? 'autoscale (read-only, preview):' : 'autoscale:', style: {bold: true}};
	if (ui.confirming) {
		return fitLine(
			styledLine([label, {text: ' y', style: {bold: true, color: tone(color, 'cyan')}}, {text: ` turns autoscaling on (${ui.summary}); any other key cancels`}]),
			width,
		);
	}

	const quiet = ui.view.decision?.kind === 'hold' && ui.view.countdown === null && ui.view.acting === null;
	const spans: Span[] = [label, {text: ` ${ui.view.text}`, style: {color: tone(color, colorOf(ui)), bold: ui.view.countdown !== null, dim: quiet && color}}];
	return fitLine(styledLine(spans), width);
}
