export {ChartsPanel, type ChartSpec, type ChartsPanelProps} from './charts-panel.js';
