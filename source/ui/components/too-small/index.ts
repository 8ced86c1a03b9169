export {TooSmall, tooSmallText, type TooSmallProps} from './too-small.js';
