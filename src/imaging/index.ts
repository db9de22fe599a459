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
export { colormapNames, colormapTable, colormapIndex, colormapColor, applyColormap } from './colormap.js';
export type { ColormapName, RgbaImage } from './colormap.js';
export { truthOutlineColor, grayToRgba, maskOutline, boxOutline, truthOutline, drawOutline, overlayMap } from './overlay.js';
export type { GrayImage, Rgb, OverlayOptions, OutlineOptions } from './overlay.js';
