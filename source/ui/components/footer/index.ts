export {Footer, footerHints, footerLine, type FooterActions, type FooterFilter, type FooterProps} from './footer.js';
