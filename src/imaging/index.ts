/**
 * The imaging layer's public surface: pure typed-array image math. Each module adds its exports here.
 */
export { percentile } from './percentile.js';
export { upsample, upsampleBilinear, upsampleNearest } from './upsample.js';
export type { UpsampleMethod, UpsampleOptions } from './upsample.js';
export { postprocessMap, postprocessPresets, reduceChannels, percentileClip, minMaxNormalize, rawMapFromBatch } from './postprocess.js';
export type { RawMap, SignMode, ChannelReduce, DegeneratePolicy, PostprocessOptions, PostprocessResult, NormalizeResult } from './postprocess.js';
export { mapErrorCodes } from './map-messages.js';
export { boxPixelRange, rasterizeBoxes, rasterizeScoredBoxes } from './rasterize.js';
export type { BoxRule, PixelRange, RasterizeOptions, Size } from './rasterize.js';
export { resizeImage, resizeMask } from './resize.js';
export type { ResizeMethod, ResizeOptions, MaskResizeMethod } from './resize.js';
export { felzenszwalb, felzenszwalbGraph, segmentGraph, gaussianKernel, numpyArgsort } from './felzenszwalb.js';
export type { ChannelImage, FelzenszwalbGraph, FelzenszwalbOptions, Segmentation } from './felzenszwalb.js';
