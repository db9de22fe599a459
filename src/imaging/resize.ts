/**
 * Resizing images to the model's input size and masks to the map size. Images: `area` (the exact mean
 * of the source footprint, like OpenCV's INTER_AREA when shrinking) or `bilinear` with anti-aliasing
 * (the triangle filter widened by the scale factor when shrinking, as Pillow does), both separable and
 * pixel-centre aligned. Masks: nearest neighbour (or any overlap) then `> 0`, as the paper's masks were
 * binarised after resizing (spec section 2.1).
 */
import { UsageError } from '../core/errors.js';

/** Interpolation for images: `area` (default) or `bilinear`. */
export type ResizeMethod = 'area' | 'bilinear';

/** Target size and method of `resizeImage`. */
export interface ResizeOptions {
  readonly width: number;
  readonly height: number;
  /** Default `area`. */
  readonly method?: ResizeMethod;
  /** Bilinear only: widen the filter when shrinking so that detail finer than the output grid is averaged, not aliased. Default true. */
  readonly antialias?: boolean;
}

/** How masks are resized: `nearest` (default; the source pixel under each output centre) or `area` (positive if any covered source pixel is). */
export type MaskResizeMethod = 'nearest' | 'area';

/** Taps of a separable filter along one axis: output i reads `count[i]` source pixels from `start[i]`. */
interface AxisFilter {
  readonly start: Int32Array;
  readonly count: Int32Array;
  /** Weights, `maxTaps` per output. */
  readonly weights: Float64Array;
  readonly maxTaps: number;
}

function checkSize(what: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) throw new UsageError('resize-bad-size', `${what} must be a positive integer, got ${value}`);
}

function checkInput(length: number, width: number, height: number, channels = 1): void {
  checkSize('source width', width);
  checkSize('source height', height);
  if (length !== width * height * channels) {
    throw new UsageError('resize-bad-size', `source has ${length} values, expected ${width}x${height}${channels > 1 ? `x${channels}` : ''}`);
  }
}

function areaFilter(inSize: number, outSize: number): AxisFilter {
  const scale = inSize / outSize;
  const maxTaps = Math.ceil(scale) + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * maxTaps);
  for (let i = 0; i < outSize; i++) {
    const lo = i * scale;
    const hi = Math.min(inSize, (i + 1) * scale);
    const first = Math.floor(lo);
    const last = Math.min(inSize - 1, Math.ceil(hi) - 1);
    start[i] = first;
    let n = 0;
    for (let j = first; j <= last; j++) {
      const overlap = Math.min(hi, j + 1) - Math.max(lo, j);
      if (overlap > 0) weights[i * maxTaps + (j - first)] = overlap / (hi - lo);
      n = j - first + 1;
    }
    count[i] = n;
  }
  return { start, count, weights, maxTaps };
}

function triangleFilter(inSize: number, outSize: number, antialias: boolean): AxisFilter {
  const scale = inSize / outSize;
  const support = antialias && scale > 1 ? scale : 1;
  const maxTaps = Math.ceil(2 * support) + 2;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * maxTaps);
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const first = Math.max(0, Math.floor(center - support - 0.5));
    const last = Math.min(inSize - 1, Math.ceil(center + support - 0.5));
    let total = 0;
    for (let j = first; j <= last; j++) {
      const w = Math.max(0, 1 - Math.abs((j + 0.5 - center) / support));
      weights[i * maxTaps + (j - first)] = w;
      total += w;
    }
    // Renormalise: at the borders part of the kernel falls outside the image (clamp-to-edge behaviour).
    for (let j = first; j <= last; j++) weights[i * maxTaps + (j - first)]! /= total || 1;
    start[i] = first;
    count[i] = last - first + 1;
  }
  return { start, count, weights, maxTaps };
}

/**
 * Resizes a row-major single-channel float image to `options.width` x `options.height`. `area` averages
 * exactly over each output pixel's footprint; `bilinear` interpolates between pixel centres (anti-aliased
 * when shrinking unless `antialias: false`). Returns a new Float32Array.
 */
