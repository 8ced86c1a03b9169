export {EventLog, eventLogLines, type EventLogProps} from './event-log.js';
