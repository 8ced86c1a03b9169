export {autoscaleLine} from './autoscale-line.js';
