export {Chart, type ChartProps} from './chart.js';
