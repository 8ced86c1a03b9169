export {InstancesTable, scrollStart, type InstancesTableProps} from './instances-table.js';
