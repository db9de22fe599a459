/**
 * Example thumbnails for the report: the X-ray and a map shrunk to at most `size` pixels on the longer
 * side (area averaging, so fine detail is averaged rather than aliased), the map coloured and blended
 * over the image, the ground truth outlined, encoded as a JPEG (default) or RGB PNG `data:` URL.
 */
import type { GroundTruth, Map2D } from '../core/types.js';
import type { ColormapName } from '../imaging/colormap.js';
import { drawOutline, grayToRgba, overlayMap, truthOutline, type GrayImage } from '../imaging/overlay.js';
import { resizeImage } from '../imaging/resize.js';
import { encodeJpeg, encodeRgbPng, jpegDataUrl, pngDataUrl } from './png.js';

/** Options of `thumbnailDataUrl`. */
export interface ThumbnailOptions {
  /** Longest side in pixels. */
  readonly size: number;
  readonly colormap: ColormapName;
  /** Map opacity; default 0.5. */
  readonly alpha?: number;
  /** Default `jpeg` (5-10x smaller than PNG on X-rays); `png` is lossless. */
  readonly format?: 'jpeg' | 'png';
  /** JPEG quality 1-100; default 85. */
  readonly quality?: number;
}

/** The thumbnail size of a `width` x `height` image: longest side `max` (never enlarged), aspect kept. */
export function thumbnailSize(width: number, height: number, max: number): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Resizes pixels to the size; NaN (a degenerate map) stays NaN everywhere, so it is not blended. */
function fit(pixels: Float32Array, width: number, height: number, to: { width: number; height: number }): Float32Array {
  if (width === to.width && height === to.height) return pixels;
  return resizeImage(pixels, width, height, { width: to.width, height: to.height, method: 'area' });
}

/**
 * A thumbnail `data:` URL of the image with, when given, the map overlaid and the ground truth
 * outlined; map and image may have different sizes (both are fitted to the thumbnail).
 */
export function thumbnailDataUrl(image: GrayImage, map: Map2D | null, truth: GroundTruth | null, options: ThumbnailOptions): string {
  const size = thumbnailSize(image.width, image.height, options.size);
  const small: GrayImage = { pixels: fit(image.pixels, image.width, image.height, size), ...size };
  const outline = truth ? truthOutline(truth, size) : undefined;
  let rgba;
  if (map) {
    const mapSmall: Map2D = { data: fit(map.data, map.width, map.height, size), ...size };
    rgba = overlayMap(small, mapSmall, { colormap: options.colormap, alpha: options.alpha ?? 0.5, ...(outline ? { outline } : {}) });
  } else {
    rgba = grayToRgba(small);
    if (outline) drawOutline(rgba, outline);
  }
  return options.format === 'png' ? pngDataUrl(encodeRgbPng(rgba)) : jpegDataUrl(encodeJpeg(rgba, options.quality ?? 85));
}
