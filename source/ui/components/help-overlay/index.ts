export {HelpOverlay, helpKeys, helpKeyRows, type HelpOverlayProps} from './help-overlay.js';
