/** Small hand-made maps and masks for the criteria tests. */
import { createRng } from '../../src/core/rng.js';
import type { Map2D, Mask } from '../../src/core/types.js';

export const SIZE = 32;

/** A square mask of side `side` with its top-left corner at (x, y). */
export function squareMask(x: number, y: number, side: number, size = SIZE): Mask {
  const data = new Uint8Array(size * size);
  for (let r = y; r < y + side; r++) for (let c = x; c < x + side; c++) data[r * size + c] = 1;
  return { data, width: size, height: size };
}

/** A map equal to the mask (1 inside, 0 outside). */
export function maskMap(mask: Mask): Map2D {
  return { data: Float32Array.from(mask.data), width: mask.width, height: mask.height };
}

/** A smooth Gaussian blob centred at (cx, cy), in [0, 1]. */
export function blobMap(cx: number, cy: number, sigma = 4, size = SIZE): Map2D {
  const data = new Float32Array(size * size);
  for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) data[r * size + c] = Math.exp(-((c - cx) ** 2 + (r - cy) ** 2) / (2 * sigma * sigma));
  return { data, width: size, height: size };
}

/** Uniform noise in [0, 1] from a seeded generator. */
export function noiseMap(seed: number, size = SIZE): Map2D {
  const rng = createRng(seed);
  const data = new Float32Array(size * size);
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform();
  return { data, width: size, height: size };
}

/** The paper's SSIM settings with data range 1. */
export const ssimBox = { window: 'box', winSize: 7, sampleCovariance: true, dataRange: 1 } as const;
