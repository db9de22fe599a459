/**
 * PNG encoding with `fast-png` (pure JS, so the same pixels always give the same bytes): RGBA and RGB
 * overlays at 8 bits, and final maps as 16-bit grey, which keeps 65536 levels of a [0, 1] map where
 * 8 bits would quantise it. Returns bytes; writing files is the caller's.
 */
import { encode } from 'fast-png';
import jpegJs from 'jpeg-js';
import { UsageError } from '../core/errors.js';
import type { RgbaImage } from '../imaging/colormap.js';

/** Options of the encoders. */
export interface PngOptions {
  /** zlib level 0-9; default 9 (smallest, still fast at thumbnail sizes). */
  readonly level?: number;
}

type ZlibLevel = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

function zlib(options: PngOptions): { level: ZlibLevel } {
  const level = options.level ?? 9;
  if (!Number.isInteger(level) || level < 0 || level > 9) throw new UsageError('png-level', `PNG compression level must be an integer 0-9, got ${level}`);
  return { level: level as ZlibLevel };
}

function checkSize(length: number, width: number, height: number, channels: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0 || length !== width * height * channels) {
    throw new UsageError('png-size', `pixel buffer has ${length} values, expected ${width}x${height}x${channels}`);
  }
}

/** An RGBA image as an 8-bit RGBA PNG. */
export function encodeRgbaPng(image: RgbaImage, options: PngOptions = {}): Uint8Array {
  checkSize(image.data.length, image.width, image.height, 4);
  return encode({ width: image.width, height: image.height, data: image.data, channels: 4, depth: 8 }, { zlib: zlib(options) });
}

/** An RGBA image as an 8-bit RGB PNG, dropping alpha (a quarter smaller; overlays are opaque). */
export function encodeRgbPng(image: RgbaImage, options: PngOptions = {}): Uint8Array {
  checkSize(image.data.length, image.width, image.height, 4);
  const rgb = new Uint8Array(image.width * image.height * 3);
  for (let i = 0, j = 0; i < image.data.length; i += 4, j += 3) {
    rgb[j] = image.data[i]!;
    rgb[j + 1] = image.data[i + 1]!;
    rgb[j + 2] = image.data[i + 2]!;
  }
  return encode({ width: image.width, height: image.height, data: rgb, channels: 3, depth: 8 }, { zlib: zlib(options) });
}

/**
 * A [0, 1] map (clamped) as a 16-bit grey PNG, value v stored as round(65535 v). NaN (a degenerate map)
 * has no grey level, so with `nan: 'alpha'` (default) the PNG gets an alpha channel that is 0 there;
 * with `nan: 'zero'` NaN becomes 0.
 */
export function encodeGray16Png(values: Float32Array, width: number, height: number, options: PngOptions & { readonly nan?: 'alpha' | 'zero' } = {}): Uint8Array {
  checkSize(values.length, width, height, 1);
  const hasNan = values.some(Number.isNaN);
  const withAlpha = hasNan && (options.nan ?? 'alpha') === 'alpha';
  const channels = withAlpha ? 2 : 1;
  const data = new Uint16Array(values.length * channels);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const level = Number.isNaN(v) ? 0 : Math.round((v <= 0 ? 0 : v >= 1 ? 1 : v) * 65535);
    data[i * channels] = level;
    if (withAlpha) data[i * channels + 1] = Number.isNaN(v) ? 0 : 65535;
  }
  return encode({ width, height, data, channels, depth: 16 }, { zlib: zlib(options) });
}

/** A [0, 1] grey image (clamped, NaN as 0) as an 8-bit grey PNG. */
export function encodeGray8Png(values: Float32Array, width: number, height: number, options: PngOptions = {}): Uint8Array {
  checkSize(values.length, width, height, 1);
  const data = Uint8Array.from(values, (v) => (Number.isNaN(v) ? 0 : Math.round((v <= 0 ? 0 : v >= 1 ? 1 : v) * 255)));
  return encode({ width, height, data, channels: 1, depth: 8 }, { zlib: zlib(options) });
}

/** PNG bytes as a `data:` URL, for embedding in a self-contained HTML page. */
export function pngDataUrl(png: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString('base64')}`;
}

/**
 * An RGBA image as a baseline JPEG (`quality` 1-100, default 85; alpha dropped) with `jpeg-js` (pure JS,
 * deterministic). Overlays of noisy X-rays compress 5-10x smaller than PNG at no visible cost at
 * thumbnail size, which is what keeps the report small.
 */
export function encodeJpeg(image: RgbaImage, quality = 85): Uint8Array {
  checkSize(image.data.length, image.width, image.height, 4);
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) throw new UsageError('jpeg-quality', `JPEG quality must be an integer 1-100, got ${quality}`);
  const out = jpegJs.encode({ data: Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), width: image.width, height: image.height }, quality);
  return new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength);
}

/** JPEG bytes as a `data:` URL. */
export function jpegDataUrl(jpeg: Uint8Array): string {
  return `data:image/jpeg;base64,${Buffer.from(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength).toString('base64')}`;
}
