export {HelpOverlay, helpKeys, type HelpOverlayProps} from './help-overlay.js';
