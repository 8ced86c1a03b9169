export {Lines, TextLine, type LinesProps} from './lines.js';
