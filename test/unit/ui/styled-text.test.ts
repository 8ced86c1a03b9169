// Styled lines: fitting, side by side, and the exact bytes a terminal gets with and without SGR codes.
import {describe, expect, it} from 'vitest';
import {besideEachOther, fitLine, lineWidth, padLine, plainText, renderLine, sgrSupported, styledLine, toHeight} from '../../../source/ui/layout/styled-text.js';

describe('fitLine', () => {
	const line = styledLine([{text: 'va-top', style: {bold: true}}, {text: ' voiceassist/server · ', style: {color: 'cyan'}}, {text: '3/10 instances'}], {dim: true});

	it('leaves a line that fits as it is (same object)', () => {
		expect(fitLine(line, 60)).toBe(line);
		expect(lineWidth(line)).toBe(42);
	});

	it('cuts a longer line to width - 1 across its runs and ends it in an ellipsis in the line style only', () => {
		const cut = fitLine(line, 26);
		expect(plainText(cut)).toBe('va-top voiceassist/server…');
		expect(lineWidth(cut)).toBe(26);
		expect(cut.spans.at(-1)).toEqual({text: '…'});
		expect(cut.spans[1]).toEqual({text: ' voiceassist/server', style: {color: 'cyan'}});
		expect(cut.style).toEqual({dim: true});
		expect(plainText(fitLine(line, 1))).toBe('…');
		expect(fitLine(line, 0).spans).toEqual([]);
	});

	it('a cut inside a word moves back to the word\'s start, so no word is cut into another (api_27 into api_2)', () => {
		// Issue 12: at 60x16 the recommendation line ended `· api_2…` for api_27: a name that reads as another instance.
		const advice = styledLine('▲ SOON: Check load balancing, or drain the instance · api_27 cpu 95%');
		expect(plainText(fitLine(advice, 60))).toBe('▲ SOON: Check load balancing, or drain the instance · …');
		expect(plainText(fitLine(line, 10))).toBe('va-top …');
		// A word longer than 16 cells is still cut inside (a URL): nothing to mistake it for.
		expect(plainText(fitLine(styledLine('docker tcp://very-long-hostname.example.com:2376'), 40))).toBe('docker tcp://very-long-hostname.example…');
	});

	it('counts box-drawing and block glyphs as one cell each', () => {
		expect(lineWidth(styledLine('▁▂▃┄┤▲▲'))).toBe(7);
		expect(plainText(fitLine(styledLine('100┤──────'), 6))).toBe('100┤─…');
	});
});

describe('renderLine', () => {
	it('without SGR: plain text, trailing spaces dropped', () => {
		expect(renderLine(styledLine([{text: 'EVENTS', style: {bold: true}}, {text: '   '}]), 80, false)).toBe('EVENTS');
		expect(renderLine(styledLine([{text: 'a   ', style: {bold: true}}, {text: '  '}]), 80, false)).toBe('a');
	});

	it('with SGR: chalk-style codes per run, runs of one style merged, colour and modifiers closed', () => {
		const text = renderLine(
			styledLine([
				{text: 'va-top', style: {bold: true}},
				{text: ' a', style: {color: 'cyan'}},
				{text: 'b', style: {color: 'cyan'}},
				{text: ' plain  '},
			]),
			80,
			true,
		);
		expect(text).toBe('\u001B[1mva-top\u001B[22m\u001B[36m ab\u001B[39m plain');
	});

	it('with SGR: a line style applies to every run and to the ellipsis; styled trailing spaces are kept', () => {
		expect(renderLine(styledLine([{text: 'abcdef', style: {color: 'red'}}], {bold: true}), 4, true)).toBe('\u001B[1m\u001B[31mabc\u001B[39m\u001B[22m\u001B[1m…\u001B[22m');
		expect(renderLine(styledLine([{text: '▸ web-1   ', style: {inverse: true}}]), 80, true)).toBe('\u001B[7m▸ web-1   \u001B[27m');
		expect(renderLine(styledLine('gray', {color: 'gray', dim: true}), 80, true)).toBe('\u001B[2m\u001B[90mgray\u001B[39m\u001B[22m');
	});
});

describe('lines side by side', () => {
	it('pads each part to its width outside its line style, and fills missing rows', () => {
		const left = [styledLine('CPU 84%', {bold: true}), styledLine('100┤──')];
		const right = [styledLine('MEM 50%', {bold: true})];
		const rows = besideEachOther([left, right], [10, 8], 3);
		expect(rows.map(plainText)).toEqual(['CPU 84%   MEM 50% ', '100┤──            ', '                  ']);
		expect(rows[0]!.spans[1]).toEqual({text: '   '});
		expect(renderLine(rows[0]!, 18, true)).toBe('\u001B[1mCPU 84%\u001B[22m   \u001B[1mMEM 50%\u001B[22m');
	});

	it('padLine and toHeight give exact sizes', () => {
		expect(lineWidth(padLine(styledLine('abc'), 7))).toBe(7);
		expect(lineWidth(padLine(styledLine('abcdefghij'), 7))).toBe(7);
		expect(toHeight([styledLine('a'), styledLine('b'), styledLine('c')], 2).map(plainText)).toEqual(['a', 'b']);
		expect(toHeight([styledLine('a')], 3).map(plainText)).toEqual(['a', '', '']);
	});
});

describe('sgrSupported', () => {
	it('follows FORCE_COLOR first, then a TTY that is not dumb', () => {
		expect(sgrSupported({isTTY: true}, {})).toBe(true);
		expect(sgrSupported({isTTY: true}, {TERM: 'dumb'})).toBe(false);
		expect(sgrSupported({isTTY: false}, {})).toBe(false);
		expect(sgrSupported({isTTY: false}, {FORCE_COLOR: '1'})).toBe(true);
		expect(sgrSupported({isTTY: true}, {FORCE_COLOR: '0'})).toBe(false);
	});
});
