/**
 * The SIIM-ACR `train-rle.csv` run-length encoding (official `mask_functions.py`): whitespace-separated
 * (start, length) pairs, each start counted from the end of the previous run, 0-based, over pixels in
 * column-major order (flat index k is row k % height, column k / height). `-1` is an empty mask.
 * Masks here are row-major `Uint8Array`s with 1 = positive, as everywhere else in heatcheck.
 */
import { UsageError } from '../core/errors.js';
import { dataErrors, type Where } from './problems.js';

/** Options of `decodeSiimRle`. */
export interface DecodeRleOptions {
  /** Where the string came from, for error messages (file and `line › column`). */
  readonly where?: Where;
  /** Paint into this mask instead of a new one: the union of several rows of one image. */
  readonly into?: Uint8Array;
}

function checkSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new UsageError('mask-dimensions', `mask size must be positive integers, got ${width}x${height}`);
  }
}

/** Parses a SIIM RLE string into its numbers (`null` for `-1`), checking the syntax but not the image size. */
function parseSiimRle(rle: string, where: Where): number[] | null {
  const text = rle.trim();
  if (text === '') throw dataErrors.rleEmpty(where);
  if (text === '-1') return null;
  const tokens = text.split(/\s+/);
  const numbers = new Array<number>(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    // Digits only: rejects signs, decimals, exponents and hex that Number() would accept.
    if (!/^\d{1,15}$/.test(token)) throw dataErrors.rleToken(where, token, i);
    numbers[i] = Number(token);
  }
  if (numbers.length % 2 !== 0) throw dataErrors.rleOddCount(where, numbers.length);
  return numbers;
}

/** Checks a SIIM RLE string's syntax without decoding; returns the flat index just past its last run (0 for `-1`). */
export function siimRleExtent(rle: string, where: Where = {}): number {
  const numbers = parseSiimRle(rle, where);
  let end = 0;
  if (numbers) for (const n of numbers) end += n;
  return end;
}

/** Decodes a SIIM RLE string into a row-major mask of `width * height` (1 = positive); `-1` gives an empty mask. */
export function decodeSiimRle(rle: string, width: number, height: number, options: DecodeRleOptions = {}): Uint8Array {
  checkSize(width, height);
  const where = options.where ?? {};
  const total = width * height;
  const out = options.into ?? new Uint8Array(total);
  if (out.length !== total) {
    throw dataErrors.maskSize(where, `${out.length} pixels`, `${width}x${height} (${total} pixels)`);
  }
  const numbers = parseSiimRle(rle, where);
  if (!numbers) return out;
  let position = 0;
  for (let run = 0; run < numbers.length / 2; run++) {
    position += numbers[2 * run]!;
    const length = numbers[2 * run + 1]!;
    const end = position + length;
    if (end > total) throw dataErrors.rlePastImage(where, run, end, width, height);
    for (let k = position; k < end; k++) {
      const col = Math.floor(k / height);
      out[(k - col * height) * width + col] = 1;
    }
    position = end;
  }
  return out;
}

/** Encodes a row-major mask (non-zero = positive) as a SIIM RLE string; an empty mask gives `-1`. */
export function encodeSiimRle(mask: Uint8Array, width: number, height: number): string {
  checkSize(width, height);
  if (mask.length !== width * height) {
    throw dataErrors.maskSize({}, `${mask.length} pixels`, `${width}x${height} (${width * height} pixels)`);
  }
  const parts: number[] = [];
  let previousEnd = 0;
  let runStart = -1;
  let k = 0;
  for (let col = 0; col < width; col++) {
    for (let row = 0; row < height; row++, k++) {
      const on = mask[row * width + col] !== 0;
      if (on && runStart < 0) {
        runStart = k;
      } else if (!on && runStart >= 0) {
        parts.push(runStart - previousEnd, k - runStart);
        previousEnd = k;
        runStart = -1;
      }
    }
  }
  // Unlike the reference mask2rle, keep a run that is still open at the last pixel.
  if (runStart >= 0) parts.push(runStart - previousEnd, k - runStart);
  return parts.length === 0 ? '-1' : parts.join(' ');
}
