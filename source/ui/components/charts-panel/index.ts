export {ChartsPanel, chartsPanelLines, PlotCaches, type ChartSpec, type ChartsPanelProps} from './charts-panel.js';
