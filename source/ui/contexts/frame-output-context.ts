// Where the screen's lines go. Under renderLive they are handed straight to the screen writer (`draw`), so Ink lays
// out and paints nothing; without `draw` (ink-testing-library, a component on its own) Ink draws them as <Text> lines.
import {createContext} from 'react';
import {sgrSupported} from '../layout/styled-text.js';

export interface FrameOutput {
	/** The terminal takes SGR codes (bold, colours); colours still also need the screen's colour setting. */
	sgr: boolean;
	/** Takes each whole frame, one string per line, already fitted to the width. */
	draw?: (lines: readonly string[]) => void;
}

export const FrameOutputContext = createContext<FrameOutput>({sgr: sgrSupported(process.stdout)});
