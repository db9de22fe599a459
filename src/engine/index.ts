/**
 * The engine: ONNX classifiers on onnxruntime as `ExplainableModel`s, with sessions per graph variant,
 * sub-batching under a memory budget, and model inspection.
 */
export { loadOnnxModel, type OnnxModel, type WeightGradientResult } from './onnx-model.js';
export type { EngineOptions, ResolvedEngineOptions } from './options.js';
export { defaultLanes, defaultMaxBatch, defaultMemoryBudgetMiB, jobLanes, resolveEngineOptions } from './options.js';
export type { EngineStats, SessionBuild, VariantRuns } from './sessions.js';
export { bytesPerImage, subBatchSize, type ActivationSizes, type PassKind } from './memory.js';
export { createGraphSession, type GraphSession, type GraphSessionOptions, type TensorValue } from './training-session.js';
