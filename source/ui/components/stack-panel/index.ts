export {StackPanel, stackPanelHeight, stackPanelLines, type StackPanelProps} from './stack-panel.js';
