export {ActionDialog, actionDialogLines, type ActionDialogProps} from './action-dialog.js';