export function resizeImage(pixels: Float32Array, width: number, height: number, options: ResizeOptions): Float32Array {
  checkInput(pixels.length, width, height);
  checkSize('target width', options.width);
  checkSize('target height', options.height);
  const method = options.method ?? 'area';
  if (method !== 'area' && method !== 'bilinear') throw new UsageError('resize-bad-method', `unknown resize method "${String(method)}"; expected area or bilinear`);
  const outW = options.width;
  const outH = options.height;
  if (outW === width && outH === height) return pixels.slice();
  if (outH > height && outW < width) {
    // Growing rows while shrinking columns: shrink first, so the intermediate buffer stays small.
    const narrow = resizeImage(pixels, width, height, { ...options, height });
    return resizeImage(narrow, outW, height, options);
  }
  const antialias = options.antialias ?? true;
  const fx = method === 'area' ? areaFilter(width, outW) : triangleFilter(width, outW, antialias);
  const fy = method === 'area' ? areaFilter(height, outH) : triangleFilter(height, outH, antialias);
  // Vertical pass first (whole source rows scaled and added: a simple loop V8 compiles well), into an
  // outH x width buffer; then the horizontal pass on the smaller buffer.
  const tmp = new Float64Array(outH * width);
  for (let y = 0; y < outH; y++) {
    const s = fy.start[y]!;
    const n = fy.count[y]!;
    const wBase = y * fy.maxTaps;
    const outRow = y * width;
    for (let k = 0; k < n; k++) {
      const w = fy.weights[wBase + k]!;
      if (w === 0) continue;
      const row = (s + k) * width;
      for (let x = 0; x < width; x++) tmp[outRow + x]! += w * pixels[row + x]!;
    }
  }
  const out = new Float32Array(outW * outH);
  for (let y = 0; y < outH; y++) {
    const row = y * width;
    const outRow = y * outW;
    for (let x = 0; x < outW; x++) {
      const s = row + fx.start[x]!;
      const n = fx.count[x]!;
      const wBase = x * fx.maxTaps;
      let sum = 0;
      for (let k = 0; k < n; k++) sum += fx.weights[wBase + k]! * tmp[s + k]!;
      out[outRow + x] = sum;
    }
  }
  return out;
}

/**
 * Resizes a row-major binary mask (any non-zero = positive) and returns a 0/1 mask: `nearest` takes the
 * source pixel under each output pixel's centre; `area` marks an output pixel positive when any source
 * pixel it covers is (never loses a small lesion). Both threshold at `> 0` as the paper's evaluation does.
 */
export function resizeMask(mask: Uint8Array, width: number, height: number, outWidth: number, outHeight: number, method: MaskResizeMethod = 'nearest'): Uint8Array {
  checkInput(mask.length, width, height);
  checkSize('target width', outWidth);
  checkSize('target height', outHeight);
  const out = new Uint8Array(outWidth * outHeight);
  if (method === 'nearest') {
    const xs = new Int32Array(outWidth);
    for (let x = 0; x < outWidth; x++) xs[x] = Math.min(width - 1, Math.floor(((x + 0.5) * width) / outWidth));
    for (let y = 0; y < outHeight; y++) {
      const row = Math.min(height - 1, Math.floor(((y + 0.5) * height) / outHeight)) * width;
      for (let x = 0; x < outWidth; x++) out[y * outWidth + x] = mask[row + xs[x]!]! > 0 ? 1 : 0;
    }
    return out;
  }
  if (method !== 'area') throw new UsageError('resize-bad-method', `unknown mask resize method "${String(method)}"; expected nearest or area`);
  const fx = areaFilter(width, outWidth);
  const fy = areaFilter(height, outHeight);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      let positive = 0;
      for (let ky = 0; ky < fy.count[y]! && !positive; ky++) {
        if (fy.weights[y * fy.maxTaps + ky]! <= 0) continue;
        const row = (fy.start[y]! + ky) * width;
        for (let kx = 0; kx < fx.count[x]!; kx++) {
          if (fx.weights[x * fx.maxTaps + kx]! > 0 && mask[row + fx.start[x]! + kx]! > 0) {
            positive = 1;
            break;
          }
        }
      }
      out[y * outWidth + x] = positive;
    }
  }
  return out;
}
