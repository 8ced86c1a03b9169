export {hostColumnWidth, InstancesTable, RowCache, scrollStart, shownNames, tableLines, type InstancesTableProps} from './instances-table.js';
