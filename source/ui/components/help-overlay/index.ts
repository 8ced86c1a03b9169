export {HelpOverlay, helpKeys, helpLines, helpKeyRows, type HelpOverlayProps} from './help-overlay.js';
