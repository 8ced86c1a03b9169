export {Footer, footerHints, type FooterActions, type FooterProps} from './footer.js';
