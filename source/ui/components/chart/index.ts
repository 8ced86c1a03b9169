export {Chart, chartLines, PlotCache, type ChartProps} from './chart.js';
