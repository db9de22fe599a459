/**
 * Light augmentation for chest X-rays (spec 2.3's recommendation): a small rotation, a small shift and a
 * brightness/contrast change, no flips (anatomy is not left-right symmetric). The same affine map moves
 * the mask (nearest) and the boxes (bounding box of the moved corners). All draws come from the given
 * generator, so an epoch's augmentations repeat with the seed.
 */
import type { Box } from '../../core/types.js';
import type { Rng } from '../../core/rng.js';
import type { TrainingSample } from './samples.js';

/** Augmentation ranges; zero disables a kind. */
export interface AugmentOptions {
  /** Largest rotation in degrees (default 7). */
  readonly rotationDegrees?: number;
  /** Largest shift as a fraction of the size (default 0.05). */
  readonly shiftFraction?: number;
  /** Largest relative brightness and contrast change (default 0.1). */
  readonly intensity?: number;
}

/** The defaults, recorded on the model card. */
export const defaultAugment: Required<AugmentOptions> = { rotationDegrees: 7, shiftFraction: 0.05, intensity: 0.1 };

/** Returns an augmented copy of the sample. */
export function augmentSample(sample: TrainingSample, rng: Rng, options: AugmentOptions = {}): TrainingSample {
  const o = { ...defaultAugment, ...options };
  const { width: w, height: h } = sample;
  const angle = ((2 * rng.uniform() - 1) * o.rotationDegrees * Math.PI) / 180;
  const dx = (2 * rng.uniform() - 1) * o.shiftFraction * w;
  const dy = (2 * rng.uniform() - 1) * o.shiftFraction * h;
  const contrast = 1 + (2 * rng.uniform() - 1) * o.intensity;
  const brightness = (2 * rng.uniform() - 1) * o.intensity * 0.5;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const pixels = new Float32Array(w * h);
  const src = sample.pixels;
  let mean = 0;
  for (let i = 0; i < src.length; i++) mean += src[i]!;
  mean /= src.length;
  const mask = sample.mask ? new Uint8Array(w * h) : undefined;
  // Inverse map: output pixel (x, y) reads the source at R^-1 ((x, y) - c - d) + c (bilinear, edges clamped).
  for (let y = 0; y < h; y++) {
    const v = y - cy - dy;
    for (let x = 0; x < w; x++) {
      const u = x - cx - dx;
      const sx = cos * u + sin * v + cx;
      const sy = -sin * u + cos * v + cy;
      const fx0 = Math.floor(sx);
      const fy0 = Math.floor(sy);
      const fx = sx - fx0;
      const fy = sy - fy0;
      const x0 = fx0 < 0 ? 0 : fx0 > w - 1 ? w - 1 : fx0;
      const x1 = fx0 + 1 < 0 ? 0 : fx0 + 1 > w - 1 ? w - 1 : fx0 + 1;
      const y0 = fy0 < 0 ? 0 : fy0 > h - 1 ? h - 1 : fy0;
      const y1 = fy0 + 1 < 0 ? 0 : fy0 + 1 > h - 1 ? h - 1 : fy0 + 1;
      const top = (1 - fx) * src[y0 * w + x0]! + fx * src[y0 * w + x1]!;
      const bottom = (1 - fx) * src[y1 * w + x0]! + fx * src[y1 * w + x1]!;
      const value = ((1 - fy) * top + fy * bottom - mean) * contrast + mean + brightness;
      pixels[y * w + x] = value < 0 ? 0 : value > 1 ? 1 : value;
      if (mask) {
        const nx = Math.round(sx);
        const ny = Math.round(sy);
        mask[y * w + x] = nx >= 0 && ny >= 0 && nx < w && ny < h ? sample.mask![ny * w + nx]! : 0;
      }
    }
  }
  const boxes = sample.boxes?.map((b) => moveBox(b, cos, sin, cx, cy, dx, dy, w, h)).filter((b): b is Box => b !== undefined);
  return { ...sample, pixels, ...(mask ? { mask } : {}), ...(boxes ? { boxes } : {}) };
}

function moveBox(b: Box, cos: number, sin: number, cx: number, cy: number, dx: number, dy: number, w: number, h: number): Box | undefined {
  // Forward map: p' = R (p - c) + c + d.
  const corners = [
    [b.x, b.y],
    [b.x + b.width, b.y],
    [b.x, b.y + b.height],
    [b.x + b.width, b.y + b.height],
  ].map(([x, y]) => [cos * (x! - cx) - sin * (y! - cy) + cx + dx, sin * (x! - cx) + cos * (y! - cy) + cy + dy] as const);
  const x0 = Math.max(0, Math.min(...corners.map((c) => c[0])));
  const y0 = Math.max(0, Math.min(...corners.map((c) => c[1])));
  const x1 = Math.min(w, Math.max(...corners.map((c) => c[0])));
  const y1 = Math.min(h, Math.max(...corners.map((c) => c[1])));
  if (x1 - x0 < 1 || y1 - y0 < 1) return undefined;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}
