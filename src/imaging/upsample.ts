/**
 * Upsampling of low-resolution maps (Grad-CAM's 8x8 or 16x16 grid) to the image grid, pixel-centre
 * aligned: output pixel i samples source coordinate (i + 0.5) * in / out - 0.5. Bilinear samples outside
 * the source mirror about the border pixel (x[-1] = x[1], numpy 'reflect'), which is what
 * `skimage.transform.resize(order=1)` does and what the saliency oracle uses; no anti-aliasing, so use
 * these to enlarge maps, not to shrink images.
 */
import type { Map2D, ProcessingStep } from '../core/types.js';
import { mapErrors } from './map-messages.js';

/** Interpolation of `upsample`: `bilinear` (default) or `nearest`. */
export type UpsampleMethod = 'bilinear' | 'nearest';

/** Target size and method of `upsample`; `method` defaults to `'bilinear'`. */
export interface UpsampleOptions {
  readonly width: number;
  readonly height: number;
  readonly method?: UpsampleMethod;
}

function checkSizes(what: string, map: Map2D, width: number, height: number): void {
  if (!Number.isInteger(map.width) || !Number.isInteger(map.height) || map.width <= 0 || map.height <= 0 || map.data.length !== map.width * map.height) {
    throw mapErrors.shape(what, map.data.length, `${map.width}x${map.height}`, map.width * map.height);
  }
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw mapErrors.badOption(what, 'width/height', [width, height], 'positive integers');
  }
}

/** Source index pairs and weights along one axis for bilinear sampling with mirrored borders. */
function axisWeights(inSize: number, outSize: number): { i0: Int32Array; i1: Int32Array; f: Float64Array } {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const f = new Float64Array(outSize);
  const scale = inSize / outSize;
  const mirror = (i: number): number => {
    if (inSize === 1) return 0;
    if (i < 0) return -i;
    if (i > inSize - 1) return 2 * (inSize - 1) - i;
    return i;
  };
  for (let o = 0; o < outSize; o++) {
    const s = (o + 0.5) * scale - 0.5;
    const lo = Math.floor(s);
    f[o] = s - lo;
    i0[o] = mirror(lo);
    i1[o] = mirror(lo + 1);
  }
  return { i0, i1, f };
}

/**
 * Bilinear resampling of a 2-D map to `width` x `height` with pixel-centre alignment and mirrored
 * borders, matching `skimage.transform.resize(map, (height, width), order=1)` when enlarging.
 */
export function upsampleBilinear(map: Map2D, width: number, height: number): Map2D {
  checkSizes('upsampleBilinear', map, width, height);
  const x = axisWeights(map.width, width);
  const y = axisWeights(map.height, height);
  // Separable: interpolate along rows into a float64 buffer, then along columns.
  const rows = new Float64Array(map.height * width);
  for (let r = 0; r < map.height; r++) {
    const src = r * map.width;
    const dst = r * width;
    for (let c = 0; c < width; c++) {
      const a = map.data[src + x.i0[c]!]!;
      const b = map.data[src + x.i1[c]!]!;
      rows[dst + c] = a + (b - a) * x.f[c]!;
    }
  }
  const out = new Float32Array(width * height);
  for (let r = 0; r < height; r++) {
    const top = y.i0[r]! * width;
    const bottom = y.i1[r]! * width;
    const fr = y.f[r]!;
    const dst = r * width;
    for (let c = 0; c < width; c++) {
      const a = rows[top + c]!;
      out[dst + c] = a + (rows[bottom + c]! - a) * fr;
    }
  }
  return { data: out, width, height };
}

/**
 * Nearest-neighbour resampling of a 2-D map to `width` x `height`: output pixel i copies source pixel
 * floor((i + 0.5) * in / out), the source pixel whose extent contains the output pixel's centre.
 */
export function upsampleNearest(map: Map2D, width: number, height: number): Map2D {
  checkSizes('upsampleNearest', map, width, height);
  const cols = new Int32Array(width);
  for (let c = 0; c < width; c++) cols[c] = Math.min(map.width - 1, Math.floor(((c + 0.5) * map.width) / width));
  const out = new Float32Array(width * height);
  for (let r = 0; r < height; r++) {
    const src = Math.min(map.height - 1, Math.floor(((r + 0.5) * map.height) / height)) * map.width;
    const dst = r * width;
    for (let c = 0; c < width; c++) out[dst + c] = map.data[src + cols[c]!]!;
  }
  return { data: out, width, height };
}

/** Upsamples a map by `options.method` (default bilinear) and returns it with the step to record on it. */
export function upsample(map: Map2D, options: UpsampleOptions): { readonly map: Map2D; readonly step: ProcessingStep } {
  const method = options.method ?? 'bilinear';
  if (method !== 'bilinear' && method !== 'nearest') throw mapErrors.badOption('upsample', 'method', method, "'bilinear' or 'nearest'");
  const out = method === 'bilinear' ? upsampleBilinear(map, options.width, options.height) : upsampleNearest(map, options.width, options.height);
  return {
    map: out,
    step: {
      op: `upsample-${method}`,
      options: { from: [map.width, map.height], to: [options.width, options.height], alignment: 'pixel-centre', border: method === 'bilinear' ? 'mirror' : 'none' },
    },
  };
}
