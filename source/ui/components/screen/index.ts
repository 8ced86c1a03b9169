export {Screen} from './screen.js';
