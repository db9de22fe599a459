export * from './batch.js';
export * from './errors.js';
export * from './hash.js';
export * from './rng.js';
export * from './types.js';
