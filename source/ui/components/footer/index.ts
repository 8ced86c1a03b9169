export {Footer, footerHints, footerLine, type FooterActions, type FooterProps} from './footer.js';
