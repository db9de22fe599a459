/**
 * heatcheck's public library API. Each layer exposes its public surface through its own index.ts;
 * this file re-exports them.
 */
export * from './core/index.js';
