export {TooSmall, tooSmallLines, tooSmallText, type TooSmallProps} from './too-small.js';
