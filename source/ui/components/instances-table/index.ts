export {formatUptime, InstancesTable, outOfViewText, RowCache, scrollStart, TableScroll, tableColumnsFor, tableLines, type InstancesTableProps} from './instances-table.js';
