/**
 * Overlays as pure image math: a saliency map coloured by a colormap and alpha-blended over the grey
 * X-ray, with the ground truth drawn as an outline (mask contour or box edges) so it never hides the
 * map beneath it, as in Arun et al. 2021 (https://doi.org/10.1148/ryai.2021200267, Fig 1: plasma with
 * yellow boxes). Everything returns RGBA pixels; encoding is the report's job.
 */
import { UsageError } from '../core/errors.js';
import type { GroundTruth, Map2D, Mask } from '../core/types.js';
import { applyColormap, type ColormapName, type RgbaImage } from './colormap.js';
import { boxPixelRange, type BoxRule, type Size } from './rasterize.js';
import { resizeMask } from './resize.js';

/** A grey image in [0, 1], row-major (an `XrayImage` fits). */
export interface GrayImage {
  readonly pixels: Float32Array;
  readonly width: number;
  readonly height: number;
}

/** An 8-bit RGB colour. */
export type Rgb = readonly [number, number, number];

/** The paper's ground-truth colour: yellow. */
export const truthOutlineColor: Rgb = Object.freeze([255, 255, 0]) as Rgb;

/** Options of `overlayMap`. */
export interface OverlayOptions {
  /** Default `plasma` (the paper's). */
  readonly colormap?: ColormapName;
  /** Opacity of the map over the X-ray, in [0, 1]; default 0.5. */
  readonly alpha?: number;
  /** Outline pixels (1 = draw), at the image size, e.g. from `truthOutline`. */
  readonly outline?: Uint8Array;
  /** Default yellow. */
  readonly outlineColor?: Rgb;
}

/** Options of the outline builders. */
export interface OutlineOptions {
  /** Line width in pixels, drawn inside the region; default 1. */
  readonly thickness?: number;
  /** How boxes map onto the grid (see `boxPixelRange`); default `exact`. */
  readonly boxRule?: BoxRule;
}

function checkLength(length: number, width: number, height: number, what: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0 || length !== width * height) {
    throw new UsageError('overlay-size', `${what} has ${length} pixels, expected ${width}x${height}`);
  }
}

function checkThickness(thickness: number): void {
  if (!Number.isInteger(thickness) || thickness < 1) throw new UsageError('overlay-thickness', `outline thickness must be a positive integer, got ${thickness}`);
}

const toByte = (v: number): number => (Number.isNaN(v) ? 0 : Math.round((v <= 0 ? 0 : v >= 1 ? 1 : v) * 255));

/** The grey image as opaque RGBA (value v in [0, 1], clamped, becomes round(255 v) in each channel). */
export function grayToRgba(image: GrayImage): RgbaImage {
  checkLength(image.pixels.length, image.width, image.height, 'image');
  const data = new Uint8ClampedArray(image.pixels.length * 4);
  for (let i = 0; i < image.pixels.length; i++) {
    const g = toByte(image.pixels[i]!);
    data[4 * i] = g;
    data[4 * i + 1] = g;
    data[4 * i + 2] = g;
    data[4 * i + 3] = 255;
  }
  return { data, width: image.width, height: image.height };
}

/**
 * The inner contour of a mask: pixels inside it within `thickness` 4-neighbour steps of a pixel outside
 * it (the image border counts as outside, so a region touching the edge is closed).
 */
export function maskOutline(mask: Mask, options: OutlineOptions = {}): Uint8Array {
  const thickness = options.thickness ?? 1;
  checkThickness(thickness);
  const { width, height } = mask;
  checkLength(mask.data.length, width, height, 'mask');
  // Repeated 4-neighbour erosion; the outline is what the erosions removed.
  let current = Uint8Array.from(mask.data, (v) => (v ? 1 : 0));
  const out = new Uint8Array(width * height);
  for (let step = 0; step < thickness; step++) {
    const next = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        if (!current[i]) continue;
        const inside = x > 0 && x < width - 1 && y > 0 && y < height - 1 && current[i - 1] && current[i + 1] && current[i - width] && current[i + width];
        if (inside) next[i] = 1;
        else out[i] = 1;
      }
    }
    current = next;
  }
  return out;
}

