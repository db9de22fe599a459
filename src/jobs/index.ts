export * from './atomic.js';
export * from './runner.js';
