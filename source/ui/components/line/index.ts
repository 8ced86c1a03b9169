export {Line, type LineProps} from './line.js';