/** The edges of each box (given on the `from` grid) drawn on a grid of size `to`, `thickness` pixels inward. */
export function boxOutline(boxes: readonly GroundTruthBox[], from: Size, to: Size, options: OutlineOptions = {}): Uint8Array {
  const thickness = options.thickness ?? 1;
  checkThickness(thickness);
  const out = new Uint8Array(to.width * to.height);
  for (const box of boxes) {
    const r = boxPixelRange(box, from, to, options.boxRule ?? 'exact');
    if (!r) continue;
    for (let y = r.y0; y <= r.y1; y++) {
      for (let x = r.x0; x <= r.x1; x++) {
        const edge = x - r.x0 < thickness || r.x1 - x < thickness || y - r.y0 < thickness || r.y1 - y < thickness;
        if (edge) out[y * to.width + x] = 1;
      }
    }
  }
  return out;
}

type GroundTruthBox = Extract<GroundTruth, { kind: 'boxes' }>['boxes'][number];

/**
 * The ground truth's outline at `size`: a mask's contour (the mask resized by nearest neighbour first
 * when its size differs) or the boxes' edges; all zeros for `none`.
 */
export function truthOutline(truth: GroundTruth, size: Size, options: OutlineOptions = {}): Uint8Array {
  if (truth.kind === 'none') return new Uint8Array(size.width * size.height);
  if (truth.kind === 'boxes') return boxOutline(truth.boxes, { width: truth.width, height: truth.height }, size, options);
  const m = truth.mask;
  const data = m.width === size.width && m.height === size.height ? m.data : resizeMask(m.data, m.width, m.height, size.width, size.height, 'nearest');
  return maskOutline({ data, width: size.width, height: size.height }, options);
}

/** Paints the outline pixels (1 = paint) of an RGBA image in place with an opaque colour, and returns it. */
export function drawOutline(image: RgbaImage, outline: Uint8Array, color: Rgb = truthOutlineColor): RgbaImage {
  checkLength(outline.length, image.width, image.height, 'outline');
  for (let i = 0; i < outline.length; i++) {
    if (!outline[i]) continue;
    image.data[4 * i] = color[0];
    image.data[4 * i + 1] = color[1];
    image.data[4 * i + 2] = color[2];
    image.data[4 * i + 3] = 255;
  }
  return image;
}

/**
 * The map coloured by `colormap` and blended over the grey image, `out = (1 - alpha) grey + alpha colour`
 * per channel (rounded), opaque; NaN map pixels show the image alone; then the outline is drawn on top.
 * Image and map must have the same size (resize them first).
 */
export function overlayMap(image: GrayImage, map: Map2D, options: OverlayOptions = {}): RgbaImage {
  checkLength(image.pixels.length, image.width, image.height, 'image');
  checkLength(map.data.length, map.width, map.height, 'map');
  if (map.width !== image.width || map.height !== image.height) {
    throw new UsageError('overlay-size', `map is ${map.width}x${map.height} but the image is ${image.width}x${image.height}; resize one first`);
  }
  const alpha = options.alpha ?? 0.5;
  if (!(alpha >= 0 && alpha <= 1)) throw new UsageError('overlay-alpha', `alpha must be in [0, 1], got ${alpha}`);
  const base = grayToRgba(image);
  const colours = applyColormap(map.data, map.width, map.height, options.colormap ?? 'plasma');
  const out = base.data;
  for (let i = 0; i < map.data.length; i++) {
    if (colours.data[4 * i + 3] === 0) continue;
    for (let c = 0; c < 3; c++) out[4 * i + c] = Math.round((1 - alpha) * out[4 * i + c]! + alpha * colours.data[4 * i + c]!);
  }
  if (options.outline) drawOutline(base, options.outline, options.outlineColor ?? truthOutlineColor);
  return base;
}
