/**
 * Boxes to pixels. Ground-truth boxes (RSNA) and predicted boxes (a localization network) are drawn on
 * a grid of another size than the one they were given in. Two rules:
 * - `arun2021`: the paper's code, `c' = int(T * c / (S - 1))` for x, y, x + width and y + height
 *   (T the target size, S the source size; 320 * c / 1023 for RSNA), inclusive ends, min/max swapped
 *   when needed (Arun et al. 2021, https://doi.org/10.1148/ryai.2021200267).
 * - `exact`: the box is the continuous region [x, x + width) x [y, y + height) of the source grid,
 *   scaled to the target grid; every target pixel it overlaps with positive area is inside. At equal
 *   sizes an integer box covers exactly its width x height pixels.
 */
import { UsageError } from '../core/errors.js';
import type { Box, Map2D, Mask } from '../core/types.js';

/** How box coordinates map onto the target grid. */
export type BoxRule = 'arun2021' | 'exact';

/** A width and height in pixels. */
export interface Size {
  readonly width: number;
  readonly height: number;
}

/** Options of the box rasterizers; `rule` defaults to `exact`. */
export interface RasterizeOptions {
  readonly rule?: BoxRule;
}

/** Inclusive pixel ranges a box covers on the target grid, clipped to it. */
export interface PixelRange {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

function checkSize(size: Size, what: string): void {
  if (!Number.isInteger(size.width) || !Number.isInteger(size.height) || size.width <= 0 || size.height <= 0) {
    throw new UsageError('raster-size', `${what} size must be positive integers, got ${size.width}x${size.height}`);
  }
}

function checkBox(box: Box, index: number): void {
  if (![box.x, box.y, box.width, box.height].every(Number.isFinite)) {
    throw new UsageError('box-not-finite', `box ${index} has a non-finite coordinate (${box.x}, ${box.y}, ${box.width}, ${box.height})`);
  }
}

function paperAxis(start: number, extent: number, source: number, target: number): [number, number] | undefined {
  // Python's int() truncates toward zero; the multiplication comes first as in the paper's code.
  let lo = Math.trunc((target * start) / (source - 1));
  let hi = Math.trunc((target * (start + extent)) / (source - 1));
  if (lo > hi) [lo, hi] = [hi, lo];
  lo = Math.max(lo, 0);
  hi = Math.min(hi, target - 1);
  return lo <= hi ? [lo, hi] : undefined;
}

function exactAxis(start: number, extent: number, source: number, target: number): [number, number] | undefined {
  let a = start;
  let b = start + extent;
  if (a > b) [a, b] = [b, a];
  if (a === b) return undefined;
  // Multiply before dividing so integer boxes map exactly.
  const lo = Math.max(Math.floor((a * target) / source), 0);
  const hi = Math.min(Math.ceil((b * target) / source) - 1, target - 1);
  return lo <= hi ? [lo, hi] : undefined;
}

/** The inclusive, clipped pixel range of one box on the target grid, or `undefined` when it covers nothing. */
export function boxPixelRange(box: Box, from: Size, to: Size, rule: BoxRule = 'exact'): PixelRange | undefined {
  checkSize(from, 'source');
  checkSize(to, 'target');
  checkBox(box, 0);
  if (rule === 'arun2021' && (from.width < 2 || from.height < 2)) {
    throw new UsageError('raster-size', `the arun2021 box rule divides by (size - 1) and needs a source of at least 2x2, got ${from.width}x${from.height}`);
  }
  const axis = rule === 'arun2021' ? paperAxis : exactAxis;
  const xs = axis(box.x, box.width, from.width, to.width);
  const ys = axis(box.y, box.height, from.height, to.height);
  if (!xs || !ys) return undefined;
  return { x0: xs[0], x1: xs[1], y0: ys[0], y1: ys[1] };
}

/** Rasterizes the union of boxes given on a `from` grid into a binary mask of size `to` (1 = inside any box). */
export function rasterizeBoxes(boxes: readonly Box[], from: Size, to: Size, options: RasterizeOptions = {}): Mask {
  checkSize(to, 'target');
  const data = new Uint8Array(to.width * to.height);
  boxes.forEach((box, index) => {
    checkBox(box, index);
    const r = boxPixelRange(box, from, to, options.rule ?? 'exact');
    if (!r) return;
    for (let y = r.y0; y <= r.y1; y++) data.fill(1, y * to.width + r.x0, y * to.width + r.x1 + 1);
  });
  return { data, width: to.width, height: to.height };
}

/**
 * Rasterizes scored boxes (a detector's output) into a float map of size `to`: each pixel holds the
 * highest score of the boxes covering it (a box without a score counts as 1), 0 elsewhere.
 */
export function rasterizeScoredBoxes(boxes: readonly Box[], from: Size, to: Size, options: RasterizeOptions = {}): Map2D {
  checkSize(to, 'target');
  const data = new Float32Array(to.width * to.height);
  boxes.forEach((box, index) => {
    checkBox(box, index);
    const score = box.score ?? 1;
    if (!Number.isFinite(score)) throw new UsageError('box-score', `box ${index} has a non-finite score ${score}`);
    const r = boxPixelRange(box, from, to, options.rule ?? 'exact');
    if (!r) return;
    for (let y = r.y0; y <= r.y1; y++) {
      const row = y * to.width;
      for (let x = r.x0; x <= r.x1; x++) if (score > data[row + x]!) data[row + x] = score;
    }
  });
  return { data, width: to.width, height: to.height };
}
