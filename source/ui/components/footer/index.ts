export {Footer, footerHints, type FooterProps} from './footer.js';
