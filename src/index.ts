/**
 * heatcheck's public library API. Each layer exposes its public surface through its own index.ts;
 * this file re-exports them.
 */
export * from './core/index.js';
export * from './metrics/index.js';
export * from './imaging/index.js';
export * from './data/index.js';
export * from './saliency/index.js';
export * from './engine/index.js';
export * from './criteria/index.js';
export * from './config/index.js';
export * from './report/index.js';
// The run-folder DICOM export (a job: it reads the run and writes files); the pure builders come with report/.
export { exportRunDicom, type RunDicomExport, type RunDicomExportFile, type RunDicomExportOptions } from './jobs/dicom-export/export.js';
