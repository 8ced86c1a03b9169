export * from './concern-list.js';
