// The atomic writers live in data/ (the lowest layer that does I/O); jobs re-exports them for its callers.
export { writeDirAtomic, writeFileAtomic, writeJsonAtomic } from '../data/atomic.js';
