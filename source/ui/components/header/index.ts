export {Header, headerLines, type HeaderProps} from './header.js';
