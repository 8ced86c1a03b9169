export {InstancesTable, RowCache, scrollStart, tableLines, type InstancesTableProps} from './instances-table.js';
